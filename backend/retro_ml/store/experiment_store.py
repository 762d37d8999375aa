"""The experiment store: an interface organised by entity, and its TinyDB implementation.

The main process is the only writer. Every call takes one lock, so a read-modify-write
(`update`) is atomic with respect to every other thread of the process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tinydb import Query, TinyDB

from retro_ml.errors import NotFound
from retro_ml.store.atomic_storage import AtomicJSONStorage
from retro_ml.store.entities import Experiment, utc_now, validate_experiment_id

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class ExperimentFilter:
    status: str | None = None
    game: str | None = None
    algorithm: str | None = None
    tag: str | None = None
    limit: int | None = None

    def matches(self, experiment: Experiment) -> bool:
        return (
            (self.status is None or experiment.status == self.status)
            and (self.game is None or experiment.game == self.game)
            and (self.algorithm is None or experiment.algorithm == self.algorithm)
            and (self.tag is None or self.tag in experiment.metadata.tags)
        )


class ExperimentStore(Protocol):
    def create(self, experiment: Experiment) -> Experiment: ...
    def get(self, experiment_id: str) -> Experiment: ...
    def list(self, filters: ExperimentFilter | None = None) -> list[Experiment]: ...
    def update(self, experiment_id: str, change: Callable[[Experiment], None]) -> Experiment: ...
    def delete(self, experiment_id: str) -> None: ...
    def count(self) -> int: ...


class TinyDBExperimentStore:
    """Experiments as documents in the `experiments` table of one TinyDB JSON file."""

    def __init__(self, path: Path) -> None:
        self._lock = threading.RLock()
        self._db = TinyDB(path, storage=AtomicJSONStorage)
        self._experiments = self._db.table("experiments")
        self._meta = self._db.table("meta")
        with self._lock:
            if not self._meta.get(Query().key == "schema_version"):
                self._meta.insert({"key": "schema_version", "value": SCHEMA_VERSION})

    def schema_version(self) -> int:
        with self._lock:
            row = self._meta.get(Query().key == "schema_version")
            return int(row["value"]) if row else 0

    def create(self, experiment: Experiment) -> Experiment:
        validate_experiment_id(experiment.id)
        with self._lock:
            self._experiments.insert(experiment.to_dict())
        return experiment

    def get(self, experiment_id: str) -> Experiment:
        validate_experiment_id(experiment_id)
        with self._lock:
            row = self._experiments.get(Query().id == experiment_id)
        if row is None:
            raise NotFound("experiment", experiment_id)
        return Experiment.from_dict(dict(row))

    def list(self, filters: ExperimentFilter | None = None) -> list[Experiment]:
        """Newest first."""
        filters = filters or ExperimentFilter()
        with self._lock:
            rows = self._experiments.all()
        experiments = [Experiment.from_dict(dict(row)) for row in rows]
        chosen = [e for e in experiments if filters.matches(e)]
        chosen.sort(key=lambda e: e.metadata.created, reverse=True)
        return chosen[: filters.limit] if filters.limit else chosen

    def update(self, experiment_id: str, change: Callable[[Experiment], None]) -> Experiment:
        """Apply `change` to the stored experiment and persist it, atomically."""
        with self._lock:
            experiment = self.get(experiment_id)
            change(experiment)
            experiment.metadata.updated = utc_now()
            self._experiments.update(experiment.to_dict(), Query().id == experiment_id)
        return experiment

    def delete(self, experiment_id: str) -> None:
        validate_experiment_id(experiment_id)
        with self._lock:
            removed = self._experiments.remove(Query().id == experiment_id)
        if not removed:
            raise NotFound("experiment", experiment_id)

    def count(self) -> int:
        with self._lock:
            return len(self._experiments)

    def close(self) -> None:
        with self._lock:
            self._db.close()
