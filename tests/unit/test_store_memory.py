"""The store reads from memory, never claims a change a failed write did not make, and filters by text."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from retro_ml.errors import NotFound
from retro_ml.store import Experiment, ExperimentFilter, TinyDBExperimentStore
from retro_ml.store.entities import new_experiment_id


def make(name: str, game: str = "pong", created: str = "2026-01-01T00:00:00.000Z", **meta: object) -> Experiment:
    experiment_id = new_experiment_id()
    experiment = Experiment(
        id=experiment_id,
        name=name,
        game=game,
        env_id=f"ALE/{game.title()}-v5",
        algorithm="ppo",
        preset="quick",
        config={"total_timesteps": 1000},
        run_dir=f"/tmp/runs/{experiment_id}",
    )
    experiment.metadata.created = created
    for key, value in meta.items():
        setattr(experiment.metadata, key, value)
    return experiment


def test_reads_come_from_memory_not_the_file(store: TinyDBExperimentStore, database: Path) -> None:
    kept = store.create(make("Pong #1"))
    database.write_text('{"experiments": {}}')  # nobody else writes: the store does not look
    assert store.get(kept.id).name == "Pong #1"
    assert [e.id for e in store.list()] == [kept.id] and store.count() == 1


def test_returned_entities_are_copies(store: TinyDBExperimentStore) -> None:
    kept = store.create(make("Pong #1", tags=["a"]))
    listed = store.list()[0]
    listed.metadata.tags.append("changed in memory only")
    listed.config["total_timesteps"] = 5
    fetched = store.get(kept.id)
    assert fetched.metadata.tags == ["a"] and fetched.config == {"total_timesteps": 1000}


def fail_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_error(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_error)


@pytest.mark.parametrize(
    "operation",
    [
        lambda s, e: s.update(e.id, lambda x: setattr(x, "name", "renamed")),
        lambda s, e: s.delete(e.id),
        lambda s, e: s.create(make("Pong #2")),
    ],
    ids=["update", "delete", "create"],
)
def test_a_failed_write_changes_nothing_in_memory(
    store: TinyDBExperimentStore,
    monkeypatch: pytest.MonkeyPatch,
    operation: Callable[[TinyDBExperimentStore, Experiment], object],
) -> None:
    kept = store.create(make("Pong #1"))
    fail_disk(monkeypatch)
    with pytest.raises(OSError):
        operation(store, kept)
    monkeypatch.undo()
    assert [(e.id, e.name) for e in store.list()] == [(kept.id, "Pong #1")]
    assert store.get(kept.id).name == "Pong #1" and store.count() == 1
    again = store.update(kept.id, lambda x: setattr(x, "name", "renamed"))  # and the store still works
    assert again.name == "renamed" == store.get(kept.id).name


def test_text_filter_is_a_case_insensitive_name_substring(store: TinyDBExperimentStore) -> None:
    a = store.create(make("Breakout #1", "breakout", "2026-01-01T00:00:00.000Z"))
    b = store.create(make("my BREAKOUT sweep", "breakout", "2026-01-02T00:00:00.000Z", status="completed"))
    store.create(make("Pong #1", "pong", "2026-01-03T00:00:00.000Z"))
    assert [e.id for e in store.list(ExperimentFilter(q="breakout"))] == [b.id, a.id]
    assert [e.id for e in store.list(ExperimentFilter(q="Sweep", status="completed"))] == [b.id]
    assert [e.id for e in store.list(ExperimentFilter(q="out", limit=1))] == [b.id]
    assert store.list(ExperimentFilter(q="seaquest")) == []
    assert ExperimentFilter(q="BREAK").matches(a) and not ExperimentFilter(q="pong").matches(a)


def test_same_creation_time_keeps_insertion_order(store: TinyDBExperimentStore) -> None:
    ids = [store.create(make(f"run {i}")).id for i in range(5)]
    assert [e.id for e in store.list()] == ids
    assert [e.id for e in store.list(ExperimentFilter(limit=3))] == ids[:3]


def test_delete_then_get_and_update_are_not_found(store: TinyDBExperimentStore, database: Path) -> None:
    gone = store.create(make("Pong #1"))
    other = store.create(make("Pong #2"))
    store.delete(gone.id)
    with pytest.raises(NotFound):
        store.update(gone.id, lambda x: None)
    assert store.get(other.id).name == "Pong #2" and store.count() == 1
    assert TinyDBExperimentStore(database).count() == 1
