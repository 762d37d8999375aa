"""The training worker, run for real as `python -m retro_ml worker --run-dir DIR`.

Each test trains (or fails to) in a fresh run folder and checks the files the process
manager relies on: events.jsonl, metrics.jsonl, model.zip, worker.log (docs/CONTRACT.md).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.helpers.run_configs import DQN_TINY_CONFIG, PPO_TINY_CONFIG
from tests.helpers.worker_runs import (
    WORKER_TIMEOUT_SECONDS,
    assert_finished_run,
    make_run_dir,
    read_events,
    read_metrics,
    reports_of,
    run_worker_to_end,
    running_worker,
    stop_and_wait,
    wait_for_reports,
    worker_log,
)


@pytest.mark.training
def test_ppo_trains_reports_progress_and_saves_a_loadable_model(tmp_path: Path) -> None:
    from stable_baselines3 import PPO

    run_dir = make_run_dir(tmp_path, "pong", "ALE/Pong-v5", "ppo", PPO_TINY_CONFIG)

    events = assert_finished_run(run_dir, run_worker_to_end(run_dir), "completed")

    progress = [event for event in events if event["type"] == "progress"]
    assert progress, "no progress report"
    assert progress[-1]["progress_pct"] == 100.0
    assert progress[-1]["timestep"] >= 1024
    assert all(event["total_timesteps"] == 1024 for event in progress)
    assert events[0]["total_timesteps"] == 1024
    assert events[-1]["timestep"] >= 1024
    final_metrics = events[-1]["final_metrics"]
    assert final_metrics["fps"] > 0
    for sb3_key in ("loss", "policy_loss", "value_loss", "entropy_loss", "approx_kl", "learning_rate"):
        assert isinstance(final_metrics[sb3_key], float), sb3_key

    metrics = read_metrics(run_dir)
    assert any(key.startswith("train/") for record in metrics for key in record["values"])
    assert all({"timestep", "time", "values"} <= set(record) for record in metrics)

    model = PPO.load(run_dir / "model.zip", device="cpu")
    assert model.num_timesteps >= 1024


@pytest.mark.training
def test_dqn_trains_and_saves_a_loadable_model(tmp_path: Path) -> None:
    from stable_baselines3 import DQN

    run_dir = make_run_dir(tmp_path, "breakout", "ALE/Breakout-v5", "dqn", DQN_TINY_CONFIG)

    events = assert_finished_run(run_dir, run_worker_to_end(run_dir), "completed")

    assert events[-1]["timestep"] >= 600
    assert events[-2]["progress_pct"] == 100.0
    assert "exploration_rate" in events[-1]["final_metrics"]
    model = DQN.load(run_dir / "model.zip", device="cpu")
    assert model.num_timesteps >= 600


@pytest.mark.training
def test_stop_file_stops_training_and_keeps_the_model(tmp_path: Path) -> None:
    from stable_baselines3 import PPO

    config = {**PPO_TINY_CONFIG, "total_timesteps": 200_000}
    run_dir = make_run_dir(tmp_path, "pong", "ALE/Pong-v5", "ppo", config)
    with running_worker(run_dir) as process:
        deadline = time.monotonic() + WORKER_TIMEOUT_SECONDS
        while not any(event["type"] == "progress" for event in read_events(run_dir)):
            assert process.poll() is None, worker_log(run_dir)
            assert time.monotonic() < deadline, "no progress report in time"
            time.sleep(0.2)
        (run_dir / "STOP").touch()
        exit_code = process.wait(timeout=30)

    events = assert_finished_run(run_dir, exit_code, "stopped")
    assert events[-1]["timestep"] < 200_000
    model = PPO.load(run_dir / "model.zip", device="cpu")
    assert 0 < model.num_timesteps < 200_000


@pytest.mark.training
def test_unknown_game_fails_with_a_readable_message_and_a_traceback(tmp_path: Path) -> None:
    run_dir = make_run_dir(tmp_path, "nosuchgame", "ALE/NoSuchGame-v5", "ppo", PPO_TINY_CONFIG)

    exit_code = run_worker_to_end(run_dir)

    assert exit_code == 1
    events = read_events(run_dir)
    failed = events[-1]
    assert failed["type"] == "failed", events
    assert "NoSuchGame" in failed["message"]
    assert "retro-ml games" in failed["message"]
    assert "\n" not in failed["message"]
    assert "Traceback" in failed["traceback"]
    log = worker_log(run_dir)
    assert "Traceback (most recent call last)" in log
    assert "NameNotFound" in log
    assert not (run_dir / "model.zip").exists()


@pytest.mark.training
def test_periodic_checkpoints_keep_the_newest_and_tensorboard_gets_events(tmp_path: Path) -> None:
    from stable_baselines3 import PPO
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    config = {**PPO_TINY_CONFIG, "total_timesteps": 2048, "checkpoint_every_pct": 25, "keep_checkpoints": 2}
    run_dir = make_run_dir(tmp_path, "pong", "ALE/Pong-v5", "ppo", config)

    events = assert_finished_run(run_dir, run_worker_to_end(run_dir), "completed")

    # Due every 512 steps, checked as each 128-step rollout starts; the end is model.zip's.
    checkpoints = reports_of(events, "checkpoint")
    assert [report["timestep"] for report in checkpoints] == [512, 1024, 1536]
    assert all(report["path"] == f"checkpoints/step_{report['timestep']}.zip" for report in checkpoints)
    remaining = sorted((run_dir / "checkpoints").iterdir())
    assert [path.name for path in remaining] == ["step_1024.zip", "step_1536.zip"]  # no tmp files either
    assert not list(run_dir.glob("*.tmp*"))
    newest = PPO.load(run_dir / checkpoints[-1]["path"], device="cpu")
    assert newest.num_timesteps >= 1536

    event_files = list((run_dir / "tensorboard").rglob("events.out.tfevents.*"))
    assert event_files, "no TensorBoard events file"
    accumulator = EventAccumulator(str(event_files[0].parent))
    accumulator.Reload()
    assert "train/loss" in accumulator.Tags()["scalars"]
    steps = [event.step for event in accumulator.Scalars("time/fps")]
    assert steps and steps[-1] == 2048


@pytest.mark.training
def test_paused_time_is_left_out_of_elapsed_time(tmp_path: Path) -> None:
    import psutil

    config = {
        **PPO_TINY_CONFIG,
        "total_timesteps": 200_000,
        "progress_interval_seconds": 0.5,
        "checkpoint_every_pct": 0,
        "checkpoint_every_minutes": 0,
    }
    run_dir = make_run_dir(tmp_path, "pong", "ALE/Pong-v5", "ppo", config)
    with running_worker(run_dir) as process:
        before = wait_for_reports(process, run_dir, "progress", 2)[-1]
        worker = psutil.Process(process.pid)
        worker.suspend()
        paused_at = time.monotonic()
        time.sleep(4)
        paused_seconds = time.monotonic() - paused_at
        # As the process manager does: the total goes in (atomically) before the worker runs again.
        temporary = run_dir / "PAUSED_SECONDS.tmp"
        temporary.write_text(f"{paused_seconds:.3f}", encoding="utf-8")
        os.replace(temporary, run_dir / "PAUSED_SECONDS")
        worker.resume()
        count_before = len(reports_of(read_events(run_dir), "progress"))
        after = wait_for_reports(process, run_dir, "progress", count_before + 2)[count_before:]
        exit_code = stop_and_wait(process, run_dir)

    assert exit_code == 0, worker_log(run_dir)
    for report in after:
        wall = report["time"] - before["time"]
        active = report["metrics"]["elapsed_seconds"] - before["metrics"]["elapsed_seconds"]
        assert wall > paused_seconds
        assert active < wall - 3.0, (before, report)
        assert report["metrics"]["fps"] > 0
