"""Continuing a run: the worker loads the parent's model.zip (`resume_from` in config.json).

Real workers, as in test_worker.py: the child counts its steps on from the parent's, its
reports carry absolute steps and its own progress, and a bad parent model fails readably.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.run_configs import PPO_TINY_CONFIG
from tests.helpers.worker_runs import (
    assert_finished_run,
    make_run_dir,
    read_events,
    read_metrics,
    reports_of,
    run_worker_to_end,
)

NO_CHECKPOINTS = {"checkpoint_every_pct": 0, "checkpoint_every_minutes": 0}


@pytest.mark.training
def test_continued_run_counts_on_from_the_parent_and_uses_its_own_settings(tmp_path: Path) -> None:
    from stable_baselines3 import PPO

    parent_config = {**PPO_TINY_CONFIG, **NO_CHECKPOINTS, "total_timesteps": 1024}
    parent = make_run_dir(tmp_path, "pong", "ALE/Pong-v5", "ppo", parent_config, experiment_id="parent")
    assert_finished_run(parent, run_worker_to_end(parent), "completed")
    parent_steps = PPO.load(parent / "model.zip", device="cpu").num_timesteps
    assert parent_steps >= 1024

    # The child changes the learning rate and its schedule: they must take effect.
    child_config = {
        **PPO_TINY_CONFIG,
        **NO_CHECKPOINTS,
        "total_timesteps": 1024,
        "learning_rate": 0.0001,
        "learning_rate_schedule": "constant",
    }
    resume_from = {"model_path": str(parent / "model.zip"), "num_timesteps": parent_steps}
    child = make_run_dir(
        tmp_path, "pong", "ALE/Pong-v5", "ppo", child_config, experiment_id="child", resume_from=resume_from
    )

    events = assert_finished_run(child, run_worker_to_end(child), "completed", start_timesteps=parent_steps)

    assert events[0]["total_timesteps"] == parent_steps + 1024
    progress = reports_of(events, "progress")
    assert progress[0]["timestep"] >= 1024
    assert progress[0]["progress_pct"] < 50
    assert all(report["total_timesteps"] == parent_steps + 1024 for report in progress)
    assert progress[-1]["progress_pct"] == 100.0
    assert events[-1]["timestep"] >= 2048
    assert PPO.load(child / "model.zip", device="cpu").num_timesteps >= 2048

    metrics = read_metrics(child)
    assert all(record["timestep"] > parent_steps for record in metrics)
    learning_rates = [record["values"].get("train/learning_rate") for record in metrics]
    learning_rates = [rate for rate in learning_rates if rate is not None]
    assert learning_rates and all(rate == pytest.approx(0.0001) for rate in learning_rates)


@pytest.mark.training
@pytest.mark.parametrize("problem", ["missing", "not_a_model"])
def test_a_bad_model_to_continue_from_fails_naming_the_file(tmp_path: Path, problem: str) -> None:
    model_path = tmp_path / "parent" / "broken_parent_model.zip"
    if problem == "not_a_model":
        model_path.parent.mkdir()
        model_path.write_bytes(b"this is not a zip archive")
    resume_from = {"model_path": str(model_path), "num_timesteps": 1024}
    run_dir = make_run_dir(tmp_path, "pong", "ALE/Pong-v5", "ppo", PPO_TINY_CONFIG, resume_from=resume_from)

    exit_code = run_worker_to_end(run_dir)

    assert exit_code == 1
    events = read_events(run_dir)
    failed = events[-1]
    assert failed["type"] == "failed", events
    assert "broken_parent_model.zip" in failed["message"]
    assert "\n" not in failed["message"]
    assert "Traceback" in failed["traceback"]
    assert not (run_dir / "model.zip").exists()
