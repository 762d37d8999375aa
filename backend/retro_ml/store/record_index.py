"""An in-memory index of a TinyDB table's records (rebuilt by its store when the table changes)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from retro_ml.store.atomic_storage import Document

if TYPE_CHECKING:
    from retro_ml.store.experiment_store import TinyDBExperimentStore


class RecordIndex:
    """TinyDB doc ids of a table's records by their id, experiment and path: no lookup scans 50,000 records.

    For the tables whose documents have `id`, `experiment_id` and `path` (videos, model versions).
    """

    def __init__(self, table: dict[str, Document]) -> None:
        self._keys: dict[int, tuple[str, str, str]] = {}
        self.by_id: dict[str, set[int]] = {}
        self.by_experiment: dict[str, set[int]] = {}
        self.by_path: dict[str, set[int]] = {}
        for doc_id, doc in table.items():
            self.add(int(doc_id), doc)

    def add(self, doc_id: int, doc: Document) -> None:
        keys = (str(doc.get("id")), str(doc.get("experiment_id")), str(doc.get("path")))
        self._keys[doc_id] = keys
        for index, key in zip((self.by_id, self.by_experiment, self.by_path), keys, strict=True):
            index.setdefault(key, set()).add(doc_id)

    def remove(self, doc_id: int) -> None:
        for index, key in zip((self.by_id, self.by_experiment, self.by_path), self._keys.pop(doc_id), strict=True):
            index[key].discard(doc_id)
            if not index[key]:
                del index[key]


class IndexedTable:
    """One table of the experiments' database (same lock, same journaled writes), with a RecordIndex.

    The base of the stores whose records have `id`, `experiment_id` and `path`: they read and
    write documents through `_insert`, `_replace` and `_remove`, which keep the index in step.
    """

    def __init__(self, database: TinyDBExperimentStore, table_name: str) -> None:
        self._lock = database.lock
        self._table_name = table_name
        self._table = database.shared_table(table_name)
        self._storage = database.storage
        self._index = RecordIndex({})
        self._index_generation: tuple[int, int] = (-1, -1)
        with self._lock:
            self._current_index()  # at open, not in the first write

    def _current_index(self) -> RecordIndex:
        """The index, rebuilt when the table changed other than through this store (call with the lock held)."""
        if self._index_generation != self._storage.table_generation(self._table_name):
            self._index = RecordIndex(self._storage.table(self._table_name))
            self._index_generation = self._storage.table_generation(self._table_name)
        return self._index

    def _write(self, write: Callable[[], object], patch: Callable[[RecordIndex], None]) -> None:
        """One write of the table, then the same change to the index (a failed write re-reads both)."""
        index = self._current_index()
        write()
        patch(index)
        self._index_generation = self._storage.table_generation(self._table_name)

    def _documents(self) -> list[dict[str, Any]]:
        return [dict(row) for row in self._table.all()]

    def _document(self, doc_id: int) -> dict[str, Any] | None:
        row = self._table.get(doc_id=doc_id)
        return copy.deepcopy(dict(row)) if row is not None else None

    def _insert(self, document: Document) -> None:
        doc_ids: list[int] = []
        insert = lambda: doc_ids.append(self._table.insert(document))  # noqa: E731
        self._write(insert, lambda index: index.add(doc_ids[0], document))

    def _replace(self, doc_id: int, document: Document) -> None:
        def patch(index: RecordIndex) -> None:
            index.remove(doc_id)
            index.add(doc_id, document)

        self._write(lambda: self._table.update(document, doc_ids=[doc_id]), patch)

    def _remove(self, doc_ids: list[int]) -> list[int]:
        removed: list[int] = []

        def patch(index: RecordIndex) -> None:
            for doc_id in removed:
                index.remove(doc_id)

        if doc_ids:
            self._write(lambda: removed.extend(self._table.remove(doc_ids=doc_ids)), patch)
        return removed
