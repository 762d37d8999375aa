"""A world for the video and export tests: real encoded clips, a real TinyDB, bus, registry and library."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from retro_ml.media import ffmpeg_exe
from retro_ml.services.events import EVENT_TYPES, VIDEO_GENERATED, EventBus
from retro_ml.services.videos import VideoLibrary, VideoRegistry
from retro_ml.store import Experiment, TinyDBExperimentStore
from retro_ml.store.entities import VideoArtifact, new_experiment_id
from retro_ml.store.video_store import VideoArtifactStore, VideoFilter
from retro_ml.training.video import VideoWriter


def encode_clip(path: Path, seconds: float, width: int = 160, height: int = 210, fps: int = 60) -> Path:
    """A real H.264 clip whose brightness ramps from black (first frame) to white (last frame)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = max(1, round(seconds * fps))
    frame = np.zeros((height, width, 3), dtype=np.uint8)
    with VideoWriter(path, width=width, height=height, fps=fps, preset="ultrafast") as writer:
        for i in range(frames):
            frame[:] = round(250 * i / max(1, frames - 1))
            frame[:, (i * 3) % width] = 128  # a moving line, so frames differ like a game's
            writer.write(frame)
    return path


def first_frame_brightness(path: Path) -> float:
    """The mean grey level of the centre (32×32) of a video's first frame, decoded by ffmpeg."""
    result = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(path), "-frames:v", "1", "-vf", "crop=32:32"]
        + ["-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True,
        check=True,
    )
    return float(np.frombuffer(result.stdout, dtype=np.uint8).mean())


@dataclass
class World:
    tmp: Path
    bus: EventBus
    store: TinyDBExperimentStore
    registry: VideoRegistry
    library: VideoLibrary
    experiment: Experiment
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def videos_dir(self) -> Path:
        return Path(self.experiment.run_dir) / "videos"

    def add_video(self, file_name: str, seconds: float = 0.5, **report: Any) -> VideoArtifact:
        """Encode a clip and its thumbnail in the run folder and report it like a worker does."""
        clip = encode_clip(self.videos_dir / f"{file_name}.mp4", seconds)
        thumbnail = clip.with_suffix(".png")
        thumbnail.write_bytes(b"\x89PNG\r\n\x1a\n" + file_name.encode())
        data: dict[str, Any] = {
            "experiment_id": self.experiment.id,
            "video_path": str(clip),
            "video_type": "milestone",
            "duration": seconds,
            "thumbnail": str(thumbnail),
            "timestep": 512,
            "milestone_pct": 50.0,
            "width": 160,
            "height": 210,
            "frames": round(seconds * 60),
            "score": 3.0,
            "episode_count": 1,
            **report,
        }
        self.bus.publish(VIDEO_GENERATED, data)
        [video] = [v for v in self.registry.list(VideoFilter()) if v.path == str(clip)]
        return video

    def of(self, name: str) -> list[dict[str, Any]]:
        return [data for event, data in self.events if event == name]


def make_world(tmp_path: Path, **experiment: Any) -> World:
    bus = EventBus()
    store = TinyDBExperimentStore(tmp_path / "data" / "db.json")
    registry = VideoRegistry(store, VideoArtifactStore(store), tmp_path / "data", bus)
    library = VideoLibrary(VideoArtifactStore(store), store)
    experiment_id = new_experiment_id()
    values: dict[str, Any] = {
        "id": experiment_id,
        "name": "Pong #1",
        "game": "pong",
        "env_id": "ALE/Pong-v5",
        "algorithm": "ppo",
        "preset": "quick",
        "config": {"total_timesteps": 1024, "frame_stack": 4},
        "run_dir": str(tmp_path / "data" / "runs" / experiment_id),
        **experiment,
    }
    record = store.create(Experiment(**values))
    world = World(tmp_path, bus, store, registry, library, record)
    for event_type in EVENT_TYPES:
        bus.subscribe(event_type, lambda t, d: world.events.append((t, d)))
    return world


def use_private_trash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """send2trash's freedesktop trash inside the test's folder, never the user's own; returns it."""
    home = tmp_path / "xdg"
    home.mkdir()
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    try:
        import send2trash.plat_other as freedesktop  # what Linux without gio uses

        monkeypatch.setattr(freedesktop, "XDG_DATA_HOME", os.fsencode(home))
        monkeypatch.setattr(freedesktop, "HOMETRASH_B", os.fsencode(home / "Trash"))
        monkeypatch.setattr(freedesktop, "HOMETRASH", str(home / "Trash"), raising=False)
    except ImportError:  # macOS / Windows: their own trash APIs
        pass
    return home / "Trash"
