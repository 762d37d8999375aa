"""The experiment manager: creates runs, starts their workers and persists what they report.

It is the first subscriber of the bus (see `events.py`), so a status change is stored
before any UI hears of it. Progress is kept live in memory and written to the store at
most every `PROGRESS_PERSIST_SECONDS`, so a 1 Hz stream does not rewrite the database 1×/s.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from retro_ml.errors import Conflict
from retro_ml.services.events import EXPERIMENT_STATUS, TRAINING_PROGRESS, EventBus
from retro_ml.services.experiment_requests import parse_new_experiment
from retro_ml.services.presets import PresetCatalog
from retro_ml.services.processes import ProcessManager
from retro_ml.store.entities import (
    ACTIVE_STATUSES,
    Experiment,
    Progress,
    new_experiment_id,
    utc_now,
)
from retro_ml.store.experiment_store import ExperimentFilter, ExperimentStore
from retro_ml.store.run_folders import EVENTS_FILE, STOP_FILE, WORKER_LOG, RunFolders

PROGRESS_PERSIST_SECONDS = 5.0
INTERRUPTED_MESSAGE = "Retro ML Trainer closed while this run was training."


class ExperimentManager:
    def __init__(
        self,
        store: ExperimentStore,
        run_folders: RunFolders,
        processes: ProcessManager,
        bus: EventBus,
        presets: PresetCatalog,
    ) -> None:
        self._store = store
        self._runs = run_folders
        self._processes = processes
        self._bus = bus
        self._presets = presets
        self._lock = threading.Lock()
        self._live: dict[str, Progress] = {}
        self._persisted_at: dict[str, float] = {}
        bus.subscribe(EXPERIMENT_STATUS, self._on_status)
        bus.subscribe(TRAINING_PROGRESS, self._on_progress)

    # ---- queries -------------------------------------------------------------------
    def get(self, experiment_id: str) -> Experiment:
        return self._with_live(self._store.get(experiment_id))

    def list(self, filters: ExperimentFilter | None = None) -> list[Experiment]:
        return [self._with_live(e) for e in self._store.list(filters)]

    # ---- commands ------------------------------------------------------------------
    def create(self, payload: Any) -> Experiment:
        """Validate, record and start a new experiment."""
        request = parse_new_experiment(payload, self._presets)
        experiment_id = new_experiment_id()
        run_dir = self._runs.path_for(experiment_id)
        experiment = Experiment(
            id=experiment_id,
            name=request.name or self._default_name(request.game.id, request.game.name),
            game=request.game.id,
            env_id=request.game.env_id,
            algorithm=request.algorithm,
            preset=request.preset,
            config=request.config,
            run_dir=str(run_dir),
        )
        experiment.metadata.tags = request.tags
        experiment.metadata.status_message = "Starting…"
        experiment.progress.total_timesteps = request.config["total_timesteps"]
        self._runs.create(experiment_id, self.worker_config(experiment))
        self._store.create(experiment)
        self._bus.publish(
            EXPERIMENT_STATUS, {"experiment_id": experiment_id, "status": "queued", "message": "Starting…"}
        )
        self._processes.start(experiment_id, run_dir)
        return self.get(experiment_id)

    def stop(self, experiment_id: str) -> Experiment:
        experiment = self._store.get(experiment_id)
        if experiment.status not in ACTIVE_STATUSES:
            raise Conflict(f"'{experiment.name}' is not running (it is {experiment.status}).")
        if self._processes.request_stop(experiment_id):
            return self._store.update(experiment_id, lambda e: setattr(e.metadata, "status_message", "Stopping…"))
        self._bus.publish(
            EXPERIMENT_STATUS,
            {
                "experiment_id": experiment_id,
                "status": "stopped",
                "message": "Stopped before training began",
            },
        )
        return self.get(experiment_id)

    def reconcile_after_restart(self) -> tuple[str, ...]:
        """No run stays `running` forever: active runs without a worker become `interrupted`.

        An orphaned worker that is somehow still alive is asked to stop (it saves its model).
        """
        changed = []
        for experiment in self._store.list():
            if experiment.status in ACTIVE_STATUSES and not self._processes.is_running(experiment.id):
                if Path(experiment.run_dir).is_dir():
                    Path(experiment.run_dir, STOP_FILE).touch()
                self._bus.publish(
                    EXPERIMENT_STATUS,
                    {
                        "experiment_id": experiment.id,
                        "status": "interrupted",
                        "message": INTERRUPTED_MESSAGE,
                    },
                )
                changed.append(experiment.id)
        return tuple(changed)

    @staticmethod
    def worker_config(experiment: Experiment) -> dict[str, Any]:
        return {
            "experiment_id": experiment.id,
            "game": experiment.game,
            "env_id": experiment.env_id,
            "algorithm": experiment.algorithm,
            "config": experiment.config,
        }

    # ---- bus subscribers -----------------------------------------------------------
    def _on_status(self, _event: str, data: dict[str, Any]) -> None:
        status = data["status"]
        finished = status not in ACTIVE_STATUSES
        live = self._forget_live(data["experiment_id"]) if finished else None

        def change(experiment: Experiment) -> None:
            meta = experiment.metadata
            meta.status = status
            meta.status_message = data.get("message", "")
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
                experiment.progress.timestep = int(data["timestep"])
                total = experiment.progress.total_timesteps or 1
                experiment.progress.progress_pct = round(min(100.0, 100.0 * experiment.progress.timestep / total), 2)
            self._record_artifacts(experiment, data.get("model_path"))

        self._store.update(data["experiment_id"], change)

    def _on_progress(self, _event: str, data: dict[str, Any]) -> None:
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
            self._store.update(experiment_id, lambda e: setattr(e, "progress", progress))

    # ---- helpers -------------------------------------------------------------------
    def _with_live(self, experiment: Experiment) -> Experiment:
        with self._lock:
            live = self._live.get(experiment.id)
        if live is not None:
            experiment.progress = live
        return experiment

    def _forget_live(self, experiment_id: str) -> Progress | None:
        with self._lock:
            self._persisted_at.pop(experiment_id, None)
            return self._live.pop(experiment_id, None)

    def _default_name(self, game_id: str, game_name: str) -> str:
        return f"{game_name} #{len(self._store.list(ExperimentFilter(game=game_id))) + 1}"

    @staticmethod
    def _record_artifacts(experiment: Experiment, model_path: str | None) -> None:
        run_dir = Path(experiment.run_dir)
        if model_path and Path(model_path).is_file():
            models = [m for m in experiment.artifacts.models if m.get("kind") != "final"]
            models.append({"kind": "final", "path": model_path, "size_bytes": Path(model_path).stat().st_size})
            experiment.artifacts.models = models
        experiment.artifacts.logs = [
            {"kind": kind, "path": str(run_dir / name)}
            for kind, name in (("worker", WORKER_LOG), ("events", EVENTS_FILE))
            if (run_dir / name).is_file()
        ]
