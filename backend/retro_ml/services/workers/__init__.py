"""Training workers seen from the main process: one OS process per running experiment.

Owns starting, following, pausing and stopping worker subprocesses (`manager`, `process`),
reading the reports a worker appends to its run folder and turning them into bus events
(`reports`), and asking a worker for live frames while someone watches (`live_view`). The
worker and the main process talk only through files in the run folder (docs/CONTRACT.md).
"""

from retro_ml.services.workers.live_view import FolderLiveView, LiveViewService
from retro_ml.services.workers.manager import ProcessManager
from retro_ml.services.workers.process import WorkerProcess, app_command

__all__ = [
    "FolderLiveView",
    "LiveViewService",
    "ProcessManager",
    "WorkerProcess",
    "app_command",
]
