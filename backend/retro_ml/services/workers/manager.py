"""The process manager: one training worker subprocess per running experiment.

It starts `retro-ml worker --run-dir DIR` (the same executable re-invoked when frozen),
tails the worker's `events.jsonl` and publishes what it reads on the bus. A worker that
exits without a final report (crash, kill -9) is reported as `failed`, with the reason.
After an app restart, `attach` finds a worker that kept running and follows it again.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retro_ml.run_contract import EVENTS_FILE, PAUSED_SECONDS_FILE, STOP_FILE, TERMINAL_REPORTS
from retro_ml.services.events import EXPERIMENT_STATUS, EventBus
from retro_ml.services.workers.process import WorkerProcess
from retro_ml.services.workers.reports import ReportTail, report_to_events
from retro_ml.store.atomic_storage import atomic_write_text
from retro_ml.store.run_folders import remove_partial_files

log = logging.getLogger(__name__)


@dataclass
class WorkerHandle:
    experiment_id: str
    run_dir: Path
    process: WorkerProcess
    tail: ReportTail
    saw_final: bool = False
    finished: threading.Event = field(default_factory=threading.Event)


def latest_progress_only(reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Within one batch only the newest progress matters (a catch-up can hold thousands)."""
    last = max((i for i, r in enumerate(reports) if r.get("type") == "progress"), default=-1)
    return [r for i, r in enumerate(reports) if r.get("type") != "progress" or i == last]


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
            handle = WorkerHandle(
                experiment_id, run_dir, WorkerProcess.spawn(run_dir), ReportTail(run_dir / EVENTS_FILE)
            )
            self._workers[experiment_id] = handle
        self._follow_in_thread(handle)
        return handle

    def attach(self, experiment_id: str, run_dir: Path) -> bool:
        """Follow a worker that outlived the previous app. False when none is alive."""
        process = WorkerProcess.find(run_dir)
        if process is None:
            return False
        handle = WorkerHandle(experiment_id, run_dir, process, ReportTail(run_dir / EVENTS_FILE))
        # Catch up before following: what it reported while the app was closed. Its
        # `started` is old news (the record already says running or paused).
        missed = [r for r in handle.tail.read_new() if r.get("type") != "started"]
        self._publish_batch(handle, latest_progress_only(missed))
        with self._lock:
            self._workers[experiment_id] = handle
        self._follow_in_thread(handle)
        return True

    def replay_final_reports(self, experiment_id: str, run_dir: Path) -> bool:
        """For a worker that ended while the app was closed: publish what it last reported.

        True when it had reached a final report (completed, stopped or failed).
        """
        reports = latest_progress_only(ReportTail(run_dir / EVENTS_FILE).read_new())
        self._publish(experiment_id, run_dir, reports)
        return any(r.get("type") in TERMINAL_REPORTS for r in reports)

    def request_stop(self, experiment_id: str) -> bool:
        """Ask a worker to save its model and exit. False when none is running."""
        handle = self._handle(experiment_id)
        if handle is None:
            return False
        try:
            (handle.run_dir / STOP_FILE).touch()
        except OSError:
            # Its folder is gone (the run was deleted while its worker was exiting): nothing can
            # carry the request, and nothing is left to save: end the process directly.
            handle.process.kill()
            return True
        if handle.process.is_suspended():
            handle.process.resume()  # a paused worker could never see the STOP file
        return True

    def suspend(self, experiment_id: str) -> bool:
        handle = self._handle(experiment_id)
        if handle is None:
            return False
        handle.process.suspend()
        return True

    def resume(self, experiment_id: str, paused_seconds_total: float) -> bool:
        """Continue a suspended worker, telling it how long it was paused in all (for its ETA)."""
        handle = self._handle(experiment_id)
        if handle is None:
            return False
        atomic_write_text(handle.run_dir / PAUSED_SECONDS_FILE, f"{paused_seconds_total:.3f}")
        handle.process.resume()
        return True

    def is_running(self, experiment_id: str) -> bool:
        return self._handle(experiment_id) is not None

    def is_suspended(self, experiment_id: str) -> bool:
        handle = self._handle(experiment_id)
        return handle is not None and handle.process.is_suspended()

    def running_ids(self) -> list[str]:
        with self._lock:
            return list(self._workers)

    def wait(self, experiment_id: str, timeout: float | None = None) -> bool:
        handle = self._handle(experiment_id)
        return True if handle is None else handle.finished.wait(timeout)

    def shutdown(self, timeout: float = 30.0) -> None:
        """Stop every worker gracefully (they save their models), then kill stragglers."""
        for experiment_id in self.running_ids():
            self.request_stop(experiment_id)
        with self._lock:
            handles = list(self._workers.values())
        for handle in handles:
            if not handle.process.wait(timeout):
                handle.process.kill()
            handle.finished.wait(5)

    def _handle(self, experiment_id: str) -> WorkerHandle | None:
        with self._lock:
            return self._workers.get(experiment_id)

    def _publish(self, experiment_id: str, run_dir: Path, reports: list[dict[str, Any]]) -> None:
        for report in reports:
            for event_type, data in report_to_events(experiment_id, run_dir, report):
                self._bus.publish(event_type, data)

    def _publish_batch(self, handle: WorkerHandle, reports: list[dict[str, Any]]) -> None:
        handle.saw_final = handle.saw_final or any(r.get("type") in TERMINAL_REPORTS for r in reports)
        self._publish(handle.experiment_id, handle.run_dir, reports)

    def _follow_in_thread(self, handle: WorkerHandle) -> None:
        name = f"worker-{handle.experiment_id}"
        threading.Thread(target=self._follow, args=(handle,), name=name, daemon=True).start()

    def _follow(self, handle: WorkerHandle) -> None:
        try:
            while True:
                exited = handle.process.exited()
                self._publish_batch(
                    handle, latest_progress_only(handle.tail.read_new())
                )  # after an exit: the last lines
                if exited:
                    break
                handle.finished.wait(self._poll_interval)
            if not handle.saw_final:
                message = handle.process.exit_description(handle.run_dir)
                self._bus.publish(
                    EXPERIMENT_STATUS, {"experiment_id": handle.experiment_id, "status": "failed", "message": message}
                )
        except Exception:
            log.exception("following worker %s failed", handle.experiment_id)
        finally:
            if handle.process.exited():
                remove_partial_files(handle.run_dir)
            with self._lock:
                self._workers.pop(handle.experiment_id, None)
            handle.finished.set()
