"""Reading a worker's `events.jsonl` as it grows, and turning reports into bus events."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from retro_ml.services.events import (
    EXPERIMENT_STATUS,
    TRAINING_COMPLETE,
    TRAINING_PROGRESS,
    VIDEO_FAILED,
    VIDEO_GENERATED,
)

log = logging.getLogger(__name__)

TERMINAL_REPORTS = frozenset({"completed", "stopped", "failed"})
# What a `video` report may say about its file, passed on in `video.generated` (docs/CONTRACT.md).
VIDEO_REPORT_FIELDS = (
    "milestone_pct",
    "timestep",
    "frames",
    "width",
    "height",
    "score",
    "episode_count",
    "avg_score",
    "max_score",
    "scores",
    "best_score",
    "segment",
    "target_seconds",
    "sampled_timesteps",
)


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


def report_to_events(experiment_id: str, run_dir: Path, report: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The bus events one worker report stands for (most reports map to one)."""
    kind = report.get("type")
    if kind == "started":
        device = str(report.get("device", "cpu")).upper()
        return [
            (
                EXPERIMENT_STATUS,
                {
                    "experiment_id": experiment_id,
                    "status": "running",
                    "message": f"Training on {device}",
                    "device": report.get("device"),
                },
            )
        ]
    if kind == "progress":
        return [
            (
                TRAINING_PROGRESS,
                {
                    "experiment_id": experiment_id,
                    "timestep": report.get("timestep", 0),
                    "total_timesteps": report.get("total_timesteps", 0),
                    "progress_pct": report.get("progress_pct", 0.0),
                    "metrics": report.get("metrics", {}),
                },
            )
        ]
    if kind in ("completed", "stopped"):
        model_path = str(run_dir / report["model_path"]) if report.get("model_path") else None
        final = report.get("final_metrics", {})
        status = {
            "experiment_id": experiment_id,
            "status": kind,
            "message": "Training complete" if kind == "completed" else "Stopped; the model was saved",
            "final_metrics": final,
            "model_path": model_path,
            "timestep": report.get("timestep"),
        }
        events: list[tuple[str, dict[str, Any]]] = [(EXPERIMENT_STATUS, status)]
        if kind == "completed":
            # after the status, so whoever re-fetches on `training.complete` sees `completed`
            events.append(
                (
                    TRAINING_COMPLETE,
                    {
                        "experiment_id": experiment_id,
                        "final_metrics": final,
                        "model_path": model_path,
                    },
                )
            )
        return events
    if kind == "video" and report.get("path"):
        thumbnail = report.get("thumbnail")
        return [
            (
                VIDEO_GENERATED,
                {
                    "experiment_id": experiment_id,
                    "video_path": str(run_dir / report["path"]),
                    "video_type": report.get("video_type", "milestone"),
                    "duration": report.get("duration", 0.0),
                    "thumbnail": str(run_dir / thumbnail) if thumbnail else None,
                    **{k: report.get(k) for k in VIDEO_REPORT_FIELDS},
                },
            )
        ]
    if kind == "video_failed":
        return [
            (
                VIDEO_FAILED,
                {
                    "experiment_id": experiment_id,
                    "video_type": report.get("video_type"),
                    "message": report.get("message") or "A video could not be recorded (see worker.log).",
                    "timestep": report.get("timestep"),
                },
            )
        ]
    if kind == "failed":
        return [
            (
                EXPERIMENT_STATUS,
                {
                    "experiment_id": experiment_id,
                    "status": "failed",
                    "message": report.get("message") or "Training failed (see worker.log in the run folder).",
                },
            )
        ]
    return []
