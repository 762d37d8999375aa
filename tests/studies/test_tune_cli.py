"""`retro-ml tune` in a terminal: a tiny study with its progress bar, recorded for the app to list."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.api_client import call
from tests.helpers.cli import run_cli
from tests.helpers.server import start_server
from tests.studies.study_requests import TINY_TRIAL_CONFIG


@pytest.mark.training
def test_tune_runs_a_tiny_study_with_a_progress_bar(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    searched = ("n_steps", "batch_size", "n_epochs")  # in the default PPO search space
    settings = [f"--set={key}={value}" for key, value in TINY_TRIAL_CONFIG.items() if key not in searched]
    result = run_cli(
        "tune", "--game", "space_invaders", "--trials", "2", "--timesteps", "1024", "--study", "tiny",
        "--sampler", "random", "--pruner", "none", *settings, "--data-dir", str(data_dir),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "Study tiny: 2 trials of 1,024 steps, random sampler, none pruner" in out
    assert "[----------------------------] 0/2 trials" in out and "[############################] 2/2 trials" in out
    assert "Trial 0: complete, score" in out and "Trial 1: complete, score" in out
    assert "Study tiny: completed. Best: trial" in out
    assert not (data_dir / "server.json").exists()

    server = start_server(data_dir)  # the app lists the study and its trials' runs
    try:
        [study] = call(server, "GET", "/studies")["studies"]
        assert study["name"] == "tiny" and study["status"] == "completed" and study["counts"]["complete"] == 2
        runs = call(server, "GET", "/experiments")["experiments"]
        assert sorted(r["lineage"]["trial_number"] for r in runs) == [0, 1]
        assert {r["metadata"]["status"] for r in runs} == {"completed"}
    finally:
        assert server.stop() == 0


def test_tune_refuses_a_bad_budget_clearly(tmp_path: Path) -> None:
    result = run_cli("tune", "--game", "pong", "--trials", "0", "--timesteps", "5000", "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert "Error (n_trials): 'n_trials' must be between 1 and 1,000, got 0." in result.stderr
