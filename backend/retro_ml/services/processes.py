"""The process manager: one training worker subprocess per running experiment.

It starts `retro-ml worker --run-dir DIR` (the same executable re-invoked when frozen),
tails the worker's `events.jsonl` and publishes what it reads on the bus. A worker that
exits without a final report (crash, kill -9) is reported as `failed`, with the reason.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import retro_ml
from retro_ml.services.events import EXPERIMENT_STATUS, EventBus
from retro_ml.services.worker_reports import TERMINAL_REPORTS, ReportTail, report_to_events
from retro_ml.store.run_folders import EVENTS_FILE, STOP_FILE, WORKER_LOG

log = logging.getLogger(__name__)


def worker_command(run_dir: Path) -> list[str]:
    if getattr(sys, "frozen", False):  # PyInstaller: the app's own executable has the sub-command
        return [sys.executable, "worker", "--run-dir", str(run_dir)]
    return [sys.executable, "-m", "retro_ml", "worker", "--run-dir", str(run_dir)]


def _worker_env() -> dict[str, str]:
    env = dict(os.environ)
    source_root = str(Path(retro_ml.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (source_root, env.get("PYTHONPATH")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    return env


# Workers outlive a Ctrl-C in the server's terminal (own session / process group, no
# console window on Windows); the manager stops them itself, through their STOP file.
_DETACHED_FLAGS = (
    subprocess.CREATE_NEW_PROCESS_GROUP | subprocess.CREATE_NO_WINDOW  # type: ignore[attr-defined,unused-ignore]
    if os.name == "nt"
    else 0
)


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"The training process was killed ({name})."
    return f"The training process exited unexpectedly (exit code {returncode})."


@dataclass
class WorkerHandle:
    experiment_id: str
    run_dir: Path
    process: subprocess.Popen[bytes]
    finished: threading.Event = field(default_factory=threading.Event)


class ProcessManager:
    def __init__(self, bus: EventBus, poll_interval: float = 0.1) -> None:
        self._bus = bus
        self._poll_interval = poll_interval
        self._lock = threading.Lock()
        self._workers: dict[str, WorkerHandle] = {}

    def start(self, experiment_id: str, run_dir: Path) -> WorkerHandle:
        with self._lock:
            if experiment_id in self._workers:
                return self._workers[experiment_id]
            (run_dir / STOP_FILE).unlink(missing_ok=True)
            with (run_dir / WORKER_LOG).open("ab") as log_file:
                process = subprocess.Popen(
                    worker_command(run_dir),
                    cwd=run_dir,
                    env=_worker_env(),
                    stdin=subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    creationflags=_DETACHED_FLAGS,
                    start_new_session=os.name != "nt",
                )
            handle = WorkerHandle(experiment_id, run_dir, process)
            self._workers[experiment_id] = handle
        threading.Thread(target=self._follow, args=(handle,), name=f"worker-{experiment_id}", daemon=True).start()
        return handle

    def request_stop(self, experiment_id: str) -> bool:
        """Ask a worker to save its model and exit. False when none is running."""
        with self._lock:
            handle = self._workers.get(experiment_id)
        if handle is None:
            return False
        (handle.run_dir / STOP_FILE).touch()
        return True

    def is_running(self, experiment_id: str) -> bool:
        with self._lock:
            return experiment_id in self._workers

    def running_ids(self) -> list[str]:
        with self._lock:
            return list(self._workers)

    def wait(self, experiment_id: str, timeout: float | None = None) -> bool:
        with self._lock:
            handle = self._workers.get(experiment_id)
        return True if handle is None else handle.finished.wait(timeout)

    def shutdown(self, timeout: float = 30.0) -> None:
        """Stop every worker gracefully (they save their models), then kill stragglers."""
        for experiment_id in self.running_ids():
            self.request_stop(experiment_id)
        with self._lock:
            handles = list(self._workers.values())
        for handle in handles:
            try:
                handle.process.wait(timeout)
            except subprocess.TimeoutExpired:
                handle.process.kill()
            handle.finished.wait(5)

    def _follow(self, handle: WorkerHandle) -> None:
        tail = ReportTail(handle.run_dir / EVENTS_FILE)
        saw_final = False
        try:
            while True:
                exited = handle.process.poll() is not None
                for report in tail.read_new():  # after an exit, this drains the last lines
                    saw_final = saw_final or report.get("type") in TERMINAL_REPORTS
                    for event_type, data in report_to_events(handle.experiment_id, handle.run_dir, report):
                        self._bus.publish(event_type, data)
                if exited:
                    break
                handle.finished.wait(self._poll_interval)
            if not saw_final:
                self._bus.publish(
                    EXPERIMENT_STATUS,
                    {
                        "experiment_id": handle.experiment_id,
                        "status": "failed",
                        "message": describe_exit(handle.process.returncode),
                    },
                )
        except Exception:
            log.exception("following worker %s failed", handle.experiment_id)
        finally:
            with self._lock:
                self._workers.pop(handle.experiment_id, None)
            handle.finished.set()
