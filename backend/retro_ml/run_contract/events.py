"""The events the main process publishes on its bus and the Socket.IO bridge sends to every client.

Most stand for a worker report (reports.py): the main process turns each report it reads
into these, with paths made absolute. The others come from the main process itself
(`experiment.status` for queued/paused/interrupted..., `export.*`, `disk.space`,
`import.progress`). `live.*` are Socket.IO only: frames go to the watchers of one run, never
through the bus.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from retro_ml.run_contract.reports import ProgressMetrics, VideoFacts

TRAINING_PROGRESS = "training.progress"
TRAINING_COMPLETE = "training.complete"
VIDEO_GENERATED = "video.generated"
EXPERIMENT_STATUS = "experiment.status"
VIDEO_FAILED = "video.failed"
EXPORT_PROGRESS = "export.progress"
EXPORT_COMPLETE = "export.complete"
EXPORT_FAILED = "export.failed"
DISK_SPACE = "disk.space"
IMPORT_PROGRESS = "import.progress"
CHECKPOINT_SAVED = "checkpoint.saved"
MODELS_CHANGED = "models.changed"
MODEL_EXPORT_PROGRESS = "model.export.progress"
MODEL_EXPORT_COMPLETE = "model.export.complete"
MODEL_EXPORT_FAILED = "model.export.failed"
MODEL_EVALUATION_PROGRESS = "model.evaluation.progress"
MODEL_EVALUATION_COMPLETE = "model.evaluation.complete"
MODEL_EVALUATION_FAILED = "model.evaluation.failed"
MODEL_COMPARISON_PROGRESS = "model.comparison.progress"
MODEL_COMPARISON_COMPLETE = "model.comparison.complete"
MODEL_COMPARISON_FAILED = "model.comparison.failed"
STUDY_TRIAL_EVALUATION = "study.trial.evaluation"  # a trial's worker evaluated its policy
STUDY_TRIAL = "study.trial"  # a study's trial began, reported a value, or ended
STUDY_UPDATED = "study.updated"  # a study was created, or its status or counts changed
EVENT_TYPES = (
    TRAINING_PROGRESS,
    TRAINING_COMPLETE,
    VIDEO_GENERATED,
    EXPERIMENT_STATUS,
    VIDEO_FAILED,
    EXPORT_PROGRESS,
    EXPORT_COMPLETE,
    EXPORT_FAILED,
    DISK_SPACE,
    IMPORT_PROGRESS,
    CHECKPOINT_SAVED,
    MODELS_CHANGED,
    MODEL_EXPORT_PROGRESS,
    MODEL_EXPORT_COMPLETE,
    MODEL_EXPORT_FAILED,
    MODEL_EVALUATION_PROGRESS,
    MODEL_EVALUATION_COMPLETE,
    MODEL_EVALUATION_FAILED,
    MODEL_COMPARISON_PROGRESS,
    MODEL_COMPARISON_COMPLETE,
    MODEL_COMPARISON_FAILED,
    STUDY_TRIAL_EVALUATION,
    STUDY_TRIAL,
    STUDY_UPDATED,
)

# Socket.IO only, with an ack: client -> server; and the frames, server -> the room `live:<id>`.
LIVE_WATCH = "live.watch"
LIVE_UNWATCH = "live.unwatch"
LIVE_FRAME = "live.frame"
LIVE_ENDED = "live.ended"  # a watched model's player ended by itself (to the room `live:model:<id>`)


class TrainingProgressEvent(TypedDict):
    experiment_id: str
    timestep: int
    total_timesteps: int
    progress_pct: float
    metrics: ProgressMetrics


class TrainingCompleteEvent(TypedDict):
    """After the `experiment.status` that says `completed`."""

    experiment_id: str
    final_metrics: ProgressMetrics
    model_path: str | None  # absolute


class ExperimentStatusEvent(TypedDict):
    experiment_id: str
    status: str  # one of store.entities.STATUSES
    message: str
    device: NotRequired[str | None]  # running: what the worker trains on
    final_metrics: NotRequired[ProgressMetrics]  # completed, stopped, pruned
    model_path: NotRequired[str | None]  # completed, stopped, pruned: absolute
    timestep: NotRequired[int | None]  # completed, stopped, pruned
    paused_seconds: NotRequired[float]  # running again after a pause: paused in all


class VideoGeneratedEvent(VideoFacts):
    """Every key of VideoFacts is present (None when the report did not say)."""

    experiment_id: str
    video_path: str  # absolute
    video_type: str
    duration: float
    thumbnail: str | None  # absolute


class VideoFailedEvent(TypedDict):
    experiment_id: str
    video_type: str | None
    message: str
    timestep: int | None


class ExportEvent(TypedDict):
    """export.progress (at most 4 a second per job), export.complete, export.failed; the same for
    model.export.* (a model version's export job, services/models/export.py), model.evaluation.* and
    model.comparison.* (services/models/jobs.py; `.failed` also for a cancelled job, its status says so)."""

    job: dict[str, Any]


class DiskSpaceEvent(TypedDict):
    """The free space of the runs' disks crossed a Settings threshold (either way)."""

    level: str  # "ok", "low" (under low_disk_warning_mb) or "critical" (under low_disk_pause_mb)
    folder: str  # the folder with the least space
    free_mb: int
    warning_mb: int
    pause_mb: int
    message: str  # what it means and what to do; "" when ok
    paused: list[str]  # the runs paused just now for lack of space


class FrameInfo(TypedDict):
    width: int | None
    height: int | None
    timestep: NotRequired[int]  # from the frame's JPEG comment (LIVE_FRAME_TIMESTEP_PREFIX)
    score: NotRequired[float]  # a watched model's frames only (LIVE_FRAME_GAME_FIELDS)
    game: NotRequired[int]
    game_frame: NotRequired[int]


class LiveFrameEvent(FrameInfo):
    experiment_id: str
    jpeg: bytes  # a binary attachment: an ArrayBuffer in the browser


class ModelLiveFrameEvent(FrameInfo):
    """A frame of a model version playing for its watchers (room `live:model:<id>`)."""

    model_id: str
    jpeg: bytes


class LiveEndedEvent(TypedDict):
    """A watched model's player stopped by itself (it failed): `message` says why."""

    model_id: str
    message: str


class CheckpointSavedEvent(TypedDict):
    """A running worker saved `checkpoints/step_<N>.zip` (and may have pruned older ones)."""

    experiment_id: str
    timestep: int
    path: str  # absolute


class ModelsChangedEvent(TypedDict):
    """Model versions were added to or removed from the Models list (services/models)."""

    experiment_id: str | None
    added: list[str]  # model ids
    removed: list[str]


class TrialEvaluationEvent(TypedDict):
    """A `trial_evaluation` report of a study's trial (reports.TrialEvaluationReport)."""

    experiment_id: str
    index: int
    pct: float
    timestep: int
    mean_score: float
    scores: list[float]


class StudyUpdatedEvent(TypedDict):
    """`study`: what `GET /api/studies/<id>` answers as `study`, without `trials` (services/studies)."""

    study: dict[str, Any]


class StudyTrialEvent(TypedDict):
    """One trial of a study as `GET /api/studies/<id>` lists it in `trials`."""

    study_id: str
    trial: dict[str, Any]


EventPayload = (
    TrainingProgressEvent
    | TrainingCompleteEvent
    | ExperimentStatusEvent
    | VideoGeneratedEvent
    | VideoFailedEvent
    | ExportEvent
    | DiskSpaceEvent
    | CheckpointSavedEvent
    | ModelsChangedEvent
    | TrialEvaluationEvent
    | StudyUpdatedEvent
    | StudyTrialEvent
)


class ImportProgressEvent(TypedDict):
    """While `POST /api/experiments/import` searches a folder: about twice a second, and once at the end."""

    folder: str
    folders: int  # folders looked through so far
    files: int
    found: int  # importable models found so far
    done: bool  # the search has ended (the import itself follows)
