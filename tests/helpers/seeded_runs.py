"""A data folder with a finished run and one of its videos, written before the server starts
(through the store itself, as the app leaves them): for tests of what is done *to* runs and
videos (reveal, copy, delete, fuzzing) without training first."""

from __future__ import annotations

from pathlib import Path

from retro_ml.config import AppPaths
from retro_ml.store import Experiment, TinyDBExperimentStore
from retro_ml.store.entities import Metadata, VideoArtifact, new_experiment_id
from retro_ml.store.video_store import VideoArtifactStore


class Seeded:
    """A completed experiment with one milestone clip, written before the server starts."""

    def __init__(self, data_dir: Path, game: str = "breakout", env_id: str = "ALE/Breakout-v5") -> None:
        paths = AppPaths(data_dir)
        paths.ensure()
        self.data_dir = data_dir
        self.experiment_id = new_experiment_id()
        self.run_dir = paths.runs / self.experiment_id
        self.video_path = self.run_dir / "videos" / "Breakout #3, 50% · é.mp4"
        self.video_path.parent.mkdir(parents=True)
        self.video_path.write_bytes(b"\x00\x00\x00\x18ftypmp42")
        store = TinyDBExperimentStore(paths.database)
        store.create(
            Experiment(
                id=self.experiment_id,
                name=f"{game.replace('_', ' ').title()} #3",
                game=game,
                env_id=env_id,
                algorithm="ppo",
                preset="quick",
                config={},
                run_dir=str(self.run_dir),
                metadata=Metadata(status="completed"),
            )
        )
        self.video_id = new_experiment_id()
        VideoArtifactStore(store).create(
            VideoArtifact(
                self.video_id, self.experiment_id, "Breakout #3 · 50% milestone", str(self.video_path), "milestone"
            )
        )
        store.close()
