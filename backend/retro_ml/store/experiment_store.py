"""The experiment store: an interface organised by entity, and its TinyDB implementation.

The main process is the only writer. Every call takes one lock, so a read-modify-write
(`update`) is atomic with respect to every other thread of the process. Reads work on the
storage's in-memory documents: `list` walks raw documents kept sorted newest first (re-sorted
only after a create or delete), stops once it has a page, and builds entities only for that
page. A write appends the documents it changed to the database's journal (store/journal.py),
so its cost does not grow with the database.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

from tinydb import Query
from tinydb.table import Table

from retro_ml.errors import NotFound
from retro_ml.store.atomic_storage import Document
from retro_ml.store.entities import Experiment, utc_now, validate_experiment_id
from retro_ml.store.journal import JournaledJSONStorage, JournaledTinyDB
from retro_ml.store.migrations import (
    EXPERIMENTS_TABLE,
    META_TABLE,
    SCHEMA_VERSION,
    open_and_migrate,
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
    """Experiments as documents in the `experiments` table of one TinyDB JSON file (and its journal)."""

    def __init__(self, path: Path) -> None:
        self._lock = threading.RLock()
        self._db = JournaledTinyDB(path, storage=JournaledJSONStorage)
        self._storage = cast(JournaledJSONStorage, self._db.storage)
        open_and_migrate(self._storage)  # parsed once: opening a big database costs one parse
        self._experiments = self._db.table(EXPERIMENTS_TABLE)
        self._meta = self._db.table(META_TABLE)
        self._settings = self._db.table(SETTINGS_TABLE)
        # Derived from the storage's documents, rebuilt when the experiments table changed
        # behind this store's back (a failed write re-reads the file), patched after its own writes.
        self._index: dict[str, int] = {}  # experiment id -> TinyDB doc id
        self._newest_first: list[Document] = []
        self._index_generation: tuple[int, int] = (-1, -1)
        self._sorted_generation: tuple[int, int] = (-1, -1)
        with self._lock:
            if schema_version_of(self._storage.read() or {}) is None:
                self._meta.insert({"key": "schema_version", "value": SCHEMA_VERSION})
            if not path.exists():
                self._storage.compact()  # the database file exists from the first start
            self._refresh_index()  # at open, not in the first write

    @property
    def lock(self) -> threading.RLock:
        """The one lock of this database file: other tables' stores take it too."""
        return self._lock

    @property
    def storage(self) -> JournaledJSONStorage:
        """The database's storage: its in-memory documents are read-only to callers."""
        return self._storage

    def shared_table(self, name: str) -> Table:
        """Another table of the same database (same storage, same journaled writes)."""
        return self._db.table(name)

    def schema_version(self) -> int:
        with self._lock:
            return schema_version_of(self._storage.read() or {}) or 0

    # ---- raw documents (call with the lock held) -----------------------------------
    def _documents(self) -> dict[str, Document]:
        return self._storage.table(EXPERIMENTS_TABLE)

    def _generation(self) -> tuple[int, int]:
        return self._storage.table_generation(EXPERIMENTS_TABLE)

    def _refresh_index(self) -> None:
        if self._index_generation == self._generation():
            return
        documents = self._documents()
        self._index = {doc["id"]: int(doc_id) for doc_id, doc in documents.items() if "id" in doc}
        self._index_generation = self._generation()

    def _sorted_documents(self) -> list[Document]:
        if self._sorted_generation != self._generation():
            # A stable sort: experiments created in the same millisecond keep their stored order.
            self._newest_first = sorted(self._documents().values(), key=_created, reverse=True)
            self._sorted_generation = self._generation()
        return self._newest_first

    def _write(self, write: Callable[[], object], keeps_order: bool) -> None:
        """Run one write of the experiments table, then carry the derived state over to it.

        The index is patched by the caller (`_index` changes only on create and delete); the
        sorted list stays valid when the write changed no creation time nor membership.
        """
        index_current = self._index_generation == self._generation()
        sorted_current = self._sorted_generation == self._generation()
        write()
        if index_current:
            self._index_generation = self._generation()
        if sorted_current and keeps_order:
            self._sorted_generation = self._generation()

    def _doc_id(self, experiment_id: str) -> int | None:
        """TinyDB's doc id of an experiment."""
        self._refresh_index()
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
            self._refresh_index()
            doc_ids: list[int] = []
            self._write(lambda: doc_ids.append(self._experiments.insert(experiment.to_dict())), keeps_order=False)
            self._index[experiment.id] = doc_ids[0]
        return experiment

    def get(self, experiment_id: str) -> Experiment:
        with self._lock:
            return _entity(self._raw(experiment_id))

    def list(self, filters: ExperimentFilter | None = None) -> list[Experiment]:
        """Newest first; at most `filters.limit`."""
        filters = filters or ExperimentFilter()
        with self._lock:
            chosen = (doc for doc in self._sorted_documents() if filters.matches_document(doc))
            page = itertools.islice(chosen, filters.limit) if filters.limit else chosen
            return [_entity(doc) for doc in page]

    def update(self, experiment_id: str, change: Callable[[Experiment], None]) -> Experiment:
        """Apply `change` to the stored experiment and persist it, atomically."""
        with self._lock:
            experiment = self.get(experiment_id)
            created = experiment.metadata.created
            change(experiment)
            experiment.metadata.updated = utc_now()
            fields: dict[str, Any] = experiment.to_dict()
            doc_id = self._doc_id(experiment_id)
            if doc_id is None:  # `change` deleted it (re-entrant call under our RLock)
                raise NotFound("experiment", experiment_id)
            keeps_order = experiment.metadata.created == created and fields["id"] == experiment_id
            self._write(lambda: self._experiments.update(fields, doc_ids=[doc_id]), keeps_order)
            if fields["id"] != experiment_id:
                self._index_generation = (-1, -1)
        return experiment

    def delete(self, experiment_id: str) -> None:
        validate_experiment_id(experiment_id)
        with self._lock:
            doc_id = self._doc_id(experiment_id)
            removed: list[int] = []
            if doc_id is not None:
                self._write(lambda: removed.extend(self._experiments.remove(doc_ids=[doc_id])), keeps_order=False)
            if not removed:
                raise NotFound("experiment", experiment_id)
            self._index_generation = (-1, -1)  # rebuilt at the next lookup (deletes are rare)

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
