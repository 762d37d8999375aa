"""Models: every trained agent as a version (final models, kept checkpoints, imports).

`registry` keeps the versions in the store in step with the run folders; evaluation,
comparison, watching and export of a version live beside it. Served under `/api/models`.
"""

from retro_ml.services.models.registry import ModelRegistry

__all__ = ["ModelRegistry"]
