"""The experiment store: an interface organised by entity, and its TinyDB implementation.

The main process is the only writer. Every call takes one lock, so a read-modify-write
(`update`) is atomic with respect to every other thread of the process. Reads work on the
storage's in-memory documents: `list` walks raw documents kept sorted newest first (re-sorted
only after a write), stops once it has a page, and builds entities only for that page.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

from tinydb import Query, TinyDB
from tinydb.table import Table

from retro_ml.errors import NotFound
from retro_ml.store.atomic_storage import AtomicJSONStorage, Document, read_json_document
from retro_ml.store.entities import Experiment, utc_now, validate_experiment_id
from retro_ml.store.migrations import (
    EXPERIMENTS_TABLE,
    META_TABLE,
    SCHEMA_VERSION,
    migrate_document,
    schema_version_of,
)

__all__ = ["SCHEMA_VERSION", "ExperimentFilter", "ExperimentStore", "TinyDBExperimentStore"]


SETTINGS_TABLE = "settings"
SETTINGS_KEY = "user"


@dataclass(frozen=True)
class ExperimentFilter:
    status: str | None = None
    game: str | None = None
    algorithm: str | None = None
    tag: str | None = None
    q: str | None = None  # case-insensitive text in the name
    limit: int | None = None

    def matches(self, experiment: Experiment) -> bool:
        return self.matches_document(experiment.to_dict())

    def matches_document(self, doc: Document) -> bool:
        """The same test on a raw stored document, without building an entity."""
        metadata = doc.get("metadata") or {}
        return (
            (self.status is None or metadata.get("status") == self.status)
            and (self.game is None or doc.get("game") == self.game)
            and (self.algorithm is None or doc.get("algorithm") == self.algorithm)
            and (self.tag is None or self.tag in (metadata.get("tags") or ()))
            and (not self.q or self.q.casefold() in str(doc.get("name", "")).casefold())
        )


class ExperimentStore(Protocol):
    def create(self, experiment: Experiment) -> Experiment: ...
    def get(self, experiment_id: str) -> Experiment: ...
    def list(self, filters: ExperimentFilter | None = None) -> list[Experiment]: ...
    def update(self, experiment_id: str, change: Callable[[Experiment], None]) -> Experiment: ...
    def delete(self, experiment_id: str) -> None: ...
    def count(self) -> int: ...


def _created(doc: Document) -> str:
    return str((doc.get("metadata") or {}).get("created", ""))


def _entity(doc: Document) -> Experiment:
    # A deep copy: the raw document is the storage's live memory, entities are the caller's to change.
    return Experiment.from_dict(copy.deepcopy(doc))


class TinyDBExperimentStore:
    """Experiments as documents in the `experiments` table of one TinyDB JSON file."""

    def __init__(self, path: Path) -> None:
        self._lock = threading.RLock()
        document = read_json_document(path)
        if document is not None:
            migrate_document(path, document)
        self._db = TinyDB(path, storage=AtomicJSONStorage)
        self._storage = cast(AtomicJSONStorage, self._db.storage)
        self._storage.prime(document)  # parsed once: opening a big database costs one parse
        self._experiments = self._db.table(EXPERIMENTS_TABLE)
        self._meta = self._db.table(META_TABLE)
        self._settings = self._db.table(SETTINGS_TABLE)
        # Derived from the storage's documents, rebuilt when its generation moves on.
        self._index: dict[str, int] = {}  # experiment id -> TinyDB doc id
        self._newest_first: list[Document] = []
        self._index_generation = -1
        with self._lock:
            if schema_version_of(self._storage.read() or {}) is None:
                self._meta.insert({"key": "schema_version", "value": SCHEMA_VERSION})

    @property
    def lock(self) -> threading.RLock:
        """The one lock of this database file: other tables' stores take it too."""
        return self._lock

    def shared_table(self, name: str) -> Table:
        """Another table of the same file (same storage, same atomic writes)."""
        return self._db.table(name)

    def schema_version(self) -> int:
        with self._lock:
            return schema_version_of(self._storage.read() or {}) or 0

    # ---- raw documents (call with the lock held) -----------------------------------
    def _documents(self) -> dict[str, Document]:
        return self._storage.table(EXPERIMENTS_TABLE)

    def _refresh_indexes(self) -> None:
        if self._index_generation == self._storage.generation:
            return
        documents = self._documents()
        self._index = {doc["id"]: int(doc_id) for doc_id, doc in documents.items() if "id" in doc}
        # A stable sort: experiments created in the same millisecond keep their stored order.
        self._newest_first = sorted(documents.values(), key=_created, reverse=True)
        self._index_generation = self._storage.generation

    def _doc_id(self, experiment_id: str) -> int | None:
        """TinyDB's doc id of an experiment."""
        self._refresh_indexes()
        return self._index.get(experiment_id)

    def _raw(self, experiment_id: str) -> Document:
        validate_experiment_id(experiment_id)
        doc_id = self._doc_id(experiment_id)
        doc = None if doc_id is None else self._documents().get(str(doc_id))
        if doc is None:
            raise NotFound("experiment", experiment_id)
        return doc

    # ---- the store interface -------------------------------------------------------
    def create(self, experiment: Experiment) -> Experiment:
        validate_experiment_id(experiment.id)
        with self._lock:
            self._experiments.insert(experiment.to_dict())
        return experiment

    def get(self, experiment_id: str) -> Experiment:
        with self._lock:
            return _entity(self._raw(experiment_id))

    def list(self, filters: ExperimentFilter | None = None) -> list[Experiment]:
        """Newest first; at most `filters.limit`."""
        filters = filters or ExperimentFilter()
        with self._lock:
            self._refresh_indexes()
            chosen = (doc for doc in self._newest_first if filters.matches_document(doc))
            page = itertools.islice(chosen, filters.limit) if filters.limit else chosen
            return [_entity(doc) for doc in page]

    def update(self, experiment_id: str, change: Callable[[Experiment], None]) -> Experiment:
        """Apply `change` to the stored experiment and persist it, atomically."""
        with self._lock:
            experiment = self.get(experiment_id)
            change(experiment)
            experiment.metadata.updated = utc_now()
            fields: dict[str, Any] = experiment.to_dict()
            doc_id = self._doc_id(experiment_id)
            if doc_id is None:  # `change` deleted it (re-entrant call under our RLock)
                raise NotFound("experiment", experiment_id)
            self._experiments.update(fields, doc_ids=[doc_id])
        return experiment

    def delete(self, experiment_id: str) -> None:
        validate_experiment_id(experiment_id)
        with self._lock:
            doc_id = self._doc_id(experiment_id)
            if doc_id is None or not self._experiments.remove(doc_ids=[doc_id]):
                raise NotFound("experiment", experiment_id)

    def count(self) -> int:
        with self._lock:
            return len(self._documents())

    def load_settings(self) -> dict[str, Any]:
        """The `settings` table holds one document: the user's non-default settings."""
        with self._lock:
            row = self._settings.get(Query().key == SETTINGS_KEY)
        return {k: v for k, v in dict(row).items() if k != "key"} if row else {}

    def save_settings(self, values: dict[str, Any]) -> None:
        with self._lock:  # one upsert: one atomic write
            self._settings.upsert({**values, "key": SETTINGS_KEY}, Query().key == SETTINGS_KEY)

    def load_calibration(self) -> dict[str, Any]:
        """The `calibration` table holds one document: this machine's measured training speeds."""
        with self._lock:
            row = self._db.table("calibration").get(Query().key == "machine")
        return {k: v for k, v in dict(row).items() if k != "key"} if row else {}

    def save_calibration(self, values: dict[str, Any]) -> None:
        with self._lock:  # one upsert: one atomic write
            self._db.table("calibration").upsert({**values, "key": "machine"}, Query().key == "machine")

    def close(self) -> None:
        with self._lock:
            self._db.close()
