"""How much a run will write, estimated before it starts, and the warning when it may not fit.

What a run writes that counts: its checkpoints (the newest `keep_checkpoints` stay, plus one
being saved) and its final model, each the size of a saved model; its milestone clips, the
evaluation clip and the long "watch it learn" video, at the megabytes per hour of video
measured on this machine's finished videos (a default before there are any). Logs and metrics
are small beside those. Sizes measured beat defaults: the last final model of the same
algorithm says what a model weighs here. A DQN run that keeps its replay memory writes it at
the end: obs and next obs for every frame of its buffer, however full (SB3 pickles the arrays).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from retro_ml.run_contract import free_bytes
from retro_ml.run_contract.disk import MEGABYTE, megabytes
from retro_ml.store.entities import Experiment, VideoArtifact

# A saved SB3 model with its optimizer, Nature CNN on 84×84×4 frames (measured: PPO 20 MB).
DEFAULT_MODEL_BYTES = {"ppo": 20 * MEGABYTE, "dqn": 27 * MEGABYTE}
DEFAULT_VIDEO_BYTES_PER_HOUR = 400 * MEGABYTE  # H.264 at the app's scale, before any video was measured
MILESTONE_DEFAULT_SECONDS = 120.0
EVALUATION_SECONDS = 120.0
LOGS_BYTES = 5 * MEGABYTE  # worker.log, events, metrics, TensorBoard: small, but not nothing
REPLAY_FRAME_BYTES = 2 * 4 * 84 * 84  # SB3's ReplayBuffer keeps each stacked frame and the next one


@dataclass(frozen=True)
class DiskEstimate:
    checkpoints: int
    models: int
    videos: int
    other: int
    replay_memory: int = 0

    @property
    def total(self) -> int:
        return self.checkpoints + self.models + self.videos + self.other + self.replay_memory

    def describe(self) -> str:
        parts = [
            (self.checkpoints, "checkpoints"),
            (self.models, "the model"),
            (self.videos, "videos"),
            (self.replay_memory, "replay memory"),
        ]
        return ", ".join(f"{megabytes(size)} MB {what}" for size, what in parts if size)


def model_bytes(algorithm: str, experiments: Iterable[Experiment]) -> int:
    """The newest final model of `algorithm` on this machine, else the default size."""
    for experiment in sorted(experiments, key=lambda e: e.metadata.created, reverse=True):
        if experiment.algorithm != algorithm:
            continue
        for model in experiment.artifacts.models:
            size = model.get("size_bytes")
            if model.get("kind") == "final" and isinstance(size, int) and size > 0:
                return size
    return DEFAULT_MODEL_BYTES.get(algorithm, max(DEFAULT_MODEL_BYTES.values()))


def video_bytes_per_hour(videos: Iterable[VideoArtifact]) -> float:
    """Megabytes per hour of the finished videos recorded here (at least a minute of them), else the default."""
    seconds = sum(v.metadata.duration for v in videos if v.metadata.size_mb > 0 and v.metadata.duration > 0)
    size = sum(v.metadata.size_mb * MEGABYTE for v in videos if v.metadata.size_mb > 0 and v.metadata.duration > 0)
    if seconds < 60:
        return DEFAULT_VIDEO_BYTES_PER_HOUR
    return size / seconds * 3600


def _number(config: dict[str, object], key: str, default: float) -> float:
    value = config.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def estimate(experiment: Experiment, model_size: int, video_per_hour: float) -> DiskEstimate:
    config = experiment.config
    every_pct = _number(config, "checkpoint_every_pct", 10)
    every_minutes = _number(config, "checkpoint_every_minutes", 15)
    keep = max(1, int(_number(config, "keep_checkpoints", 3)))
    saved = keep + 1 if every_pct > 0 or every_minutes > 0 else 0  # the kept ones and the one being written
    if every_pct > 0 and every_minutes <= 0:
        saved = min(saved, math.floor(100 / every_pct))
    milestone_pct = _number(config, "milestone_every_pct", 10)
    clips = math.floor(100 / milestone_pct) + 1 if milestone_pct > 0 else 0
    clip_seconds = clips * _number(config, "milestone_max_seconds", MILESTONE_DEFAULT_SECONDS)
    evaluation_seconds = EVALUATION_SECONDS if _number(config, "eval_episodes", 0) > 0 else 0.0
    # The long video's parts, then the joined copy beside them until they are removed.
    long_seconds = 2 * _number(config, "video_length_hours", 0) * 3600
    video_seconds = clip_seconds + evaluation_seconds + long_seconds
    frames = 0
    if experiment.algorithm == "dqn" and config.get("keep_replay_buffer", "yes") == "yes":
        frames = int(_number(config, "buffer_size", 0))  # saved whole, however full
    return DiskEstimate(
        checkpoints=saved * model_size,
        models=model_size,
        videos=int(video_seconds / 3600 * video_per_hour),
        other=LOGS_BYTES,
        replay_memory=frames * REPLAY_FRAME_BYTES,
    )


def disk_warning(
    experiment: Experiment, experiments: Iterable[Experiment], videos: Iterable[VideoArtifact] = ()
) -> str | None:
    """A warning when the run's estimated files exceed the free space of its folder, else None."""
    folder = Path(experiment.run_dir)
    free = free_bytes(folder)
    if free is None:
        return None
    needed = estimate(experiment, model_bytes(experiment.algorithm, experiments), video_bytes_per_hour(list(videos)))
    if needed.total <= free:
        return None
    return (
        f"This run may need about {megabytes(needed.total)} MB ({needed.describe()}) but only "
        f"{megabytes(free)} MB is free in {folder.parent}: free space, or turn down checkpoints and videos, "
        "before it fills the disk."
    )
