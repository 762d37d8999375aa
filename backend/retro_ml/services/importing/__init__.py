"""Bringing models trained elsewhere in: SB3 zips and RL Zoo runs become experiments.

Owns finding importable models in a folder without loading them (`discovery`: no torch, no
unpickling) and copying each into a run folder of its own as a new experiment that can be
continued like any other (`runs`). Served as `POST /api/experiments/import`; the search is
bounded (depth, folders, seconds) and a folder without models is a 422 saying what was looked for.
"""

from retro_ml.services.importing.discovery import (
    Discovery,
    ImportCandidate,
    ScanLimits,
    ScanReport,
    find_import_candidates,
    scan_for_models,
)
from retro_ml.services.importing.runs import ImportOutcome, RunImporter

__all__ = [
    "Discovery",
    "ImportCandidate",
    "ImportOutcome",
    "RunImporter",
    "ScanLimits",
    "ScanReport",
    "find_import_candidates",
    "scan_for_models",
]
