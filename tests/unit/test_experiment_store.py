from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from retro_ml.errors import InvalidInput, NotFound
from retro_ml.store import Experiment, ExperimentFilter, TinyDBExperimentStore
from retro_ml.store.atomic_storage import atomic_write_text
from retro_ml.store.entities import new_experiment_id
from retro_ml.store.journal import journal_path_of
from retro_ml.store.migrations import SCHEMA_VERSION


def make_experiment(game: str = "pong", tags: list[str] | None = None, created: str | None = None) -> Experiment:
    experiment_id = new_experiment_id()
    experiment = Experiment(
        id=experiment_id,
        name=f"{game} run",
        game=game,
        env_id=f"ALE/{game.title()}-v5",
        algorithm="ppo",
        preset="quick",
        config={"total_timesteps": 1000},
        run_dir=f"/tmp/runs/{experiment_id}",
    )
    experiment.metadata.tags = tags or []
    if created:
        experiment.metadata.created = created
    return experiment


def test_create_get_round_trip_returns_entities(store: TinyDBExperimentStore, database: Path) -> None:
    experiment = make_experiment(tags=["first"])
    store.create(experiment)
    loaded = store.get(experiment.id)
    assert isinstance(loaded, Experiment)
    assert loaded.to_dict() == experiment.to_dict()
    reopened = TinyDBExperimentStore(database)
    assert reopened.get(experiment.id).name == "pong run"
    assert reopened.schema_version() == SCHEMA_VERSION


def test_list_filters_and_newest_first(store: TinyDBExperimentStore) -> None:
    old = store.create(make_experiment("pong", ["a"], created="2026-01-01T00:00:00.000Z"))
    new = store.create(make_experiment("pong", ["b"], created="2026-02-01T00:00:00.000Z"))
    other = store.create(make_experiment("breakout", ["a"], created="2026-03-01T00:00:00.000Z"))
    assert [e.id for e in store.list()] == [other.id, new.id, old.id]
    assert [e.id for e in store.list(ExperimentFilter(game="pong"))] == [new.id, old.id]
    assert [e.id for e in store.list(ExperimentFilter(tag="a"))] == [other.id, old.id]
    assert [e.id for e in store.list(ExperimentFilter(limit=1))] == [other.id]
    assert store.list(ExperimentFilter(status="completed")) == []


def test_update_and_delete(store: TinyDBExperimentStore) -> None:
    experiment = store.create(make_experiment())
    updated = store.update(experiment.id, lambda e: setattr(e.metadata, "status", "running"))
    assert updated.status == "running" and store.get(experiment.id).status == "running"
    store.delete(experiment.id)
    with pytest.raises(NotFound):
        store.get(experiment.id)
    with pytest.raises(NotFound):
        store.delete(experiment.id)


def test_ids_are_validated_before_any_lookup(store: TinyDBExperimentStore) -> None:
    with pytest.raises(InvalidInput):
        store.get("../../etc/passwd")


def test_failed_write_leaves_old_file_intact(
    store: TinyDBExperimentStore, database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    experiment = store.create(make_experiment())
    before = database.read_bytes(), journal_path_of(database).read_bytes()

    def disk_error(_fd: int) -> None:  # the disk fails after the record was written
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_error)
    with pytest.raises(OSError):
        store.update(experiment.id, lambda e: setattr(e, "name", "renamed" * 1000))
    with pytest.raises(OSError):
        store.storage.compact()  # the whole-file write fails the same way
    monkeypatch.undo()
    assert (database.read_bytes(), journal_path_of(database).read_bytes()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db.json", "db.json.journal"]  # no temp file left
    assert TinyDBExperimentStore(database).get(experiment.id).name == "pong run"


WRITER = """
import sys
from retro_ml.store.atomic_storage import atomic_write_text
import json
path = sys.argv[1]
i = 0
print("ready", flush=True)
while True:
    i += 1
    atomic_write_text(__import__("pathlib").Path(path), json.dumps({"i": i, "pad": "x" * 2_000_000}))
"""


@pytest.mark.parametrize("delay", [0.05, 0.13, 0.31, 0.57])
def test_kill_9_during_writes_never_leaves_a_truncated_file(tmp_path: Path, delay: float) -> None:
    path = tmp_path / "db.json"
    atomic_write_text(path, json.dumps({"i": 0, "pad": ""}))
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE)
    assert writer.stdout is not None and writer.stdout.readline().strip() == b"ready"
    time.sleep(delay)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    data = json.loads(path.read_text())  # must parse: old or new, never half
    assert data["i"] == 0 or len(data["pad"]) == 2_000_000
    if delay > 0.3:  # by then the writer had replaced the file several times
        assert data["i"] >= 1
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "db.json"]
    assert all(name.endswith(".tmp") for name in leftovers)  # a killed write leaves at most its temp file
