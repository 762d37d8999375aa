"""The journaled store: a write appends one record instead of rewriting the database file.

Real TinyDB files in tmp dirs. The kill -9 loop is in test_store_crash_safety.py.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tinydb import TinyDB

from retro_ml.store import Experiment, TinyDBExperimentStore
from retro_ml.store import journal as journal_module
from retro_ml.store.atomic_storage import AtomicJSONStorage
from retro_ml.store.entities import VideoArtifact, new_experiment_id
from retro_ml.store.journal import journal_path_of, read_database
from retro_ml.store.migrations import SCHEMA_VERSION, backup_path
from retro_ml.store.video_store import VIDEOS_TABLE, VideoArtifactStore, VideoFilter


def experiment(name: str = "pong run") -> Experiment:
    ident = new_experiment_id()
    return Experiment(
        id=ident, name=name, game="pong", env_id="ALE/Pong-v5", algorithm="ppo", preset="quick",
        config={"total_timesteps": 1000}, run_dir=f"/runs/{ident}",
    )  # fmt: skip


def video(experiment_id: str, name: str = "clip") -> VideoArtifact:
    ident = new_experiment_id()
    return VideoArtifact(id=ident, experiment_id=experiment_id, name=name, path=f"/runs/{ident}.mp4", type="best")


def journal_records(database: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in journal_path_of(database).read_text().splitlines()]


def test_a_write_appends_one_record_and_leaves_the_database_file_alone(tmp_path: Path) -> None:
    database = tmp_path / "retro_ml.json"
    store = TinyDBExperimentStore(database)
    kept = store.create(experiment())
    videos = VideoArtifactStore(store)
    clip = videos.create(video(kept.id))
    base = database.read_bytes(), database.stat().st_ino
    records = len(journal_records(database))

    store.update(kept.id, lambda e: setattr(e, "name", "renamed"))
    videos.update(clip.id, lambda v: setattr(v, "name", "best clip"))

    assert (database.read_bytes(), database.stat().st_ino) == base  # not rewritten
    added = journal_records(database)[records:]
    assert [(r["table"], list(r["docs"].values())[0]["name"]) for r in added] == [  # type: ignore[union-attr,index]
        ("experiments", "renamed"),
        (VIDEOS_TABLE, "best clip"),
    ]
    store.close()
    assert journal_path_of(database).read_bytes() == b""  # a closed database is one file again
    reopened = TinyDBExperimentStore(database)
    assert reopened.get(kept.id).name == "renamed"
    assert VideoArtifactStore(reopened).get(clip.id).name == "best clip"


def test_a_torn_last_record_is_dropped_and_later_writes_survive(tmp_path: Path) -> None:
    database = tmp_path / "retro_ml.json"
    store = TinyDBExperimentStore(database)
    kept = store.create(experiment())
    store.update(kept.id, lambda e: setattr(e, "name", "acknowledged"))
    # What a crash in the middle of the next append leaves: part of a record, no newline.
    whole = journal_path_of(database).read_bytes()
    with journal_path_of(database).open("ab") as journal:
        journal.write(whole.splitlines(keepends=True)[-1][:40])

    document, _ = read_database(database)
    assert document is not None and [d["name"] for d in document["experiments"].values()] == ["acknowledged"]
    # A writer that opens it appends after the last whole record, so what it writes is read back.
    journal_module.JournaledJSONStorage(database).read()
    assert journal_path_of(database).read_bytes() == whole
    after = TinyDBExperimentStore(database)
    after.update(kept.id, lambda e: setattr(e, "name", "after the crash"))
    assert TinyDBExperimentStore(database).get(kept.id).name == "after the crash"


def test_the_journal_is_compacted_into_the_file_once_it_outgrows_half_of_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal_module, "COMPACT_MIN_BYTES", 4_000)
    database = tmp_path / "retro_ml.json"
    store = TinyDBExperimentStore(database)
    kept = [store.create(experiment(f"run {n}")) for n in range(30)]
    assert store.storage.compactions > 0
    assert journal_path_of(database).stat().st_size <= max(4_000, database.stat().st_size // 2)
    on_disk, _ = read_database(database)
    assert on_disk is not None and len(on_disk["experiments"]) == 30
    assert [e.name for e in TinyDBExperimentStore(database).list()] == [e.name for e in store.list()]
    assert {e.id for e in store.list()} == {e.id for e in kept}


def test_a_crash_between_the_two_steps_of_a_compaction_replays_harmlessly(tmp_path: Path) -> None:
    database = tmp_path / "retro_ml.json"
    store = TinyDBExperimentStore(database)
    first, second = store.create(experiment("first")), store.create(experiment("second"))
    store.update(first.id, lambda e: setattr(e, "name", "first renamed"))
    store.delete(second.id)
    journal = journal_path_of(database).read_bytes()
    store.close()  # compaction: the file holds everything, the journal is emptied...
    journal_path_of(database).write_bytes(journal)  # ...but say the crash came before the emptying

    reopened = TinyDBExperimentStore(database)
    assert [(e.id, e.name) for e in reopened.list()] == [(first.id, "first renamed")]


def test_a_single_file_store_of_the_previous_version_opens_with_everything(tmp_path: Path) -> None:
    database = tmp_path / "retro_ml.json"
    old = TinyDB(database, storage=AtomicJSONStorage)  # how the previous version wrote: one file per write
    old.table("meta").insert({"key": "schema_version", "value": 2})
    runs = [experiment(f"run {n}") for n in range(5)]
    for run in runs:
        old.table("experiments").insert(run.to_dict())
    clips = [video(runs[n % 5].id, f"clip {n}") for n in range(12)]
    for clip in clips:
        old.table(VIDEOS_TABLE).insert(clip.to_dict())
    old.table("settings").insert({"key": "user", "theme": "light"})
    old.table("calibration").insert({"key": "machine", "fingerprint": "x"})
    before = json.loads(database.read_text())
    shutil.copyfile(database, tmp_path / "previous.json")

    store = TinyDBExperimentStore(database)
    assert store.schema_version() == SCHEMA_VERSION
    assert backup_path(database, 2).read_bytes() == (tmp_path / "previous.json").read_bytes()
    migrated = json.loads(database.read_text())
    assert {k: v for k, v in migrated.items() if k != "meta"} == {k: v for k, v in before.items() if k != "meta"}
    assert sorted(e.id for e in store.list()) == sorted(r.id for r in runs)
    videos = VideoArtifactStore(store)
    assert sorted(v.id for v in videos.list(VideoFilter(), {})) == sorted(c.id for c in clips)
    assert store.load_settings() == {"theme": "light"} and store.load_calibration() == {"fingerprint": "x"}
    # Writes after the upgrade go to the journal and come back.
    videos.update(clips[3].id, lambda v: setattr(v, "name", "renamed"))
    assert videos.delete_for_experiment(runs[0].id) == 3
    reopened = VideoArtifactStore(TinyDBExperimentStore(database))
    assert reopened.get(clips[3].id).name == "renamed"
    assert len(reopened.list(VideoFilter(), {})) == 9 and not reopened.has_path(clips[0].path)


def test_a_failed_compaction_fails_no_write_and_loses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database = tmp_path / "retro_ml.json"
    store = TinyDBExperimentStore(database)
    compactions = store.storage.compactions
    monkeypatch.setattr(journal_module, "COMPACT_MIN_BYTES", 2_000)

    def disk_full(_path: Path, _text: str) -> None:  # the database file cannot be rewritten
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(journal_module, "atomic_write_text", disk_full)
    kept = [store.create(experiment(f"run {n}")) for n in range(20)]  # each past the threshold
    assert store.storage.compactions == compactions and store.storage.journal_bytes > 2_000
    store.close()  # cannot compact either: the journal stays, and is replayed at the next open
    monkeypatch.undo()
    assert sorted(e.name for e in TinyDBExperimentStore(database).list()) == sorted(e.name for e in kept)
    assert journal_path_of(database).read_bytes() == b""  # that open compacted it
