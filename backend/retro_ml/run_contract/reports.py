"""The worker's reports: what each line of a run folder's events.jsonl holds.

The worker appends one report a line (training/reporting.py stamps `time`, unix seconds, and
makes the values JSON-safe); the main process tails the file and turns every report into bus
events (events.py). Readers get plain dicts and must take them as they come: a line of an
unknown kind is skipped, a missing key has a default. These types say what a worker writes.
Timesteps are the model's own count: a continued run reports absolute steps.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict, get_args

ReportKind = Literal[
    "started",
    "progress",
    "checkpoint",
    "video",
    "video_failed",
    "trial_evaluation",
    "completed",
    "stopped",
    "pruned",
    "failed",
]
# The last report of a worker: after one of these it exits.
TERMINAL_REPORTS: frozenset[ReportKind] = frozenset({"completed", "stopped", "pruned", "failed"})

# "comparison": the main process's model comparison (services/models/jobs.py), never a worker report.
VideoType = Literal["milestone", "hour", "evaluation", "comparison"]
VIDEO_TYPES: tuple[VideoType, ...] = get_args(VideoType)


class ProgressMetrics(TypedDict, total=False):
    """A progress report's `metrics` (and a final report's `final_metrics`); None: not known yet."""

    episodes: int
    mean_reward: float | None  # the last 100 episodes' real, unclipped game score
    best_reward: float | None
    last_reward: float | None
    mean_episode_length: float | None
    fps: float | None  # steps a second over this run's part, paused time left out
    elapsed_seconds: float
    eta_seconds: float | None
    # From SB3's logger, once it logged them:
    loss: float | None
    policy_loss: float | None
    value_loss: float | None
    entropy_loss: float | None
    approx_kl: float | None
    clip_fraction: float | None
    explained_variance: float | None
    learning_rate: float | None
    exploration_rate: float | None


class _Stamped(TypedDict):
    time: NotRequired[float]  # on every line in the file; the writer adds it


class StartedReport(_Stamped):
    type: Literal["started"]
    pid: int
    device: str  # what torch trains on: "cpu", "cuda"
    total_timesteps: int  # where this run ends: num_timesteps + the steps asked for
    num_timesteps: int  # where it starts: 0, or the parent's steps for a continued run


class ProgressReport(_Stamped):
    """At most once per `progress_interval_seconds`, and once when training ends."""

    type: Literal["progress"]
    timestep: int
    total_timesteps: int
    progress_pct: float  # of this run's part only
    metrics: ProgressMetrics


class CheckpointReport(_Stamped):
    type: Literal["checkpoint"]
    timestep: int
    path: str  # checkpoints/step_<N>.zip, relative to the run folder


class VideoFacts(TypedDict, total=False):
    """What a `video` report may say about its file; `video.generated` passes on every key (None if absent)."""

    milestone_pct: int | float | None
    timestep: int | None
    frames: int | None
    width: int | None
    height: int | None
    score: float | None  # what the recorded game scored
    episode_count: int | None
    avg_score: float | None
    max_score: float | None
    scores: list[float] | None  # every game's real score, in play order
    best_score: float | None
    segment: int | None  # a part of the long video; absent for the joined one
    target_seconds: float | None  # the long video's length asked for
    sampled_timesteps: list[list[int]] | None  # the joined long video: [first, last] step of each stretch filmed


VIDEO_FACTS: tuple[str, ...] = tuple(VideoFacts.__annotations__)


class VideoReport(VideoFacts, _Stamped):
    """A finished, playable video (names.py says where each type goes)."""

    type: Literal["video"]
    video_type: VideoType
    path: str  # relative to the run folder
    thumbnail: str | None  # the PNG, relative to the run folder
    duration: float  # seconds
    segments_joined: NotRequired[int]  # the joined long video: how many parts


class VideoFailedReport(_Stamped):
    """A video could not be recorded: it is skipped, training goes on."""

    type: Literal["video_failed"]
    video_type: VideoType
    message: str
    timestep: int
    milestone_pct: NotRequired[int | float]


class TrialEvaluationReport(_Stamped):
    """A study's trial (config `trial_eval_every_pct` > 0): a few games of the current policy.

    Played at every `trial_eval_every_pct` percent of the run (when a rollout starts) and once at
    the end of a completed run, without video, deterministic actions, on the same env seeds in
    every trial (`training/trial_evaluation.py`), so trials compare like with like.
    """

    type: Literal["trial_evaluation"]
    index: int  # 1, 2, ...: the k-th evaluation of this run, at k × trial_eval_every_pct percent (the last: 100)
    pct: float  # the percent of the run it stands for
    timestep: int
    mean_score: float
    scores: list[float]  # every game's real, unclipped score, in play order


class FinishedReport(_Stamped):
    """`completed`, or `stopped` when asked to (STOP file, SIGTERM), or `pruned` when its study
    pruned it (PRUNE file): the model is saved either way."""

    type: Literal["completed", "stopped", "pruned"]
    timestep: int
    model_path: str  # names.MODEL_FILE, relative to the run folder
    final_metrics: ProgressMetrics


class FailedReport(_Stamped):
    type: Literal["failed"]
    message: str  # one line a user can act on
    traceback: str


Report = (
    StartedReport
    | ProgressReport
    | CheckpointReport
    | VideoReport
    | VideoFailedReport
    | TrialEvaluationReport
    | FinishedReport
    | FailedReport
)
