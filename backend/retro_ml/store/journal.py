"""A TinyDB storage that appends each write to a journal instead of rewriting the database.

Rewriting the whole JSON file on every write (AtomicJSONStorage) costs ~250 ms at 10,000
experiments. This storage keeps that file (`retro_ml.json`, a plain TinyDB JSON document) as
its *base* and appends each write, the documents it changed in full, as one fsync'ed JSON
line to `<base>.journal`: `{"table": "experiments", "docs": {"12": {...}, "13": null}}`
(null: deleted). Now and then it *compacts*: one atomic rewrite of the base holding
everything, then the journal is emptied. At open the journal is replayed over the base.

Why a kill -9 at any moment loses nothing that was acknowledged, and never leaves a store
that does not load:
- A write returns only after its line is fsync'ed. A kill can leave at most one partial
  line, at the end, of a write that never returned; replay stops at the first line that is
  not a complete record, and the store compacts at open, so nothing is ever appended after it.
- Records hold whole documents or deletions, never deltas: replaying a record the base
  already holds changes nothing. So a crash between compaction's two steps (base replaced,
  journal not yet emptied) is harmless.
- The base is only ever replaced atomically (atomic_write_text), as before.

Only TinyDB tables of the class `JournaledTable` know which documents a write changed; any
other write (TinyDB's `write(data)`, e.g. `drop_table`) compacts.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import weakref
from collections.abc import Callable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.table import Table

from retro_ml.store.atomic_storage import (
    AtomicJSONStorage,
    Document,
    _fsync_directory,
    atomic_write_text,
    dump_document,
    read_json_document,
)

log = logging.getLogger(__name__)

JOURNAL_SUFFIX = ".journal"
# Compact once the journal outgrows half the base (replay at open stays cheaper than a parse
# of the base) and at least this much (a small database does not compact every few writes).
COMPACT_MIN_BYTES = 8 * 2**20
# A write touching more documents than this (a query-wide update) compacts instead of journaling.
MAX_RECORD_DOCUMENTS = 1000

Changes = dict[str, Document | None]


def journal_path_of(base: Path) -> Path:
    return base.with_name(base.name + JOURNAL_SUFFIX)


def _encode_record(table: str, changes: Changes) -> bytes:
    return (json.dumps({"table": table, "docs": changes}, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def replay_journal(document: Document, journal: Path) -> int:
    """Apply the journal's complete records to `document`; return how many bytes they take.

    Reading stops at the first line that is not a whole record: only the last write, one
    that was never acknowledged, can be cut short by a crash.
    """
    try:
        data = journal.read_bytes()
    except FileNotFoundError:
        return 0
    offset = 0
    *lines, _unterminated = data.split(b"\n")
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            break
        if not isinstance(record, dict) or not isinstance(record.get("docs"), dict):
            break
        table = document.setdefault(str(record.get("table")), {})
        for doc_id, doc in record["docs"].items():
            if doc is None:
                table.pop(doc_id, None)
            else:
                table[doc_id] = doc
        offset += len(line) + 1
    return offset


def read_database(base: Path) -> tuple[Document | None, int]:
    """The document the base and its journal hold, and the bytes of complete journal records."""
    document = read_json_document(base)
    journal = journal_path_of(base)
    if not journal.exists() or journal.stat().st_size == 0:
        return document, 0
    document = document if document is not None else {}
    return document, replay_journal(document, journal)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class JournaledJSONStorage(AtomicJSONStorage):
    """The base file, replaced atomically when compacted, plus an fsync'ed append-only journal.

    `read` returns the live in-memory document (see AtomicJSONStorage). `table_generation(name)`
    changes whenever that table may have changed, so callers can key indexes on one table.
    """

    def __init__(self, path: str | Path) -> None:
        super().__init__(path)
        self.journal = journal_path_of(self.path)
        self._fd: int | None = None
        self._journal_bytes = 0  # known once read
        self._table_writes: dict[str, int] = {}
        self._compact_past = 0  # after a failed compaction: the journal size to retry at
        self.compactions = 0

    # ---- reading ---------------------------------------------------------------------
    def read(self) -> Document | None:
        if not self._loaded:
            self._data, valid_bytes = read_database(self.path)
            self._loaded = True
            if self._size_of(self.journal) > valid_bytes:  # a write cut short by a crash: drop it,
                self._truncate_to(self._journal_fd(), valid_bytes)  # so later records follow whole ones
            self._journal_bytes = valid_bytes
            # Tens of MB of small dicts that live as long as the process: Python's cyclic GC
            # would walk all of them on each full collection (200+ ms pauses in the middle of
            # writes at 10,000 experiments + 50,000 videos). JSON data has no cycles, and
            # reference counting still frees what is dropped, so take them out of its sight.
            gc.freeze()
        return self._data

    def document(self) -> Document:
        """The live document, created empty when there is none yet."""
        if self.read() is None:
            self._data = {}
        assert self._data is not None
        return self._data

    def table_generation(self, name: str) -> tuple[int, int]:
        return self._generation, self._table_writes.get(name, 0)

    @property
    def journal_bytes(self) -> int:
        return self._journal_bytes

    # ---- writing ---------------------------------------------------------------------
    def append(self, table: str, changes: Changes) -> None:
        """Journal one write (whole documents or None for deleted); durable when this returns."""
        try:
            line = _encode_record(table, changes)  # a value that cannot be encoded fails here
            fd = self._journal_fd()
            start = os.lseek(fd, 0, os.SEEK_END)
            try:
                _write_all(fd, line)
                os.fsync(fd)
            except BaseException:
                self._truncate_to(fd, start)  # a failed write must not come back at the next read
                raise
        except BaseException:
            self.invalidate()
            raise
        self._journal_bytes = start + len(line)
        self._table_writes[table] = self._table_writes.get(table, 0) + 1
        if self._compaction_due():
            self._compact_when_possible()

    def write(self, data: Document) -> None:
        """A whole-document write (TinyDB's own interface): compact with `data`."""
        self._data, self._loaded = data, True
        self._generation += 1
        self.write_whole()

    def write_whole(self, changed_table: str | None = None) -> None:
        """Persist an in-memory change that is in no journal record, by compacting; on failure
        drop it from memory (the next read re-reads the disk), like a failed append."""
        try:
            self.compact()
        except BaseException:
            self.invalidate()
            raise
        if changed_table is not None:
            self._table_writes[changed_table] = self._table_writes.get(changed_table, 0) + 1

    def compact(self) -> None:
        """Replace the base atomically with the whole document, then empty the journal.

        Memory is left as it is when this fails: it holds what the disk holds (the base and
        the journal, whose records replay harmlessly over a base that already has them).
        """
        atomic_write_text(self.path, dump_document(self.document()))
        if self._journal_bytes or self._fd is not None:
            fd = self._journal_fd()
            os.ftruncate(fd, 0)
            os.fsync(fd)
        self._journal_bytes = 0
        self._compact_past = 0
        self.compactions += 1

    def _compaction_due(self) -> bool:
        return self._journal_bytes > max(COMPACT_MIN_BYTES, self._size_of(self.path) // 2, self._compact_past)

    def _compact_when_possible(self) -> None:
        """Compaction after an acknowledged write: a failure (disk full) must not fail that write."""
        try:
            self.compact()
        except OSError as error:
            self._compact_past = self._journal_bytes + COMPACT_MIN_BYTES  # not again at the very next write
            log.warning("Could not compact the database journal %s (%s); will retry later.", self.journal, error)

    @staticmethod
    def _size_of(path: Path) -> int:
        try:
            return path.stat().st_size
        except FileNotFoundError:
            return 0

    def _journal_fd(self) -> int:
        if self._fd is None:
            self.journal.parent.mkdir(parents=True, exist_ok=True)
            existed = self.journal.exists()
            self._fd = os.open(self.journal, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0), 0o600)
            self._release = weakref.finalize(self, os.close, self._fd)  # a store dropped unclosed
            if not existed:
                _fsync_directory(self.journal.parent)  # the new file's name is durable too
        return self._fd

    @staticmethod
    def _truncate_to(fd: int, size: int) -> None:
        try:
            os.ftruncate(fd, size)
        except OSError:
            pass  # the re-read after `invalidate` sees whatever the disk holds

    def invalidate(self) -> None:
        super().invalidate()
        self._table_writes.clear()

    def close(self) -> None:
        """Compact (a closed database is one plain JSON file) and release the journal."""
        try:
            if self._loaded and self._journal_bytes:
                self._compact_when_possible()  # else the next open replays the journal
        finally:
            if self._fd is not None:
                self._release()
                self._fd = None


class _TrackedTable(MutableMapping[int, Any]):
    """A table's raw documents seen through TinyDB's int ids, recording which ones a write touched."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.touched: set[str] = set()
        self.cleared = False

    def __getitem__(self, doc_id: int) -> Any:
        doc = self.raw[str(doc_id)]
        self.touched.add(str(doc_id))  # the updater may change it in place
        return doc

    def __setitem__(self, doc_id: int, doc: Any) -> None:
        self.raw[str(doc_id)] = doc
        self.touched.add(str(doc_id))

    def __delitem__(self, doc_id: int) -> None:
        del self.raw[str(doc_id)]
        self.touched.add(str(doc_id))

    def __contains__(self, doc_id: object) -> bool:
        return str(doc_id) in self.raw

    def __iter__(self) -> Iterator[int]:
        return (int(doc_id) for doc_id in self.raw)

    def __len__(self) -> int:
        return len(self.raw)

    def clear(self) -> None:
        self.raw.clear()
        self.cleared = True


class JournaledTable(Table):
    """A TinyDB table whose writes journal only the documents they touched.

    It replaces `Table._update_table`, the one place every TinyDB write goes through (stable
    across TinyDB 4.x), so it also skips the two full copies of the table TinyDB makes there.
    """

    def _update_table(self, updater: Callable[[dict[int, Any]], None]) -> None:
        storage = self._storage
        if not isinstance(storage, JournaledJSONStorage):
            super()._update_table(updater)
            return
        tracked = _TrackedTable(storage.document().setdefault(self.name, {}))
        try:
            updater(tracked)  # type: ignore[arg-type]
        except BaseException:
            if tracked.touched or tracked.cleared:
                storage.invalidate()  # half-applied in memory: re-read what the disk holds
            raise
        if tracked.cleared or len(tracked.touched) > MAX_RECORD_DOCUMENTS:
            storage.write_whole(changed_table=self.name)
        elif tracked.touched:
            storage.append(self.name, {doc_id: tracked.raw.get(doc_id) for doc_id in tracked.touched})
        self.clear_cache()


class JournaledTinyDB(TinyDB):
    table_class = JournaledTable
