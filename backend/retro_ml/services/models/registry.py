"""The model registry: every final model, kept checkpoint and imported model as a version.

Versions live in the store (`model_versions`), so the Models list never scans folders. They
are kept in step with the run folders at these moments only: at start (every experiment
once), when a run ends or is imported (`experiment.status`), when a worker saves a
checkpoint (`checkpoint.saved`: it may also have pruned older ones), when a run is deleted,
and when an action finds a version's file gone. Each change is one `models.changed` event.
"""

from __future__ import annotations

import builtins
import functools
import logging
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from retro_ml.errors import AppError, Conflict, InvalidInput
from retro_ml.run_contract import (
    CHECKPOINT_SAVED,
    CHECKPOINTS_DIR,
    EXPERIMENT_STATUS,
    IMPORTED_FROM_FILE,
    MODEL_FILE,
    MODELS_CHANGED,
    ModelsChangedEvent,
    checkpoint_files,
)
from retro_ml.services.events import EventBus, EventData
from retro_ml.store.entities import (
    ACTIVE_STATUSES,
    Experiment,
    ModelEvaluation,
    ModelVersion,
    new_experiment_id,
)
from retro_ml.store.experiment_store import TinyDBExperimentStore
from retro_ml.store.model_store import ModelFilter, ModelVersionStore

log = logging.getLogger(__name__)

MAX_TAGS = 20
MAX_TAG_LENGTH = 40


def _file_time(path: Path) -> str:
    moment = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


class ModelRegistry:
    def __init__(self, experiments: TinyDBExperimentStore, models: ModelVersionStore, bus: EventBus) -> None:
        self._experiments = experiments
        self._models = models
        self._bus = bus
        self._lock = threading.RLock()  # one sync at a time: two would add the same file twice
        bus.subscribe(EXPERIMENT_STATUS, self._on_status)
        bus.subscribe(CHECKPOINT_SAVED, self._on_checkpoint)

    # ---- reading -------------------------------------------------------------------
    def list(self, filters: ModelFilter | None = None) -> list[ModelVersion]:
        """Newest first; each with its run's current name."""
        names = {e.id: e.name for e in self._experiments.list()}
        models = self._models.list(filters)
        for model in models:
            model.name = names.get(model.experiment_id, model.name)
        return models

    def get(self, model_id: str) -> ModelVersion:
        model = self._models.get(model_id)
        model.name = self.experiment_of(model).name
        return model

    def experiment_of(self, model: ModelVersion) -> Experiment:
        return self._experiments.get(model.experiment_id)

    def model_file(self, model_id: str) -> Path:
        """The version's .zip, or a 422 `model_file_missing` (and the list brought up to date)."""
        model = self._models.get(model_id)
        path = Path(model.path)
        if not path.is_file():
            self.sync_experiment(model.experiment_id)
            raise AppError(
                "model_file_missing",
                f"The model file {path} is gone (deleted outside the app?): it was removed from the Models list.",
                status=422,
            )
        return path

    def count(self) -> int:
        return self._models.count()

    # ---- changing --------------------------------------------------------------------
    def record_evaluation(self, model_id: str, evaluation: ModelEvaluation) -> ModelVersion:
        return self._models.update(model_id, lambda m: setattr(m, "evaluation", evaluation))

    def update(self, model_id: str, payload: Any) -> ModelVersion:
        """PATCH: `tags` (a list of short strings) is the only field a user changes."""
        if not isinstance(payload, dict) or not payload:
            raise InvalidInput('Send the fields to change, e.g. {"tags": ["best"]}.')
        unknown = sorted(set(payload) - {"tags"})
        if unknown:
            raise InvalidInput(f"'{unknown[0]}' cannot be changed here (only 'tags').", field=unknown[0])
        tags = payload["tags"]
        if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
            raise InvalidInput("'tags' is a list of non-empty strings.", field="tags")
        cleaned = list(dict.fromkeys(t.strip() for t in tags))
        if len(cleaned) > MAX_TAGS or any(len(t) > MAX_TAG_LENGTH for t in cleaned):
            raise InvalidInput(f"At most {MAX_TAGS} tags of up to {MAX_TAG_LENGTH} characters.", field="tags")
        self._models.update(model_id, lambda m: setattr(m, "tags", cleaned))
        return self.get(model_id)

    def delete(self, model_id: str, confirmed: bool) -> dict[str, Any]:
        """A checkpoint goes at once (its file freed); a final or imported model only when `confirmed`,
        after a 409 `confirmation_required` that names what goes."""
        model = self.get(model_id)
        experiment = self.experiment_of(model)
        path = Path(model.path)
        size = path.stat().st_size if path.is_file() else 0
        if model.kind != "checkpoint":
            if experiment.status in ACTIVE_STATUSES:
                raise Conflict(f"'{experiment.name}' is still {experiment.status}: stop it before deleting its model.")
            if not confirmed:
                raise AppError(
                    "confirmation_required",
                    f"This deletes {path.name} ({_mb(size)}), the {model.kind} model of '{experiment.name}'. "
                    "The run's record, videos and checkpoints stay, but it can no longer be continued from "
                    "its end. Send confirm=true to delete it.",
                    status=409,
                )
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise AppError("delete_failed", f"Could not delete {path}: {exc.strerror or exc}.", status=409) from exc
        if model.kind != "checkpoint":
            self._experiments.update(experiment.id, lambda e: _drop_model(e, str(path)))
        self._models.delete(model_id)
        self._changed(model.experiment_id, [], [model_id])
        return {"id": model_id, "path": str(path), "freed_bytes": size}

    # ---- keeping in step with the run folders ------------------------------------------
    def sync_all(self) -> None:
        """Every experiment once (at start): versions for files that appeared, none for files gone."""
        known = set()
        for experiment in self._experiments.list():
            known.add(experiment.id)
            self._sync(experiment)
        for model in self._models.list():
            if model.experiment_id not in known:
                self.forget_experiment(model.experiment_id)

    def sync_experiment(self, experiment_id: str) -> None:
        try:
            experiment = self._experiments.get(experiment_id)
        except AppError:
            self.forget_experiment(experiment_id)
            return
        self._sync(experiment)

    def forget_experiment(self, experiment_id: str) -> None:
        """Its run was deleted (with its files): its versions go too."""
        with self._lock:
            removed = self._models.delete_for_experiment(experiment_id)
        if removed:
            self._changed(experiment_id, [], removed)

    def _sync(self, experiment: Experiment) -> None:
        with self._lock:
            wanted = _model_files(experiment)
            stored = {m.path: m for m in self._models.of_experiment(experiment.id)}
            removed = [m.id for path, m in stored.items() if path not in wanted]
            for model_id in removed:
                self._models.delete(model_id)
            added = []
            for path, (kind, steps) in wanted.items():
                file = Path(path)
                try:
                    size, created = file.stat().st_size, _file_time(file)
                except OSError:
                    continue  # pruned between the listing and now
                model = stored.get(path)
                if model is None:
                    added.append(self._add(experiment, kind, steps, path, size, created))
                elif (model.size_bytes, model.created, model.num_timesteps) != (size, created, steps):
                    refresh = functools.partial(_refreshed, size=size, created=created, steps=steps)
                    self._models.update(model.id, refresh)
        if added or removed:
            self._changed(experiment.id, added, removed)

    def _add(self, experiment: Experiment, kind: str, steps: int, path: str, size: int, created: str) -> str:
        model = ModelVersion(
            id=new_experiment_id(),
            experiment_id=experiment.id,
            kind=kind,
            game=experiment.game,
            env_id=experiment.env_id,
            algorithm=experiment.algorithm,
            num_timesteps=steps,
            path=path,
            size_bytes=size,
            created=created,
            name=experiment.name,
        )
        self._models.create(model)
        return model.id

    def _changed(self, experiment_id: str | None, added: builtins.list[str], removed: builtins.list[str]) -> None:
        event = ModelsChangedEvent(experiment_id=experiment_id, added=added, removed=removed)
        self._bus.publish(MODELS_CHANGED, dict(event))

    def _on_status(self, _event: str, data: EventData) -> None:
        if data.get("status") not in ACTIVE_STATUSES:  # ended, imported, interrupted: its files are final
            self.sync_experiment(str(data["experiment_id"]))

    def _on_checkpoint(self, _event: str, data: EventData) -> None:
        self.sync_experiment(str(data["experiment_id"]))


def _model_files(experiment: Experiment) -> dict[str, tuple[str, int]]:
    """path -> (kind, steps) of every model file the run has now."""
    run_dir = Path(experiment.run_dir)
    final_kind = "imported" if (run_dir / IMPORTED_FROM_FILE).is_file() else "final"
    finals = {str(m["path"]) for m in experiment.artifacts.models if m.get("kind") == "final" and m.get("path")}
    if experiment.status not in ACTIVE_STATUSES:
        finals.add(str(run_dir / MODEL_FILE))  # also for records older than artifacts.models
    files = {path: (final_kind, experiment.progress.timestep) for path in finals if Path(path).is_file()}
    for steps, path in checkpoint_files(run_dir / CHECKPOINTS_DIR):
        files[str(path)] = ("checkpoint", steps)
    return files


def _refreshed(model: ModelVersion, size: int, created: str, steps: int) -> None:
    if model.created != created:
        model.evaluation = None  # another file under the same name: its scores were not this one's
    model.size_bytes, model.created, model.num_timesteps = size, created, steps


def _drop_model(experiment: Experiment, path: str) -> None:
    experiment.artifacts.models = [m for m in experiment.artifacts.models if m.get("path") != path]
