from __future__ import annotations

import json
from pathlib import Path

from retro_ml.services.workers.reports import ReportTail, report_to_events


def test_tail_returns_only_complete_new_lines(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    tail = ReportTail(path)
    assert tail.read_new() == []  # the worker has not created it yet
    with path.open("w") as handle:
        handle.write(json.dumps({"type": "started"}) + "\n" + '{"type": "prog')
    assert tail.read_new() == [{"type": "started"}]
    with path.open("a") as handle:
        handle.write('ress", "timestep": 8}\n')
    assert tail.read_new() == [{"type": "progress", "timestep": 8}]
    assert tail.read_new() == []


def test_completed_report_becomes_status_then_complete(tmp_path: Path) -> None:
    events = report_to_events(
        "abc",
        tmp_path,
        {"type": "completed", "timestep": 10, "model_path": "model.zip", "final_metrics": {"mean_reward": 3}},
    )
    assert [name for name, _ in events] == ["experiment.status", "training.complete"]
    assert events[0][1]["status"] == "completed"
    assert events[1][1] == {
        "experiment_id": "abc",
        "final_metrics": {"mean_reward": 3},
        "model_path": str(tmp_path / "model.zip"),
    }


def test_failed_report_carries_the_message(tmp_path: Path) -> None:
    [(name, data)] = report_to_events("abc", tmp_path, {"type": "failed", "message": "Unknown game"})
    assert name == "experiment.status" and data["status"] == "failed" and data["message"] == "Unknown game"


def test_a_failed_video_becomes_a_video_failed_event(tmp_path: Path) -> None:
    report = {"type": "video_failed", "video_type": "hour", "message": "ffmpeg died", "timestep": 512}
    [(name, data)] = report_to_events("abc", tmp_path, report)
    assert name == "video.failed"
    assert data == {"experiment_id": "abc", "video_type": "hour", "message": "ffmpeg died", "timestep": 512}


def test_a_milestone_clip_keeps_its_score_as_average_and_maximum(tmp_path: Path) -> None:
    report = {"type": "video", "video_type": "milestone", "path": "videos/m.mp4", "score": -20.0, "milestone_pct": 10}
    [(name, data)] = report_to_events("abc", tmp_path, report)
    assert name == "video.generated" and data["score"] == -20.0 and data["avg_score"] is None
