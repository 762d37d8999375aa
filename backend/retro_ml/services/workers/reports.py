"""Reading a worker's `events.jsonl` as it grows, and turning reports into bus events.

Both shapes are fixed in retro_ml.run_contract. A report is read as a plain dict: a worker of
another version may leave keys out, so every converter below has a default for each; a report
of a kind nobody converts stands for no event.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, cast

from retro_ml.run_contract import (
    CHECKPOINT_SAVED,
    STUDY_TRIAL_EVALUATION,
    VIDEO_FACTS,
    WORKER_LOG,
    CheckpointSavedEvent,
    EventPayload,
    ExperimentStatusEvent,
    TrainingCompleteEvent,
    TrainingProgressEvent,
    TrialEvaluationEvent,
    VideoFacts,
    VideoFailedEvent,
    VideoGeneratedEvent,
)
from retro_ml.services.events import (
    EXPERIMENT_STATUS,
    TRAINING_COMPLETE,
    TRAINING_PROGRESS,
    VIDEO_FAILED,
    VIDEO_GENERATED,
)

log = logging.getLogger(__name__)

RawReport = Mapping[str, Any]  # one line of events.jsonl, as read
BusEvent = tuple[str, EventPayload]


class ReportTail:
    """Yields complete JSON lines appended to a file since the last call."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._offset = 0
        self._partial = b""

    def read_new(self) -> list[dict[str, Any]]:
        try:
            with self.path.open("rb") as handle:
                handle.seek(self._offset)
                chunk = handle.read()
        except FileNotFoundError:
            return []
        self._offset += len(chunk)
        lines = (self._partial + chunk).split(b"\n")
        self._partial = lines.pop()  # an unfinished last line waits for its newline
        reports = []
        for line in lines:
            if not line.strip():
                continue
            try:
                reports.append(json.loads(line))
            except json.JSONDecodeError:
                log.warning("skipping unreadable report line in %s: %r", self.path, line[:200])
        return reports


def report_to_events(experiment_id: str, run_dir: Path, report: RawReport) -> list[BusEvent]:
    """The bus events one worker report stands for (most reports map to one), paths made absolute."""
    kind = report.get("type")
    convert = _CONVERTERS.get(kind) if isinstance(kind, str) else None  # also for a malformed line
    return convert(experiment_id, run_dir, report) if convert is not None else []


def _started(experiment_id: str, run_dir: Path, report: RawReport) -> list[BusEvent]:
    message = f"Training on {str(report.get('device', 'cpu')).upper()}"
    status = ExperimentStatusEvent(
        experiment_id=experiment_id, status="running", message=message, device=report.get("device")
    )
    return [(EXPERIMENT_STATUS, status)]


def _progress(experiment_id: str, run_dir: Path, report: RawReport) -> list[BusEvent]:
    progress = TrainingProgressEvent(
        experiment_id=experiment_id,
        timestep=report.get("timestep", 0),
        total_timesteps=report.get("total_timesteps", 0),
        progress_pct=report.get("progress_pct", 0.0),
        metrics=report.get("metrics", {}),
    )
    return [(TRAINING_PROGRESS, progress)]


FINISHED_MESSAGES = {
    "completed": "Training complete",
    "stopped": "Stopped; the model was saved",
    "pruned": "Pruned by its study: its evaluations fell below the other trials' median; the model was saved",
}


def _finished(experiment_id: str, run_dir: Path, report: RawReport) -> list[BusEvent]:
    """`completed`, `stopped` or `pruned`: the status; `completed` also `training.complete`, after it."""
    completed = report["type"] == "completed"
    model_path = str(run_dir / report["model_path"]) if report.get("model_path") else None
    final = report.get("final_metrics", {})
    status = ExperimentStatusEvent(
        experiment_id=experiment_id,
        status=report["type"],
        message=FINISHED_MESSAGES[report["type"]],
        final_metrics=final,
        model_path=model_path,
        timestep=report.get("timestep"),
    )
    events: list[BusEvent] = [(EXPERIMENT_STATUS, status)]
    if completed:  # after the status, so whoever re-fetches on `training.complete` sees `completed`
        complete = TrainingCompleteEvent(experiment_id=experiment_id, final_metrics=final, model_path=model_path)
        events.append((TRAINING_COMPLETE, complete))
    return events


def _video(experiment_id: str, run_dir: Path, report: RawReport) -> list[BusEvent]:
    if not report.get("path"):
        return []
    thumbnail = report.get("thumbnail")
    facts = cast(VideoFacts, {key: report.get(key) for key in VIDEO_FACTS})
    video = VideoGeneratedEvent(
        experiment_id=experiment_id,
        video_path=str(run_dir / report["path"]),
        video_type=report.get("video_type", "milestone"),
        duration=report.get("duration", 0.0),
        thumbnail=str(run_dir / thumbnail) if thumbnail else None,
        **facts,
    )
    return [(VIDEO_GENERATED, video)]


def _video_failed(experiment_id: str, run_dir: Path, report: RawReport) -> list[BusEvent]:
    failure = VideoFailedEvent(
        experiment_id=experiment_id,
        video_type=report.get("video_type"),
        message=report.get("message") or f"A video could not be recorded (see {WORKER_LOG}).",
        timestep=report.get("timestep"),
    )
    return [(VIDEO_FAILED, failure)]


def _checkpoint(experiment_id: str, run_dir: Path, report: RawReport) -> list[BusEvent]:
    if not report.get("path"):
        return []
    saved = CheckpointSavedEvent(
        experiment_id=experiment_id, timestep=int(report.get("timestep") or 0), path=str(run_dir / report["path"])
    )
    return [(CHECKPOINT_SAVED, saved)]


def _trial_evaluation(experiment_id: str, run_dir: Path, report: RawReport) -> list[BusEvent]:
    scores = [float(score) for score in report.get("scores") or []]
    mean = report.get("mean_score")
    if mean is None and not scores:
        return []
    evaluation = TrialEvaluationEvent(
        experiment_id=experiment_id,
        index=int(report.get("index") or 0),
        pct=float(report.get("pct") or 0.0),
        timestep=int(report.get("timestep") or 0),
        mean_score=float(mean if mean is not None else sum(scores) / len(scores)),
        scores=scores,
    )
    return [(STUDY_TRIAL_EVALUATION, evaluation)]


def _failed(experiment_id: str, run_dir: Path, report: RawReport) -> list[BusEvent]:
    message = report.get("message") or f"Training failed (see {WORKER_LOG} in the run folder)."
    return [(EXPERIMENT_STATUS, ExperimentStatusEvent(experiment_id=experiment_id, status="failed", message=message))]


_CONVERTERS: dict[str, Callable[[str, Path, RawReport], list[BusEvent]]] = {
    "started": _started,
    "progress": _progress,
    "completed": _finished,
    "stopped": _finished,
    "pruned": _finished,
    "trial_evaluation": _trial_evaluation,
    "video": _video,
    "video_failed": _video_failed,
    "checkpoint": _checkpoint,
    "failed": _failed,
}
