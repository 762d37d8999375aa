"""Experiments: one training run each, from the request that creates it to the files it leaves.

Owns what a run may be configured with (`config_fields`, `presets`), validating a create
request (`requests`), creating, scheduling and controlling runs (`manager`), storing what the
bus says about them (`recorder`), putting them right after a restart (`recovery`), reading a
run folder's files, log (`artifacts`) and metrics (`metrics`), a run's size from this machine's
hardware (`sizing`), and this machine's speed for time estimates (`calibration`). Served under
`/api/experiments`; workers are `services/workers/`.
"""

from retro_ml.services.experiments.artifacts import RunArtifacts
from retro_ml.services.experiments.calibration import CalibrationService
from retro_ml.services.experiments.config_fields import ALGORITHMS
from retro_ml.services.experiments.manager import ExperimentManager
from retro_ml.services.experiments.metrics import MetricsReader
from retro_ml.services.experiments.presets import PresetCatalog, load_presets
from retro_ml.services.experiments.recovery import recover_after_restart
from retro_ml.services.experiments.sizing import Hardware, Sizing, describe_sizing, recommend

__all__ = [
    "ALGORITHMS",
    "CalibrationService",
    "ExperimentManager",
    "Hardware",
    "MetricsReader",
    "PresetCatalog",
    "RunArtifacts",
    "Sizing",
    "describe_sizing",
    "load_presets",
    "recommend",
    "recover_after_restart",
]
