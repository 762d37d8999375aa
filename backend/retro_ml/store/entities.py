"""Entities the store returns: plain dataclasses mirroring the plan's `Experiment` shape."""

from __future__ import annotations

import re
import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

from retro_ml.errors import InvalidInput

ExperimentStatus = str  # one of STATUSES

# "pruned": a study's trial its study stopped early (services/studies); its model is saved, like "stopped"
STATUSES = ("queued", "running", "paused", "completed", "failed", "stopped", "interrupted", "pruned")
ACTIVE_STATUSES = frozenset({"queued", "running", "paused"})
FINISHED_STATUSES = frozenset({"completed", "failed", "stopped", "interrupted", "pruned"})

_ID_PATTERN = re.compile(r"^[a-f0-9]{12}$")


def new_experiment_id() -> str:
    return secrets.token_hex(6)


def new_session_id() -> str:
    """A short, human-friendly handle shown instead of a PID."""
    return "S-" + secrets.token_hex(3).upper()


def validate_experiment_id(ident: str) -> str:
    """Ids end up in file paths: reject anything that is not exactly our format."""
    if not isinstance(ident, str) or not _ID_PATTERN.match(ident):
        raise InvalidInput(f"'{ident}' is not a valid experiment id.", field="id")
    return ident


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Lineage:
    parent_experiment_id: str | None = None
    checkpoint_source: str | None = None
    start_timestep: int = 0  # the parent's num_timesteps this run continues from (0: a fresh run)
    # The parent's kept DQN replay memory this run loads (training/replay_memory.py), else None.
    replay_buffer_source: str | None = None
    # Ids of the runs continued from this one: the inverse of their `parent_experiment_id`
    # (built by migration 1→2; kept up to date by the experiment manager).
    children: list[str] = field(default_factory=list)
    # A study's trial (services/studies): its study and Optuna trial number; None for other runs
    study_id: str | None = None
    trial_number: int | None = None


@dataclass
class Artifacts:
    videos: list[dict[str, Any]] = field(default_factory=list)
    models: list[dict[str, Any]] = field(default_factory=list)
    logs: list[dict[str, Any]] = field(default_factory=list)
    # DQN's replay memory kept when the run ended: {"path", "size_bytes"}, else None.
    replay_buffer: dict[str, Any] | None = None


@dataclass
class Metadata:
    created: str = field(default_factory=utc_now)
    updated: str = field(default_factory=utc_now)
    started: str | None = None
    finished: str | None = None
    status: ExperimentStatus = "queued"
    status_message: str = ""
    tags: list[str] = field(default_factory=list)
    paused_seconds: float = 0.0


@dataclass
class Progress:
    timestep: int = 0
    total_timesteps: int = 0
    progress_pct: float = 0.0
    metrics: dict[str, Any] = field(default_factory=dict)


@dataclass
class Experiment:
    id: str
    name: str
    game: str
    env_id: str
    algorithm: str
    preset: str
    config: dict[str, Any]
    run_dir: str
    session_id: str = field(default_factory=new_session_id)
    lineage: Lineage = field(default_factory=Lineage)
    artifacts: Artifacts = field(default_factory=Artifacts)
    metadata: Metadata = field(default_factory=Metadata)
    progress: Progress = field(default_factory=Progress)
    final_metrics: dict[str, Any] | None = None

    @property
    def status(self) -> ExperimentStatus:
        return self.metadata.status

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Experiment:
        values = dict(data)
        values["lineage"] = Lineage(**values.get("lineage", {}))
        values["artifacts"] = Artifacts(**values.get("artifacts", {}))
        values["metadata"] = Metadata(**values.get("metadata", {}))
        values["progress"] = Progress(**values.get("progress", {}))
        return cls(**values)


@dataclass
class VideoMetadata:
    duration: float = 0.0
    size_mb: float = 0.0
    created: str = field(default_factory=utc_now)
    tags: list[str] = field(default_factory=list)
    thumbnail_path: str | None = None
    width: int = 0
    height: int = 0
    frames: int = 0
    timestep: int = 0
    milestone_pct: float | None = None
    favorite: bool = False
    # The long video is listed part by part while it is recorded (segment 1, 2, ...); the
    # joined video (segment None) replaces its parts when the run ends.
    segment: int | None = None
    target_seconds: float | None = None
    # The joined long video: `[[first, last], ...]` training steps of each stretch filmed, in
    # video order (the worker's `sampled_timesteps`); None for other videos and older records.
    sampled_timesteps: list[list[int]] | None = None


@dataclass
class VideoMetrics:
    avg_score: float | None = None
    max_score: float | None = None
    episode_count: int = 0
    scores: list[float] = field(default_factory=list)


@dataclass
class VideoArtifact:
    """A finished video file, linked to its experiment (the plan's `VideoArtifact`)."""

    id: str
    experiment_id: str
    name: str
    path: str
    type: str
    metadata: VideoMetadata = field(default_factory=VideoMetadata)
    metrics: VideoMetrics = field(default_factory=VideoMetrics)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VideoArtifact:
        values = dict(data)
        values["metadata"] = VideoMetadata(**values.get("metadata", {}))
        values["metrics"] = VideoMetrics(**values.get("metrics", {}))
        return cls(**values)


MODEL_KINDS = ("final", "checkpoint", "imported")


@dataclass
class ModelEvaluation:
    """N games of one model version on fixed seeds (services/models): the scores and their summary."""

    mean_score: float
    std_score: float
    max_score: float
    min_score: float
    episodes: int
    seed: int
    scores: list[float] = field(default_factory=list)  # every game's score, in play order
    lengths: list[int] = field(default_factory=list)  # every game's length in agent steps
    video_id: str | None = None  # the best game's VideoArtifact (type "evaluation"), if recorded
    evaluated: str = field(default_factory=utc_now)


@dataclass
class ModelVersion:
    """One trained agent: a run's final model, one of its kept checkpoints, or an imported model."""

    id: str
    experiment_id: str
    kind: str  # one of MODEL_KINDS
    game: str
    env_id: str
    algorithm: str
    num_timesteps: int
    path: str  # absolute path of the SB3 .zip
    size_bytes: int
    created: str
    evaluation: ModelEvaluation | None = None
    tags: list[str] = field(default_factory=list)
    name: str = ""  # its experiment's name, kept here for the list

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelVersion:
        values = dict(data)
        evaluation = values.get("evaluation")
        values["evaluation"] = ModelEvaluation(**evaluation) if evaluation else None
        return cls(**values)
