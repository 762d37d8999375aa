"""Disk space the app uses: how much each run takes, and freeing what can go.

Owns the storage report (`usage`: models, checkpoints, videos and the rest per run, and the
free space left) and the cleanup of old checkpoints and videos, with a preview of what is
freed (`cleanup`). Served under `/api/storage`.
"""

from retro_ml.services.storage.cleanup import CleanupResult, StorageCleanup
from retro_ml.services.storage.usage import StorageReport, storage_report

__all__ = [
    "CleanupResult",
    "StorageCleanup",
    "StorageReport",
    "storage_report",
]
