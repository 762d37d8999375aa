"""Milestone clips from a real training worker: one episode of the policy at every N%, 60 fps H.264."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from retro_ml.training.video import PARTIAL_SUFFIX, probe
from tests.helpers.run_configs import PPO_TINY_CONFIG, TINY_PPO
from tests.helpers.worker_runs import make_run_dir, read_events, reports_of, run_worker_to_end, worker_log


@pytest.mark.training
def test_worker_records_milestone_clips_at_every_n_pct(tmp_path: Path) -> None:
    config = {
        **PPO_TINY_CONFIG,
        **TINY_PPO,
        "checkpoint_every_pct": 0,
        "milestone_every_pct": 50,
        "milestone_max_seconds": 2,
        "video_scale": 3,
    }
    run_dir = make_run_dir(tmp_path, "pong", "ALE/Pong-v5", "ppo", config)

    started = time.monotonic()
    exit_code = run_worker_to_end(run_dir)
    elapsed = time.monotonic() - started

    assert exit_code == 0, worker_log(run_dir)
    events = read_events(run_dir)
    assert events[-1]["type"] == "completed", [event["type"] for event in events]
    assert not reports_of(events, "video_failed"), worker_log(run_dir)
    videos = reports_of(events, "video")
    assert [video["milestone_pct"] for video in videos] == [50, 100], videos
    assert videos[0]["timestep"] == 1024
    assert videos[1]["timestep"] == events[-1]["timestep"] >= 2048
    for video in videos:
        label = f"{video['milestone_pct']:03d}"
        assert video["video_type"] == "milestone"
        assert video["path"] == f"videos/milestone_{label}.mp4"
        assert video["thumbnail"] == f"videos/milestone_{label}.png"
        assert video["episode_count"] == 1
        assert (video["width"], video["height"]) == (480, 630)
        assert video["frames"] == 120  # a Pong game lasts far longer than the 2 s cap
        assert video["duration"] == pytest.approx(2.0)
        assert isinstance(video["score"], float)
        info = probe(run_dir / video["path"])
        assert info["codec"] == "h264" and info["pix_fmt"] == "yuv420p"
        assert info["fps"] == pytest.approx(60.0)
        assert 0.5 < info["duration"] <= 2.05
        assert (info["width"], info["height"]) == (480, 630)
        thumbnail = run_dir / video["thumbnail"]
        assert thumbnail.is_file() and thumbnail.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The video report comes before the run's last report, and nothing half-written stays behind.
    assert events.index(videos[-1]) < len(events) - 1
    leftovers = [path.name for path in (run_dir / "videos").iterdir() if path.name.endswith((PARTIAL_SUFFIX, ".tmp"))]
    assert leftovers == []
    assert (run_dir / "model.zip").is_file()
    print(f"worker with 2 milestone clips took {elapsed:.1f} s")


@pytest.mark.training
def test_a_failed_clip_is_reported_and_training_goes_on(tmp_path: Path) -> None:
    config = {**PPO_TINY_CONFIG, **TINY_PPO, "checkpoint_every_pct": 0, "milestone_every_pct": 50}
    config["milestone_max_seconds"] = 1
    run_dir = make_run_dir(tmp_path, "pong", "ALE/Pong-v5", "ppo", config)
    (run_dir / "videos").write_text("a file where the videos folder should be", encoding="utf-8")

    exit_code = run_worker_to_end(run_dir)

    assert exit_code == 0, worker_log(run_dir)
    events = read_events(run_dir)
    assert events[-1]["type"] == "completed"
    assert not reports_of(events, "video")
    failed = reports_of(events, "video_failed")
    assert [report["milestone_pct"] for report in failed] == [50, 100]
    assert all("Milestone clip at" in report["message"] for report in failed)
    assert worker_log(run_dir).count("warning: Milestone clip at") == 2
    assert (run_dir / "model.zip").is_file()
