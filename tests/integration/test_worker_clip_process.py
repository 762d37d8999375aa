"""Milestone clips and the evaluation beside training (training/clip_process.py), from a real worker.

This machine has 2 cores, where the worker records clips itself; RETRO_ML_CLIP_RECORDER forces
either way. Beside training: training keeps stepping while a clip is recorded, the files and
reports are those of a clip recorded in the worker, and no recorder outlives its worker (a stop,
kill -9). In the worker: the clip's seconds are not training time.
"""

from __future__ import annotations

import re
import signal
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from retro_ml.training.clip_process import CLIP_RECORDER_ENV
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
    worker_log,
)

CLIP_CONFIG: dict[str, Any] = {
    **PPO_TINY_CONFIG,
    **TINY_PPO,
    "checkpoint_every_pct": 0,
    "milestone_every_pct": 50,
    "milestone_max_seconds": 5,
    "progress_interval_seconds": 0.2,
}


def training_wall_and_active_seconds(events: list[dict[str, Any]]) -> tuple[float, float]:
    """(wall seconds, active seconds) from the first progress report to the last."""
    progress = reports_of(events, "progress")
    first, last = progress[0], progress[-1]
    return last["time"] - first["time"], last["metrics"]["elapsed_seconds"] - first["metrics"]["elapsed_seconds"]


def recorder_pid(run_dir: Path, timeout: float = WORKER_TIMEOUT_SECONDS) -> int:
    deadline = time.monotonic() + timeout
    while not (match := re.search(r"retro-ml clip recorder pid (\d+)", worker_log(run_dir))):
        assert time.monotonic() < deadline, worker_log(run_dir)
        time.sleep(0.1)
    return int(match.group(1))


def wait_for_a_clip_being_recorded(process: Any, run_dir: Path) -> None:
    """Until a milestone clip's video is being written (its hidden .part file exists)."""
    deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
    while not list((run_dir / "videos").glob(f".milestone_*{PARTIAL_SUFFIX}")):
        assert process.poll() is None, worker_log(run_dir)
        assert time.monotonic() < deadline, "no clip was recorded in time"
        time.sleep(0.05)


def long_run_with_a_clip_recorder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A run folder for a worker that trains long and records its clips (2 min at most) in a recorder."""
    monkeypatch.setenv(CLIP_RECORDER_ENV, "process")
    config = {**CLIP_CONFIG, **LONG_PPO, "milestone_every_pct": 0.25, "milestone_max_seconds": 120}
    return make_run_dir(tmp_path, "pong", "ALE/Pong-v5", "ppo", config)


def processes_of(tmp_path: Path) -> list[str]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if any(arg.startswith(str(tmp_path)) for arg in cmdline):
            found.append(" ".join(cmdline))
    return found


@pytest.mark.training
def test_clips_and_the_evaluation_are_recorded_beside_training(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CLIP_RECORDER_ENV, "process")
    run_dir = make_run_dir(tmp_path, "pong", "ALE/Pong-v5", "ppo", {**CLIP_CONFIG, "eval_episodes": 2})

    exit_code = run_worker_to_end(run_dir)

    assert exit_code == 0, worker_log(run_dir)
    assert "clip recorder process" in worker_log(run_dir)
    events = read_events(run_dir)
    assert events[-1]["type"] == "completed", [event["type"] for event in events]
    assert not reports_of(events, "video_failed"), worker_log(run_dir)
    videos = reports_of(events, "video")
    assert [(video["video_type"], video.get("milestone_pct")) for video in videos] == [
        ("milestone", 50),
        ("milestone", 100),
        ("evaluation", None),
    ]
    assert events.index(videos[-1]) == len(events) - 2  # the evaluation right before `completed`
    halfway = videos[0]
    assert halfway["timestep"] == 1024
    # Training went on while the 50% clip was recorded: progress past its step came before it.
    assert [
        report
        for report in reports_of(events, "progress")
        if report["timestep"] > halfway["timestep"] and report["time"] < halfway["time"]
    ], worker_log(run_dir)
    for video in videos[:2]:
        label = f"{video['milestone_pct']:03d}"
        assert video["path"] == f"videos/milestone_{label}.mp4"
        assert video["thumbnail"] == f"videos/milestone_{label}.png"
        assert video["episode_count"] == 1
        assert (video["width"], video["height"]) == (480, 630)
        assert video["frames"] == 300 and video["duration"] == pytest.approx(5.0)
        assert isinstance(video["score"], float)
    assert videos[1]["timestep"] == events[-1]["timestep"]
    evaluation = videos[2]
    assert evaluation["path"] == "videos/evaluation.mp4" and evaluation["episode_count"] == 2
    assert evaluation["score"] == evaluation["max_score"] == max(evaluation["scores"])
    for video in videos:
        info = probe(run_dir / video["path"])
        assert info["codec"] == "h264" and info["fps"] == pytest.approx(60.0)
        assert (run_dir / video["thumbnail"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # Nothing left behind: no temporary policy, no half-written file.
    assert sorted(path.name for path in (run_dir / "videos").iterdir()) == [
        "evaluation.mp4",
        "evaluation.png",
        "milestone_050.mp4",
        "milestone_050.png",
        "milestone_100.mp4",
        "milestone_100.png",
    ]
    # Training time is training's: saving the policy is the only pause a clip costs.
    wall, active = training_wall_and_active_seconds(events)
    assert wall - active < 1.5, (wall, active)


@pytest.mark.training
def test_a_clip_recorded_in_the_worker_is_not_training_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CLIP_RECORDER_ENV, "inline")
    # 20 s of Pong (1200 frames) takes seconds to play and record, with training paused.
    run_dir = make_run_dir(tmp_path, "pong", "ALE/Pong-v5", "ppo", {**CLIP_CONFIG, "milestone_max_seconds": 20})

    exit_code = run_worker_to_end(run_dir)

    assert exit_code == 0, worker_log(run_dir)
    assert "clip recorder process" not in worker_log(run_dir)
    events = read_events(run_dir)
    halfway = reports_of(events, "video")[0]
    assert halfway["milestone_pct"] == 50 and halfway["frames"] == 1200
    index = events.index(halfway)
    before = [event for event in events[:index] if event["type"] == "progress"][-1]
    after = [event for event in events[index:] if event["type"] == "progress"][0]
    clip_gap = after["time"] - before["time"]  # the clip, plus at most a report interval of training
    wall, active = training_wall_and_active_seconds(events)
    print(f"clip gap {clip_gap:.1f} s; training wall {wall:.1f} s, active {active:.1f} s")
    assert clip_gap > 2.0
    assert clip_gap - 1.0 <= wall - active <= clip_gap + 0.5, (clip_gap, wall, active)
    assert after["metrics"]["elapsed_seconds"] - before["metrics"]["elapsed_seconds"] < 1.0


@pytest.mark.training
def test_a_stop_during_a_clip_ends_the_recorder_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_dir = long_run_with_a_clip_recorder(tmp_path, monkeypatch)
    with running_worker(run_dir) as process:
        wait_for_a_clip_being_recorded(process, run_dir)
        exit_code = stop_and_wait(process, run_dir)

    assert exit_code == 0, worker_log(run_dir)
    events = read_events(run_dir)
    assert events[-1]["type"] == "stopped"
    assert not reports_of(events, "video_failed"), worker_log(run_dir)
    assert processes_of(tmp_path) == []
    leftovers = [path.name for path in (run_dir / "videos").iterdir() if path.name.startswith(".")]
    assert leftovers == [], leftovers


@pytest.mark.training
def test_the_recorder_ends_when_its_worker_is_killed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_dir = long_run_with_a_clip_recorder(tmp_path, monkeypatch)
    with running_worker(run_dir) as process:
        wait_for_a_clip_being_recorded(process, run_dir)
        recorder = psutil.Process(recorder_pid(run_dir))
        process.send_signal(signal.SIGKILL)
        process.wait()
        started = time.monotonic()
        recorder.wait(timeout=10)
        print(f"the recorder ended {time.monotonic() - started:.1f} s after its worker was killed")
    assert processes_of(tmp_path) == []


@pytest.mark.training
def test_the_recorder_waits_while_its_worker_is_paused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_dir = long_run_with_a_clip_recorder(tmp_path, monkeypatch)
    with running_worker(run_dir) as process:
        wait_for_a_clip_being_recorded(process, run_dir)
        recorder = psutil.Process(recorder_pid(run_dir))
        worker = psutil.Process(process.pid)
        worker.suspend()  # how the app pauses a run
        try:
            time.sleep(1.5)  # it notices within a second of game
            before = sum(recorder.cpu_times()[:2])
            time.sleep(2.0)
            busy = sum(recorder.cpu_times()[:2]) - before
        finally:
            worker.resume()
        assert busy < 0.2, f"the recorder used {busy:.2f} s of CPU while its worker was paused"
        exit_code = stop_and_wait(process, run_dir)
    assert exit_code == 0, worker_log(run_dir)
    assert processes_of(tmp_path) == []
