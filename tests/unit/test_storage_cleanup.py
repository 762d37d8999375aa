"""Disk usage and cleanup selection on real files: never a final model, never an active run's
files, favourites kept, old videos deleted through the video library (to a private trash)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from retro_ml.errors import InvalidInput
from retro_ml.services.storage.cleanup import StorageCleanup, parse_cleanup_request, select_checkpoints
from retro_ml.services.storage.usage import storage_report
from retro_ml.store.entities import Experiment, new_experiment_id
from retro_ml.store.video_store import VideoFilter
from tests.helpers.exports import World, make_world, use_private_trash


def _run(tmp_path: Path, status: str, model: bool = True, checkpoints: int = 3, **extra) -> Experiment:
    experiment_id = new_experiment_id()
    run_dir = tmp_path / "runs" / experiment_id
    (run_dir / "checkpoints").mkdir(parents=True)
    if model:
        (run_dir / "model.zip").write_bytes(b"m" * 1000)
    for step in range(1, checkpoints + 1):
        (run_dir / "checkpoints" / f"step_{step * 100}.zip").write_bytes(b"c" * 200)
    (run_dir / "metrics.jsonl").write_text("{}\n")
    experiment = Experiment(
        id=experiment_id,
        name=f"run {status}",
        game="pong",
        env_id="ALE/Pong-v5",
        algorithm="ppo",
        preset="quick",
        config={},
        run_dir=str(run_dir),
        **extra,
    )
    experiment.metadata.status = status
    return experiment


def _names(items) -> set[str]:
    return {Path(i.path).name for i in items}


def test_finished_runs_lose_checkpoints_never_models(tmp_path: Path) -> None:
    done = _run(tmp_path, "completed")
    running = _run(tmp_path, "running")
    items = select_checkpoints([done, running])
    assert _names(items) == {"step_100.zip", "step_200.zip", "step_300.zip"}
    assert all(Path(i.path).is_relative_to(done.run_dir) for i in items)
    assert all(i.bytes == 200 for i in items)
    assert not any(i.path.endswith("model.zip") for i in items)


def test_run_without_model_keeps_newest_checkpoint(tmp_path: Path) -> None:
    stopped = _run(tmp_path, "stopped", model=False)
    assert _names(select_checkpoints([stopped])) == {"step_100.zip", "step_200.zip"}


def test_checkpoint_a_queued_child_resumes_from_is_kept(tmp_path: Path) -> None:
    parent = _run(tmp_path, "completed")
    source = str(Path(parent.run_dir) / "checkpoints" / "step_100.zip")
    child = _run(tmp_path, "queued", checkpoints=0)
    child.lineage.checkpoint_source = source
    assert "step_100.zip" not in _names(select_checkpoints([parent, child]))


def test_apply_deletes_the_files_and_reports_bytes(tmp_path: Path) -> None:
    done = _run(tmp_path, "completed")
    cleanup = StorageCleanup(lambda: [done], lambda: [], video_library=None)
    preview = cleanup.run({"checkpoints": True, "dry_run": True}).to_dict()
    assert preview["count"] == 3 and preview["total_bytes"] == 600 and preview["freed_bytes"] == 0
    assert len(list((Path(done.run_dir) / "checkpoints").iterdir())) == 3  # a preview deletes nothing
    result = cleanup.run({"checkpoints": True, "dry_run": False}).to_dict()
    assert result["freed_bytes"] == 600 and result["errors"] == []
    assert list((Path(done.run_dir) / "checkpoints").iterdir()) == []
    assert (Path(done.run_dir) / "model.zip").is_file()


def test_usage_by_category_sorted_biggest_first(tmp_path: Path) -> None:
    small = _run(tmp_path, "completed", model=False, checkpoints=1)
    big = _run(tmp_path, "completed")
    (Path(big.run_dir) / "videos").mkdir()
    (Path(big.run_dir) / "videos" / "clip.mp4").write_bytes(b"v" * 500)
    report = storage_report([small, big], tmp_path / "db.json", [tmp_path]).to_dict()
    first = report["runs"][0]
    assert first["experiment_id"] == big.id
    assert (first["models"], first["checkpoints"], first["videos"], first["other"]) == (1000, 600, 500, 3)
    assert report["totals"]["total"] == first["total"] + report["runs"][1]["total"]
    assert report["free_bytes"] > 0


@pytest.mark.parametrize(
    "body",
    [[], {"checkpoints": "yes"}, {"videos_older_than_days": -1}, {"videos_older_than_days": True}, {"wipe": True}],
)
def test_bad_requests(body) -> None:
    with pytest.raises(InvalidInput):
        parse_cleanup_request(body)


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    use_private_trash(tmp_path, monkeypatch)
    world = make_world(tmp_path)
    world.store.update(world.experiment.id, lambda e: setattr(e.metadata, "status", "completed"))
    return world


def test_old_videos_go_through_the_library_and_favourites_stay(world: World) -> None:
    old = world.add_video("old")
    favourite = world.add_video("favourite")
    fresh = world.add_video("fresh")
    long_ago = (datetime.now(timezone.utc) - timedelta(days=40)).isoformat()
    for video in (old, favourite):
        world.registry._videos.update(video.id, lambda v: setattr(v.metadata, "created", long_ago))
    world.library.update(favourite.id, {"favorite": True})
    cleanup = StorageCleanup(world.store.list, lambda: world.registry.list(VideoFilter()), world.library)

    preview = cleanup.run({"videos_older_than_days": 30, "dry_run": True}).to_dict()
    assert [f["video_id"] for f in preview["files"]] == [old.id]
    assert preview["total_bytes"] > 0
    with_favourites = cleanup.run({"videos_older_than_days": 30, "keep_favorites": False}).to_dict()
    assert {f["video_id"] for f in with_favourites["files"]} == {old.id, favourite.id}

    result = cleanup.run({"videos_older_than_days": 30, "dry_run": False}).to_dict()
    assert result["freed_bytes"] == preview["total_bytes"]
    assert not Path(old.path).exists() and Path(favourite.path).exists() and Path(fresh.path).exists()
    assert {v.id for v in world.registry.list(VideoFilter())} == {favourite.id, fresh.id}  # the record went too
