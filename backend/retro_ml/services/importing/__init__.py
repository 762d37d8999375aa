"""Bringing models trained elsewhere in: SB3 zips and RL Zoo runs become experiments.

Owns finding importable models in a folder without loading them (`discovery`: no torch, no
unpickling) and copying each into a run folder of its own as a new experiment that can be
continued like any other (`runs`). Served as `POST /api/experiments/import`.
"""

from retro_ml.services.importing.discovery import ImportCandidate, find_import_candidates
from retro_ml.services.importing.runs import ImportOutcome, RunImporter

__all__ = [
    "ImportCandidate",
    "ImportOutcome",
    "RunImporter",
    "find_import_candidates",
]
