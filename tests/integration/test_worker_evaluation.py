"""The evaluation at the end of a completed run, from a real worker: N games, the best one on video."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from retro_ml.training.video import PARTIAL_SUFFIX, probe
from tests.helpers.run_configs import LONG_PPO, PPO_TINY_CONFIG, TINY_PPO
from tests.helpers.worker_runs import (
    WORKER_TIMEOUT_SECONDS,
    make_run_dir,
    read_events,
    reports_of,
    run_worker_to_end,
    running_worker,
    stop_and_wait,
    wait_for_reports,
    worker_log,
)

EVALUATION_CONFIG: dict[str, Any] = {
    **PPO_TINY_CONFIG,
    **TINY_PPO,
    "checkpoint_every_pct": 0,
    "eval_episodes": 3,
    "milestone_max_seconds": 2,
}


def evaluation_files(run_dir: Path) -> list[str]:
    videos = run_dir / "videos"
    return sorted(path.name for path in videos.iterdir()) if videos.is_dir() else []


@pytest.mark.training
def test_a_completed_run_records_the_best_of_its_evaluation_games(tmp_path: Path) -> None:
    run_dir = make_run_dir(tmp_path, "pong", "ALE/Pong-v5", "ppo", EVALUATION_CONFIG)

    started = time.monotonic()
    exit_code = run_worker_to_end(run_dir)
    elapsed = time.monotonic() - started

    assert exit_code == 0, worker_log(run_dir)
    events = read_events(run_dir)
    assert events[-1]["type"] == "completed", [event["type"] for event in events]
    assert not reports_of(events, "video_failed"), worker_log(run_dir)
    [video] = reports_of(events, "video")
    assert events.index(video) == len(events) - 2  # right before `completed`
    assert video["video_type"] == "evaluation"
    assert video["path"] == "videos/evaluation.mp4"
    assert video["thumbnail"] == "videos/evaluation.png"
    assert video["timestep"] == events[-1]["timestep"] >= 2048
    scores = video["scores"]
    assert len(scores) == 3 and all(isinstance(score, float) for score in scores)
    assert video["episode_count"] == 3
    assert video["max_score"] == video["best_score"] == max(scores)
    assert video["avg_score"] == pytest.approx(sum(scores) / 3)
    assert video["score"] == video["max_score"]  # the recorded replay is the best game again
    assert "warning" not in worker_log(run_dir)
    assert (video["width"], video["height"]) == (480, 630)
    assert video["frames"] == 120  # a Pong game lasts far longer than the 2 s cap
    assert video["duration"] == pytest.approx(2.0)
    info = probe(run_dir / video["path"])
    assert info["codec"] == "h264" and info["pix_fmt"] == "yuv420p"
    assert info["fps"] == pytest.approx(60.0)
    assert 0.5 < info["duration"] <= 2.05
    assert (info["width"], info["height"]) == (480, 630)
    assert (run_dir / video["thumbnail"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # Only the kept game is on disk: nothing half-written, no other game's file.
    assert evaluation_files(run_dir) == ["evaluation.mp4", "evaluation.png"]
    assert not any(name.endswith((PARTIAL_SUFFIX, ".tmp")) for name in evaluation_files(run_dir))
    print(f"worker with a 3-game evaluation took {elapsed:.1f} s")


@pytest.mark.training
@pytest.mark.parametrize("eval_episodes", [0, None], ids=["zero", "absent"])
def test_no_evaluation_when_eval_episodes_is_0_or_absent(tmp_path: Path, eval_episodes: int | None) -> None:
    config = {**EVALUATION_CONFIG, "total_timesteps": 1024, "eval_episodes": eval_episodes}
    if eval_episodes is None:
        del config["eval_episodes"]
    run_dir = make_run_dir(tmp_path, "pong", "ALE/Pong-v5", "ppo", config)

    exit_code = run_worker_to_end(run_dir)

    assert exit_code == 0, worker_log(run_dir)
    events = read_events(run_dir)
    assert events[-1]["type"] == "completed"
    assert not reports_of(events, "video") and not reports_of(events, "video_failed")
    assert evaluation_files(run_dir) == []
    assert "evaluation:" not in worker_log(run_dir)


@pytest.mark.training
def test_a_stopped_run_records_no_evaluation(tmp_path: Path) -> None:
    config = {**EVALUATION_CONFIG, **LONG_PPO, "eval_episodes": 3}
    run_dir = make_run_dir(tmp_path, "pong", "ALE/Pong-v5", "ppo", config)
    with running_worker(run_dir) as process:
        wait_for_reports(process, run_dir, "progress", 1)
        exit_code = stop_and_wait(process, run_dir)

    assert exit_code == 0, worker_log(run_dir)
    events = read_events(run_dir)
    assert events[-1]["type"] == "stopped"
    assert not reports_of(events, "video") and not reports_of(events, "video_failed")
    assert evaluation_files(run_dir) == []


@pytest.mark.training
def test_a_stop_during_the_evaluation_skips_it_and_the_run_still_completes(tmp_path: Path) -> None:
    # Whole games (up to 120 s of game time each): the evaluation lasts long enough to be stopped.
    config = {**EVALUATION_CONFIG, "milestone_max_seconds": 120}
    run_dir = make_run_dir(tmp_path, "pong", "ALE/Pong-v5", "ppo", config)
    with running_worker(run_dir) as process:
        deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
        while "evaluation: playing" not in worker_log(run_dir):
            assert process.poll() is None, worker_log(run_dir)
            assert time.monotonic() < deadline, "the evaluation did not start in time"
            time.sleep(0.05)
        exit_code = stop_and_wait(process, run_dir)

    assert exit_code == 0, worker_log(run_dir)
    events = read_events(run_dir)
    assert events[-1]["type"] == "completed"
    assert not reports_of(events, "video") and not reports_of(events, "video_failed")
    assert "evaluation skipped: the worker is stopping" in worker_log(run_dir)
    assert evaluation_files(run_dir) == []
    assert (run_dir / "model.zip").is_file()


@pytest.mark.training
def test_a_failed_evaluation_is_reported_and_the_run_still_completes(tmp_path: Path) -> None:
    run_dir = make_run_dir(tmp_path, "pong", "ALE/Pong-v5", "ppo", EVALUATION_CONFIG)
    (run_dir / "videos").write_text("a file where the videos folder should be", encoding="utf-8")

    exit_code = run_worker_to_end(run_dir)

    assert exit_code == 0, worker_log(run_dir)
    events = read_events(run_dir)
    assert events[-1]["type"] == "completed"
    assert not reports_of(events, "video")
    [failed] = reports_of(events, "video_failed")
    assert failed["video_type"] == "evaluation"
    assert failed["message"].startswith("Evaluation video failed: FileExistsError")
    assert failed["timestep"] == events[-1]["timestep"]
    assert worker_log(run_dir).count("warning: Evaluation video failed") == 1
    assert (run_dir / "model.zip").is_file()
