"""Schema migrations on a real version-1 database written by hand (tests/fixtures/db_v1.json)."""

from __future__ import annotations

import copy
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from retro_ml.errors import AppError
from retro_ml.store import TinyDBExperimentStore
from retro_ml.store.migrations import SCHEMA_VERSION, SchemaTooNew, backup_path, migrate_database

FIXTURE = Path(__file__).parents[1] / "fixtures" / "db_v1.json"
PARENT, OTHER, CHILD = "3f9a1c2b7d40", "a1b2c3d4e5f6", "c0ffee123456"


@pytest.fixture
def db_v1(tmp_path: Path) -> Path:
    path = tmp_path / "db.json"
    shutil.copyfile(FIXTURE, path)
    return path


def experiments_by_id(path: Path) -> dict[str, dict[str, Any]]:
    return {doc["id"]: doc for doc in json.loads(path.read_text())["experiments"].values()}


def test_opening_a_v1_database_migrates_it_to_the_current_version(db_v1: Path) -> None:
    before = experiments_by_id(db_v1)
    store = TinyDBExperimentStore(db_v1)

    assert store.schema_version() == SCHEMA_VERSION == 3
    after = experiments_by_id(db_v1)  # on disk, not only in memory
    assert {i: d["metadata"]["paused_seconds"] for i, d in after.items()} == {PARENT: 0.0, OTHER: 0.0, CHILD: 0.0}
    assert {i: d["lineage"]["children"] for i, d in after.items()} == {PARENT: [CHILD], OTHER: [], CHILD: []}

    # Nothing else changed: drop the two new fields and the documents are the v1 ones.
    stripped = copy.deepcopy(after)
    for doc in stripped.values():
        del doc["metadata"]["paused_seconds"], doc["lineage"]["children"]
    assert stripped == before

    assert backup_path(db_v1, 1).read_bytes() == FIXTURE.read_bytes()
    assert experiments_by_id(backup_path(db_v1, 2)) == after  # 2 -> 3 changes no document
    parent = store.get(PARENT)
    assert parent.lineage.children == [CHILD] and parent.metadata.paused_seconds == 0.0
    assert store.get(CHILD).lineage.parent_experiment_id == PARENT
    assert [e.id for e in store.list()] == [CHILD, OTHER, PARENT]


def test_a_migrated_database_is_not_migrated_again(db_v1: Path) -> None:
    TinyDBExperimentStore(db_v1).close()
    migrated = db_v1.read_bytes()
    backup = backup_path(db_v1, 1).stat().st_mtime_ns
    assert TinyDBExperimentStore(db_v1).schema_version() == SCHEMA_VERSION
    assert db_v1.read_bytes() == migrated and backup_path(db_v1, 1).stat().st_mtime_ns == backup
    assert sorted(p.name for p in db_v1.parent.iterdir()) == ["db.json", "db.json.v1.bak", "db.json.v2.bak"]


def test_children_are_ordered_oldest_first(tmp_path: Path) -> None:
    document = json.loads(FIXTURE.read_text())
    second_child = copy.deepcopy(document["experiments"]["3"])
    second_child.update(id="0123456789ab", name="Breakout #1 (earlier)")
    second_child["metadata"]["created"] = "2026-11-21T00:00:00.000Z"
    document["experiments"]["4"] = second_child
    path = tmp_path / "db.json"
    path.write_text(json.dumps(document))
    assert TinyDBExperimentStore(path).get(PARENT).lineage.children == ["0123456789ab", CHILD]


def test_a_database_from_a_newer_version_is_refused_untouched(db_v1: Path) -> None:
    document = json.loads(db_v1.read_text())
    document["meta"]["1"]["value"] = SCHEMA_VERSION + 1
    db_v1.write_text(json.dumps(document))
    before = db_v1.read_bytes()
    with pytest.raises(SchemaTooNew, match="made by a newer Retro ML Trainer") as caught:
        TinyDBExperimentStore(db_v1)
    assert "Update Retro ML Trainer" in caught.value.message
    assert db_v1.read_bytes() == before
    assert not backup_path(db_v1, SCHEMA_VERSION + 1).exists()


def test_a_version_no_migration_starts_from_is_refused(db_v1: Path) -> None:
    document = json.loads(db_v1.read_text())
    document["meta"]["1"]["value"] = 0
    db_v1.write_text(json.dumps(document))
    with pytest.raises(AppError, match="cannot upgrade"):
        migrate_database(db_v1)


def test_experiments_without_a_version_row_are_version_1(db_v1: Path) -> None:
    document = json.loads(db_v1.read_text())
    del document["meta"]
    db_v1.write_text(json.dumps(document))
    assert migrate_database(db_v1) == SCHEMA_VERSION
    assert experiments_by_id(db_v1)[PARENT]["lineage"]["children"] == [CHILD]
    assert json.loads(db_v1.read_text())["meta"] == {"1": {"key": "schema_version", "value": SCHEMA_VERSION}}


def test_a_new_database_starts_at_the_current_version(tmp_path: Path) -> None:
    store = TinyDBExperimentStore(tmp_path / "db.json")
    assert store.schema_version() == SCHEMA_VERSION
    assert not list(tmp_path.glob("*.bak"))


def test_a_failed_migration_leaves_the_v1_file(db_v1: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_fsync = os.fsync
    calls = {"n": 0}

    def fsync_fails_on_the_migration_write(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 3:  # backup file, backup dir, then the database's temp file: the disk fails
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync_fails_on_the_migration_write)
    with pytest.raises(OSError):
        TinyDBExperimentStore(db_v1)
    monkeypatch.undo()
    assert db_v1.read_bytes() == FIXTURE.read_bytes()
    assert backup_path(db_v1, 1).read_bytes() == FIXTURE.read_bytes()
    assert TinyDBExperimentStore(db_v1).schema_version() == SCHEMA_VERSION  # the next start migrates


def test_cli_refuses_a_database_from_a_newer_version_without_touching_it(tmp_path: Path) -> None:
    import subprocess
    import sys

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    database = data_dir / "retro_ml.json"
    database.write_text('{"meta": {"1": {"key": "schema_version", "value": 99}}, "experiments": {}}')
    before = database.read_bytes()
    for command in (["serve", "--port", "0"], ["train", "--game", "pong"]):
        result = subprocess.run(
            [sys.executable, "-m", "retro_ml", *command, "--data-dir", str(data_dir)],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        assert result.returncode == 1
        assert "made by a newer Retro ML Trainer" in result.stderr and "Traceback" not in result.stderr
    assert database.read_bytes() == before
