"""A TinyDB storage that can never leave a truncated JSON file behind, and reads from memory.

Every write goes to a temporary file in the same folder, is flushed and fsync'ed, then
atomically renamed over the database (`os.replace`). A crash at any point leaves either
the old complete file or the new complete file, never a mix.

The main process is the only writer, so the parsed document is kept in memory after the
first read: reads never re-parse the file. TinyDB mutates the document it read before it
calls `write`, so a failed write drops the in-memory copy; the next read re-parses the file
and sees exactly what is on disk.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from retro_ml.run_contract import TEMPORARY_SUFFIX

Document = dict[str, Any]


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` to `path` so readers see the old or the new content, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # The contract's temporary suffix: in a run folder, what a crash leaves is never listed.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX only; Windows has no directory handles)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_json_document(path: Path) -> Document | None:
    """The parsed database file, or None when it does not exist or is empty."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    if not text.strip():
        return None
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not a Retro ML Trainer database (its top level is not a JSON object).")
    return data


def dump_document(data: Document) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class AtomicJSONStorage(Storage):
    """TinyDB storage backed by one JSON file, replaced atomically on every write.

    `read` returns the live in-memory document: callers other than TinyDB must treat it as
    read-only and copy what they hand out. `generation` changes whenever that document may
    have changed, so callers can key derived indexes on it.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._data: Document | None = None
        self._loaded = False
        self._generation = 0

    @property
    def generation(self) -> int:
        return self._generation

    def read(self) -> Document | None:
        if not self._loaded:
            self._data = read_json_document(self.path)
            self._loaded = True
        return self._data

    def write(self, data: Document) -> None:
        try:
            # Serialise fully before touching the disk: a value that cannot be encoded fails here.
            atomic_write_text(self.path, dump_document(data))
        except BaseException:
            self.invalidate()
            raise
        self._data, self._loaded = data, True
        self._generation += 1

    def prime(self, data: Document | None) -> None:
        """Adopt `data`, just parsed from (or written to) the file, as the in-memory document."""
        self._data, self._loaded = data, True
        self._generation += 1

    def invalidate(self) -> None:
        """Forget the in-memory document; the next read re-parses the file."""
        self._data, self._loaded = None, False
        self._generation += 1

    def table(self, name: str) -> dict[str, Document]:
        """The raw documents of one table by TinyDB doc id (live: do not mutate)."""
        data = self.read() or {}
        table = data.get(name)
        return table if isinstance(table, dict) else {}

    def close(self) -> None:
        pass
