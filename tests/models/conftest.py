"""The evaluation and comparison tests' models: one server with three finished tiny runs, trained once
per session — a Breakout PPO run with two kept checkpoints, a Breakout DQN run and a Pong DQN run."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.helpers.api_client import call, create
from tests.helpers.run_configs import TINY_DQN, TINY_PPO
from tests.helpers.server import LiveServer, kill_workers_under, start_server
from tests.helpers.socket_events import RecordingClient

# Checkpoints every 25% of 2048 steps, the newest two kept: a final model and two checkpoints.
CHECKPOINTED_PPO = {**TINY_PPO, "checkpoint_every_pct": 25, "checkpoint_every_minutes": 0, "keep_checkpoints": 2}


@dataclass
class ModelLab:
    """The server, a Socket.IO recorder on it, and its versions by name."""

    server: LiveServer
    client: RecordingClient
    versions: dict[str, dict[str, Any]]


def train(server: LiveServer, client: RecordingClient, **payload: Any) -> list[dict[str, Any]]:
    """Run one tiny experiment to its end; its model versions, newest step first."""
    experiment = create(server, **payload)
    client.wait_for("training.complete", lambda d: d["experiment_id"] == experiment["id"], 300)
    client.wait_for("models.changed", lambda d: d["experiment_id"] == experiment["id"] and d["added"], 30)
    listed = call(server, "GET", f"/models?experiment_id={experiment['id']}&sort=num_timesteps")["models"]
    assert listed and listed[0]["kind"] == "final", listed
    return list(listed)


@pytest.fixture(scope="session")
def model_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModelLab]:
    data_dir = tmp_path_factory.mktemp("model-lab") / "data"
    server = start_server(data_dir)
    client = RecordingClient()
    client.connect(server.base_url, auth={"token": server.token})
    try:
        ppo = train(server, client, game="breakout", algorithm="ppo", config=CHECKPOINTED_PPO, name="Breakout PPO")
        dqn = train(server, client, game="breakout", algorithm="dqn", config=TINY_DQN, name="Breakout DQN")
        pong = train(server, client, game="pong", algorithm="dqn", config=TINY_DQN, name="Pong DQN")
        versions = {"ppo": ppo[0], "ppo_checkpoint": ppo[1], "ppo_old_checkpoint": ppo[2]}
        yield ModelLab(server, client, {**versions, "dqn": dqn[0], "pong": pong[0]})
    finally:
        client.close()
        assert server.stop() == 0, server.log_text()
        kill_workers_under(data_dir.parent)
