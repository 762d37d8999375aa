"""Persists what the bus says about experiments: status changes and (throttled) progress.

It is the first subscriber of the bus (see `events.py`), so a status change is stored
before any UI hears of it. Progress is kept live in memory and written to the store at
most every `PROGRESS_PERSIST_SECONDS`, so a 1 Hz stream does not rewrite the database 1×/s.
A change the disk refused (full) is kept in `pending_writes.py` and retried: reads see it at
once, and a run that ended still frees its queue slot.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from retro_ml.run_contract import EVENTS_FILE, REPLAY_BUFFER_FILE, WORKER_LOG
from retro_ml.services.events import EXPERIMENT_STATUS, TRAINING_PROGRESS, EventBus, EventData
from retro_ml.services.experiments.pending_writes import Change, PendingWrites
from retro_ml.store.entities import ACTIVE_STATUSES, Experiment, Progress, utc_now
from retro_ml.store.experiment_store import ExperimentStore

PROGRESS_PERSIST_SECONDS = 5.0


class ExperimentRecorder:
    def __init__(self, store: ExperimentStore, bus: EventBus) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._live: dict[str, Progress] = {}
        self._persisted_at: dict[str, float] = {}
        self._finished_listeners: list[Callable[[str], None]] = []
        self._pending = PendingWrites(store)
        bus.subscribe(EXPERIMENT_STATUS, self._on_status)
        bus.subscribe(TRAINING_PROGRESS, self._on_progress)

    def on_finished(self, listener: Callable[[str], None]) -> None:
        """Called with the id after a run reached a final status and it was stored."""
        self._finished_listeners.append(listener)

    @property
    def pending(self) -> PendingWrites:
        """Changes a full disk held back (`on_flushed` says when they are stored)."""
        return self._pending

    def update(self, experiment_id: str, change: Change) -> None:
        """Store `change` after those still pending; on a full disk it waits in memory (see module doc)."""
        self._pending.update(experiment_id, change)

    def forget(self, experiment_id: str) -> None:
        """The experiment was deleted: drop what was still to be written of it."""
        self._pending.forget(experiment_id)
        self._forget_live(experiment_id)

    def with_live_progress(self, experiment: Experiment) -> Experiment:
        """The stored experiment, with the changes still pending and its live progress."""
        experiment = self._pending.apply(experiment)
        with self._lock:
            live = self._live.get(experiment.id)
        if live is not None:
            experiment.progress = live
        return experiment

    def _on_status(self, _event: str, data: EventData) -> None:
        experiment_id = data["experiment_id"]
        status = data["status"]
        finished = status not in ACTIVE_STATUSES
        live = self._forget_live(experiment_id) if finished else None

        def change(experiment: Experiment) -> None:
            meta = experiment.metadata
            meta.status = status
            meta.status_message = data.get("message", "")
            if data.get("paused_seconds") is not None:
                meta.paused_seconds = float(data["paused_seconds"])
            if status == "running" and meta.started is None:
                meta.started = utc_now()
            if not finished:
                return
            meta.finished = utc_now()
            if live is not None:
                experiment.progress = live
            if data.get("final_metrics") is not None:
                experiment.final_metrics = data["final_metrics"]
                experiment.progress.metrics = {**experiment.progress.metrics, **data["final_metrics"]}
            if data.get("timestep") is not None:
                progress = experiment.progress
                progress.timestep = int(data["timestep"])
                start = experiment.lineage.start_timestep
                span = max(1, progress.total_timesteps - start)
                progress.progress_pct = round(min(100.0, 100.0 * (progress.timestep - start) / span), 2)
            record_artifacts(experiment, data.get("model_path"))

        self._pending.update(experiment_id, change)  # stored, or kept until the disk has room
        if finished:
            for listener in list(self._finished_listeners):
                listener(experiment_id)

    def _on_progress(self, _event: str, data: EventData) -> None:
        experiment_id = data["experiment_id"]
        progress = Progress(
            timestep=int(data.get("timestep", 0)),
            total_timesteps=int(data.get("total_timesteps", 0)),
            progress_pct=float(data.get("progress_pct", 0.0)),
            metrics=dict(data.get("metrics") or {}),
        )
        now = time.monotonic()
        with self._lock:
            self._live[experiment_id] = progress
            due = now - self._persisted_at.get(experiment_id, 0.0) >= PROGRESS_PERSIST_SECONDS
            if due:
                self._persisted_at[experiment_id] = now
        if due:
            try:
                self._store.update(experiment_id, lambda e: setattr(e, "progress", progress))
            except OSError:
                pass  # a full disk: the live copy serves reads, the final status stores it

    def _forget_live(self, experiment_id: str) -> Progress | None:
        with self._lock:
            self._persisted_at.pop(experiment_id, None)
            return self._live.pop(experiment_id, None)


def record_artifacts(experiment: Experiment, model_path: str | None) -> None:
    run_dir = Path(experiment.run_dir)
    if model_path and Path(model_path).is_file():
        models = [m for m in experiment.artifacts.models if m.get("kind") != "final"]
        models.append({"kind": "final", "path": model_path, "size_bytes": Path(model_path).stat().st_size})
        experiment.artifacts.models = models
    memory = run_dir / REPLAY_BUFFER_FILE
    if memory.is_file():
        experiment.artifacts.replay_buffer = {"path": str(memory), "size_bytes": memory.stat().st_size}
    experiment.artifacts.logs = [
        {"kind": kind, "path": str(run_dir / name)}
        for kind, name in (("worker", WORKER_LOG), ("events", EVENTS_FILE))
        if (run_dir / name).is_file()
    ]
