"""Renaming, tagging and deleting videos: real files, a real TinyDB file, the real OS trash (a private one)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from retro_ml.errors import AppError, Conflict, InvalidInput, NotFound
from retro_ml.store import TinyDBExperimentStore
from retro_ml.store.video_store import VideoArtifactStore
from tests.helpers.exports import World, make_world, use_private_trash


@pytest.fixture
def world(tmp_path: Path) -> World:
    return make_world(tmp_path)


@pytest.fixture
def private_trash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_private_trash(tmp_path, monkeypatch)


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_rename_moves_the_file_its_thumbnail_and_the_record_together(world: World) -> None:
    video = world.add_video("milestone_050")
    renamed = world.library.update(video.id, {"name": "First steps.mp4"})
    assert renamed.name == "First steps" and renamed.path == str(world.videos_dir / "First steps.mp4")
    assert renamed.metadata.thumbnail_path == str(world.videos_dir / "First steps.png")
    assert files_in(world.videos_dir) == ["First steps.mp4", "First steps.png"]
    assert world.registry.file_of(video.id) == (world.videos_dir / "First steps.mp4").resolve()
    [link] = world.store.get(world.experiment.id).artifacts.videos
    assert link == {"id": video.id, "type": "milestone", "path": renamed.path}
    # The record is on disk: a fresh store (a restarted app) reads the same.
    world.store.close()
    reopened = VideoArtifactStore(TinyDBExperimentStore(world.tmp / "data" / "db.json"))
    assert reopened.get(video.id).path == renamed.path


@pytest.mark.parametrize("bad", ["../x", "con", "", "x" * 300, "a/b"])
def test_a_bad_name_changes_nothing(world: World, bad: str) -> None:
    video = world.add_video("milestone_050")
    before = files_in(world.videos_dir)
    with pytest.raises(InvalidInput):
        world.library.update(video.id, {"name": bad, "favorite": True})
    assert files_in(world.videos_dir) == before and files_in(world.videos_dir.parent) == ["videos"]
    assert world.registry.get(video.id) == video  # favorite was not set either: all or nothing


def test_a_taken_name_is_a_conflict_and_a_case_change_is_not(world: World) -> None:
    first, second = world.add_video("milestone_050"), world.add_video("milestone_100", milestone_pct=100.0)
    world.library.rename(first.id, "Best")
    with pytest.raises(Conflict, match="'Best.mp4' already exists"):
        world.library.rename(second.id, "Best")
    assert world.registry.get(second.id).path.endswith("milestone_100.mp4")
    (world.videos_dir / "Other.png").write_bytes(b"someone else's picture")
    with pytest.raises(Conflict, match="'Other.png' already exists"):
        world.library.rename(second.id, "Other")  # the thumbnail's new name is taken: nothing moves
    assert (world.videos_dir / "milestone_100.mp4").is_file() and not (world.videos_dir / "Other.mp4").exists()
    assert world.library.rename(first.id, "BEST").path.endswith("BEST.mp4")
    assert "BEST.mp4" in files_in(world.videos_dir) and "Best.mp4" not in files_in(world.videos_dir)


def test_the_files_move_back_when_the_record_cannot_be_saved(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    video = world.add_video("milestone_050")

    def disk_full(_fd: int) -> None:  # the database's journal record cannot be made durable
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(AppError) as caught:
        world.library.rename(video.id, "Never")
    monkeypatch.undo()
    assert caught.value.status == 503 and "was not renamed" in caught.value.message
    assert files_in(world.videos_dir) == ["milestone_050.mp4", "milestone_050.png"]
    assert world.registry.get(video.id).path == video.path  # re-read from the file: unchanged


def test_two_concurrent_renames_of_one_video_leave_record_and_file_agreeing(world: World) -> None:
    video = world.add_video("milestone_050")
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def rename(name: str) -> None:
        barrier.wait()
        try:
            outcomes[name] = world.library.rename(video.id, name).name
        except AppError as error:
            outcomes[name] = error

    threads = [threading.Thread(target=rename, args=(name,)) for name in ("Alpha", "Beta")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = world.registry.get(video.id)
    assert final.name in ("Alpha", "Beta")  # the later one wins; both ran whole, one after the other
    assert files_in(world.videos_dir) == [f"{final.name}.mp4", f"{final.name}.png"]
    assert Path(final.path).is_file() and Path(final.metadata.thumbnail_path or "").is_file()


def test_two_videos_racing_for_one_name_one_wins(world: World) -> None:
    videos = [world.add_video(f"milestone_{n:03d}", milestone_pct=float(n)) for n in (10, 20, 30, 40)]
    barrier = threading.Barrier(len(videos))
    results: list[object] = []

    def rename(video_id: str) -> None:
        barrier.wait()
        try:
            results.append(world.library.rename(video_id, "Champion"))
        except Conflict as error:
            results.append(error)

    threads = [threading.Thread(target=rename, args=(v.id,)) for v in videos]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(not isinstance(r, Conflict) for r in results) == 1
    names = [world.registry.get(v.id).name for v in videos]
    assert names.count("Champion") == 1 and (world.videos_dir / "Champion.mp4").is_file()


def test_favorite_tags_and_batches(world: World, private_trash: Path) -> None:
    a, b = world.add_video("milestone_050"), world.add_video("milestone_100", milestone_pct=100.0)
    updated = world.library.update(a.id, {"favorite": True, "tags": ["best", " best ", "demo"]})
    assert updated.metadata.favorite and updated.metadata.tags == ["best", "demo"]
    results = world.library.batch({"ids": [a.id, b.id, "0123456789ab"], "action": "tag", "tags": ["keep"]})
    assert [r["ok"] for r in results] == [True, True, False]
    assert results[2]["error"]["code"] == "not_found"
    assert world.registry.get(b.id).metadata.tags[-1] == "keep" and world.registry.get(a.id).metadata.tags[-1] == "keep"
    world.library.batch({"ids": [a.id, b.id], "action": "untag", "tags": ["keep", "best"]})
    assert world.registry.get(a.id).metadata.tags == ["demo"]
    world.library.batch({"ids": [b.id], "action": "favorite"})
    assert world.registry.get(b.id).metadata.favorite
    world.library.batch({"ids": [a.id, b.id], "action": "unfavorite"})
    assert not world.registry.get(a.id).metadata.favorite
    for bad in ({"ids": [], "action": "tag"}, {"ids": [a.id], "action": "burn"}, {"ids": [a.id], "action": "tag"}):
        with pytest.raises(InvalidInput):
            world.library.batch(bad)
    results = world.library.batch({"ids": [a.id, b.id], "action": "delete"})
    assert [r["ok"] for r in results] == [True, True]
    assert files_in(world.videos_dir) == []
    assert sorted(p.name for p in (private_trash / "files").iterdir()) == [
        "milestone_050.mp4",
        "milestone_050.png",
        "milestone_100.mp4",
        "milestone_100.png",
    ]


def test_delete_sends_to_the_trash_and_forgets_the_record(world: World, private_trash: Path) -> None:
    video = world.add_video("milestone_050")
    world.library.delete(video.id)
    with pytest.raises(NotFound):
        world.registry.get(video.id)
    assert files_in(world.videos_dir) == []
    assert world.store.get(world.experiment.id).artifacts.videos == []
    assert (private_trash / "files" / "milestone_050.mp4").is_file()
    assert (private_trash / "info" / "milestone_050.mp4.trashinfo").is_file()  # restorable from the trash
    # A record whose file is already gone can still be deleted.
    gone = world.add_video("milestone_100", milestone_pct=100.0)
    Path(gone.path).unlink()
    world.library.delete(gone.id)
    with pytest.raises(NotFound):
        world.library.delete(gone.id)


def test_parts_of_a_long_video_being_recorded_stay_put(world: World) -> None:
    world.store.update(world.experiment.id, lambda e: setattr(e.metadata, "status", "running"))
    part = world.add_video("segment_0001", video_type="hour", segment=1, milestone_pct=None)
    with pytest.raises(Conflict, match="still being recorded"):
        world.library.rename(part.id, "Part one")
    with pytest.raises(Conflict, match="still being recorded"):
        world.library.delete(part.id)
    clip = world.add_video("milestone_050")
    assert world.library.rename(clip.id, "Clip while training").name == "Clip while training"
