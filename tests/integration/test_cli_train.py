"""`retro-ml train` in a terminal: alone, and handing the run to a running app."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.helpers.cli import run_cli
from tests.helpers.server import LiveServer, start_server
from tests.helpers.socket_events import RecordingClient


@pytest.mark.training
def test_train_in_terminal_then_the_app_lists_it(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    result = run_cli("train", "--game", "pong", "--timesteps", "2048", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "100.0%" in result.stdout and "2,048/2,048 steps" in result.stdout
    assert "Pong #1: completed" in result.stdout and "model.zip" in result.stdout
    assert not (data_dir / "server.json").exists()

    server = start_server(data_dir)
    try:
        [experiment] = requests.get(
            f"{server.base_url}/api/experiments", headers=server.auth_headers, timeout=10
        ).json()["experiments"]
        assert experiment["name"] == "Pong #1" and experiment["metadata"]["status"] == "completed"
        assert experiment["config"]["total_timesteps"] == 2048 and experiment["progress"]["timestep"] >= 2048
    finally:
        assert server.stop() == 0


@pytest.mark.training
def test_train_hands_the_run_to_the_running_app(live_server: LiveServer, socket_client: RecordingClient) -> None:
    result = run_cli("train", "--game", "breakout", "--timesteps", "2048", "--data-dir", str(live_server.data_dir))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "in the running app" in result.stdout and "Breakout #1: completed" in result.stdout
    [experiment] = requests.get(
        f"{live_server.base_url}/api/experiments", headers=live_server.auth_headers, timeout=10
    ).json()["experiments"]
    assert experiment["metadata"]["status"] == "completed"
    assert socket_client.of("training.progress", experiment["id"]), "the app's clients saw no live progress"


def test_train_rejects_an_unknown_game_clearly(tmp_path: Path) -> None:
    result = run_cli("train", "--game", "zelda", "--data-dir", str(tmp_path / "data"), timeout=60)
    assert result.returncode == 2
    assert "Unknown game 'zelda'" in result.stderr and "retro-ml games" in result.stderr


def test_games_lists_every_game() -> None:
    result = run_cli("games", timeout=60)
    assert result.returncode == 0 and "ALE/SpaceInvaders-v5" in result.stdout and "104 games" in result.stdout
