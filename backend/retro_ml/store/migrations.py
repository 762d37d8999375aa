"""Ordered schema migrations of the database file, run when the store opens it.

The version lives in the `meta` table as `{"key": "schema_version", "value": N}`. Each
migration turns version N into N+1 by editing the parsed document in place. Before a step
the file is copied to `<db>.v<N>.bak`; the step itself is one atomic write that also sets
the new version, so a crash leaves the file complete at version N or N+1, never between.
Migrations run on the base file alone: the store compacts its journal (store/journal.py)
into it first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retro_ml.errors import AppError
from retro_ml.store.atomic_storage import Document, atomic_write_text, dump_document
from retro_ml.store.journal import JournaledJSONStorage

SCHEMA_VERSION = 3
META_TABLE = "meta"
EXPERIMENTS_TABLE = "experiments"
SCHEMA_KEY = "schema_version"


class SchemaTooNew(AppError):
    def __init__(self, path: Path, found: int) -> None:
        super().__init__(
            "schema_too_new",
            f"The database {path} was made by a newer Retro ML Trainer (schema {found}; this version "
            f"understands up to {SCHEMA_VERSION}). Update Retro ML Trainer, or start it with another --data-dir.",
            status=409,
        )


@dataclass(frozen=True)
class Migration:
    from_version: int
    description: str
    apply: Callable[[Document], None]


def _experiments(document: Document) -> list[dict[str, Any]]:
    table = document.get(EXPERIMENTS_TABLE) or {}
    return [doc for doc in table.values() if isinstance(doc, dict)]


def _add_paused_seconds_and_children(document: Document) -> None:
    """1 → 2: `metadata.paused_seconds` (0.0) and `lineage.children`, derived from the parent links."""
    experiments = _experiments(document)
    children: dict[str, list[dict[str, Any]]] = {}
    for doc in experiments:
        parent = (doc.get("lineage") or {}).get("parent_experiment_id")
        if parent:
            children.setdefault(parent, []).append(doc)
    for doc in experiments:
        doc.setdefault("metadata", {}).setdefault("paused_seconds", 0.0)
        kids = sorted(children.get(doc.get("id", ""), []), key=lambda c: (c["metadata"].get("created", ""), c["id"]))
        doc.setdefault("lineage", {})["children"] = [kid["id"] for kid in kids]


def _adopt_the_journal(document: Document) -> None:
    """2 → 3: no document changes. From 3 on, writes go to `<db>.journal` until compacted into
    the file; the version step makes an older Retro ML Trainer, which would ignore that journal
    and lose its writes, refuse the database instead."""


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "metadata.paused_seconds and lineage.children", _add_paused_seconds_and_children),
    Migration(2, "writes are journaled in <db>.journal", _adopt_the_journal),
)


def schema_version_of(document: Document) -> int | None:
    for row in (document.get(META_TABLE) or {}).values():
        if isinstance(row, dict) and row.get("key") == SCHEMA_KEY:
            return int(row["value"])
    return None


def set_schema_version(document: Document, version: int) -> None:
    meta = document.setdefault(META_TABLE, {})
    for row in meta.values():
        if isinstance(row, dict) and row.get("key") == SCHEMA_KEY:
            row["value"] = version
            return
    next_id = max((int(doc_id) for doc_id in meta), default=0) + 1
    meta[str(next_id)] = {"key": SCHEMA_KEY, "value": version}


def backup_path(path: Path, version: int) -> Path:
    return path.with_name(f"{path.name}.v{version}.bak")


def migrate_database(path: Path) -> int:
    """Bring the database at `path` to `SCHEMA_VERSION`; returns the version it is at now."""
    storage = JournaledJSONStorage(path)
    try:
        document = open_and_migrate(storage)
    finally:
        storage.close()
    return SCHEMA_VERSION if document is None else check_schema(path, document)


def open_and_migrate(storage: JournaledJSONStorage) -> Document | None:
    """Read the database (its file and journal) and bring it to `SCHEMA_VERSION`.

    A newer version's database is refused before anything is written; the journal is then
    compacted into the file, which the migrations work on.
    """
    document = storage.read()
    if document is None:
        return None
    check_schema(storage.path, document)
    if storage.journal_bytes:
        storage.compact()
    migrate_document(storage.path, document)
    return document


def check_schema(path: Path, document: Document) -> int:
    """The version of `document` (read from `path`); SchemaTooNew when this version cannot open it.

    A file without a version row but with experiments predates versioning, which began at
    1; one without experiments is stamped by the store at the current version.
    """
    version = schema_version_of(document)
    if version is None:
        version = 1 if _experiments(document) else SCHEMA_VERSION
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(path, version)
    return version


def migrate_document(path: Path, document: Document) -> int:
    """Migrate `document` (the parsed content of `path`) in place, writing each step to `path`."""
    version = check_schema(path, document)
    for migration in MIGRATIONS:
        if migration.from_version != version:
            continue
        atomic_write_text(backup_path(path, version), path.read_text(encoding="utf-8"))
        migration.apply(document)
        set_schema_version(document, version + 1)
        atomic_write_text(path, dump_document(document))
        version += 1
    if version != SCHEMA_VERSION:
        raise AppError(
            "schema_unknown",
            f"The database {path} has schema version {version}, which Retro ML Trainer cannot upgrade. "
            f"Restore a backup ({path.name}.v<N>.bak) or start with another --data-dir.",
            status=409,
        )
    return version
