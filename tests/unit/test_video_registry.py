"""The video registry on a real bus, a real TinyDB file and a real encoded MP4."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retro_ml.errors import NotFound
from retro_ml.services.events import VIDEO_GENERATED, EventBus
from retro_ml.services.videos import VideoRegistry
from retro_ml.store import Experiment, TinyDBExperimentStore
from retro_ml.store.entities import new_experiment_id
from retro_ml.store.video_store import VideoArtifactStore, VideoFilter
from retro_ml.training.video import VideoWriter


def encode(path: Path, frames: int = 30) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with VideoWriter(path, width=160, height=210, fps=60) as writer:
        for i in range(frames):
            writer.write(np.full((210, 160, 3), i * 8 % 256, dtype=np.uint8))
    return path


@pytest.fixture
def setup(
    tmp_path: Path, store: TinyDBExperimentStore
) -> tuple[EventBus, TinyDBExperimentStore, VideoRegistry, Experiment]:
    bus = EventBus()
    registry = VideoRegistry(store, VideoArtifactStore(store), tmp_path, bus)
    experiment_id = new_experiment_id()
    experiment = store.create(
        Experiment(
            id=experiment_id,
            name="Pong #1",
            game="pong",
            env_id="ALE/Pong-v5",
            algorithm="ppo",
            preset="quick",
            config={"total_timesteps": 1000},
            run_dir=str(tmp_path / "runs" / experiment_id),
        )
    )
    return bus, store, registry, experiment


def event(experiment: Experiment, path: Path, pct: float = 50.0) -> dict[str, object]:
    return {
        "experiment_id": experiment.id,
        "video_path": str(path),
        "video_type": "milestone",
        "duration": 0.5,
        "milestone_pct": pct,
        "timestep": 512,
        "frames": 30,
        "width": 160,
        "height": 210,
        "score": -21.0,
        "episode_count": 1,
        "thumbnail": None,
        # as report_to_events passes them on: every field, None when the report has none
        "avg_score": None,
        "max_score": None,
        "best_score": None,
        "scores": None,
        "segment": None,
        "target_seconds": None,
    }


def test_a_reported_video_becomes_an_artifact_once(setup) -> None:  # type: ignore[no-untyped-def]
    bus, store, registry, experiment = setup
    clip = encode(Path(experiment.run_dir) / "videos" / "milestone_050.mp4")
    bus.publish(VIDEO_GENERATED, event(experiment, clip))
    bus.publish(VIDEO_GENERATED, event(experiment, clip))  # replayed after a restart
    [video] = registry.list(VideoFilter(experiment_id=experiment.id))
    assert video.name == "Pong #1 · 50% milestone" and video.type == "milestone"
    assert video.metadata.size_mb > 0 and video.metadata.tags == ["pong", "quick", "ppo", "best_score:-21"]
    assert video.metrics.max_score == -21.0 and video.metrics.episode_count == 1
    assert video.metrics.avg_score == -21.0
    assert registry.file_of(video.id) == clip.resolve()
    assert store.get(experiment.id).artifacts.videos == [{"id": video.id, "type": "milestone", "path": str(clip)}]
    assert registry.list(VideoFilter(game="pong")) == [video] and registry.list(VideoFilter(game="pong2")) == []
    assert registry.list(VideoFilter(type="hour")) == []

    registry.forget_experiment(experiment.id)
    assert registry.list(VideoFilter()) == []


def test_missing_files_and_files_outside_the_data_dir_are_never_served(setup, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    bus, _store, registry, experiment = setup
    bus.publish(VIDEO_GENERATED, event(experiment, Path(experiment.run_dir) / "videos" / "not-there.mp4"))
    assert registry.list(VideoFilter()) == []  # nothing half-written is ever listed
    outside = encode(tmp_path_factory.mktemp("elsewhere") / "clip.mp4")
    bus.publish(VIDEO_GENERATED, event(experiment, outside))
    [video] = registry.list(VideoFilter())
    with pytest.raises(NotFound):
        registry.file_of(video.id)
    with pytest.raises(NotFound):
        registry.file_of(video.id, thumbnail=True)


def test_the_joined_long_video_replaces_its_parts(setup) -> None:  # type: ignore[no-untyped-def]
    bus, store, registry, experiment = setup
    videos = Path(experiment.run_dir) / "videos"
    clip = encode(videos / "milestone_050.mp4")
    bus.publish(VIDEO_GENERATED, event(experiment, clip))
    for segment in (1, 2):
        part = encode(videos / "hour" / f"segment_{segment:04d}.mp4")
        bus.publish(
            VIDEO_GENERATED,
            {**event(experiment, part), "video_type": "hour", "milestone_pct": None, "segment": segment},
        )
    parts = registry.list(VideoFilter(type="hour"))
    assert sorted(p.name for p in parts) == ["Pong #1 · Watch it learn (part 1)", "Pong #1 · Watch it learn (part 2)"]
    assert {p.metadata.segment for p in parts} == {1, 2}

    joined = encode(videos / "watch_it_learn.mp4", frames=60)
    bus.publish(
        VIDEO_GENERATED,
        {
            **event(experiment, joined),
            "video_type": "hour",
            "milestone_pct": None,
            "target_seconds": 1.0,
            "scores": [-21.0, -20.0],
            "avg_score": -20.5,
            "max_score": -20.0,
            "episode_count": 2,
        },
    )
    [video] = registry.list(VideoFilter(type="hour"))
    assert video.name == "Pong #1 · Watch it learn" and video.metadata.segment is None
    assert video.metrics.scores == [-21.0, -20.0] and video.metrics.avg_score == -20.5
    assert video.metadata.target_seconds == 1.0 and "best_score:-20" in video.metadata.tags
    assert len(registry.list(VideoFilter(type="milestone"))) == 1  # other videos stay
    linked = [v["id"] for v in store.get(experiment.id).artifacts.videos]
    assert len(linked) == 2 and video.id in linked
