"""Continuing a DQN run keeps its replay memory (real server, real DQN workers on Pong)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.api_client import call, create, fetch
from tests.helpers.run_configs import TINY_DQN
from tests.helpers.server import LiveServer
from tests.helpers.socket_events import RecordingClient
from tests.helpers.worker_runs import read_metrics

pytestmark = pytest.mark.training

# learning_starts 500 of 600 steps: a continuation that refills an empty memory would wait 500
# more steps before its first update; one that keeps the memory learns from its first steps.
PARENT = {
    **TINY_DQN,
    "learning_starts": 500,
    "checkpoint_every_pct": 0,
    "checkpoint_every_minutes": 0,
    "eval_episodes": 0,
}
MORE_STEPS = 400


def finish(live_server: LiveServer, socket_client: RecordingClient, experiment_id: str) -> dict:
    socket_client.wait_for("training.complete", lambda d: d["experiment_id"] == experiment_id, 240)
    experiment = fetch(live_server, experiment_id)
    assert experiment["metadata"]["status"] == "completed", experiment["metadata"]
    return experiment


def updates(run_dir: str) -> list[int]:
    """SB3's `train/n_updates` as the run logged it."""
    values = [record["values"].get("train/n_updates") for record in read_metrics(Path(run_dir))]
    return [int(value) for value in values if value is not None]


def test_a_dqn_continuation_keeps_the_replay_memory_unless_told_not_to(
    live_server: LiveServer, socket_client: RecordingClient
) -> None:
    parent = create(live_server, game="pong", algorithm="dqn", config=PARENT)
    assert parent["config"]["keep_replay_buffer"] == "yes"
    parent = finish(live_server, socket_client, parent["id"])
    memory = parent["artifacts"]["replay_buffer"]
    # The whole buffer is saved: 1,000 frames of 4×84×84 twice (obs and next obs).
    assert memory["path"] == str(Path(parent["run_dir"]) / "replay_buffer.pkl")
    assert memory["size_bytes"] >= 1000 * 2 * 4 * 84 * 84
    assert not list(Path(parent["run_dir"]).glob(".replay_buffer*"))  # no temporary file left

    kept = call(
        live_server, "POST", f"/experiments/{parent['id']}/continue", 201, json={"additional_timesteps": MORE_STEPS}
    )["experiment"]
    assert kept["lineage"]["replay_buffer_source"] == memory["path"]
    kept = finish(live_server, socket_client, kept["id"])
    log = (Path(kept["run_dir"]) / "worker.log").read_text()
    assert "replay memory loaded: 600 frames" in log  # what the parent had stored of its 1,000

    dropped = call(
        live_server,
        "POST",
        f"/experiments/{parent['id']}/continue",
        201,
        json={"additional_timesteps": MORE_STEPS, "keep_replay_buffer": False},
    )["experiment"]
    assert dropped["lineage"]["replay_buffer_source"] is None
    dropped = finish(live_server, socket_client, dropped["id"])
    assert "replay memory loaded" not in (Path(dropped["run_dir"]) / "worker.log").read_text()

    # With its memory the continuation trains from its first steps (about one update per 4
    # steps); refilling an empty one it waits past its 400 steps for learning_starts (500).
    parent_updates = max(updates(parent["run_dir"]))
    assert max(updates(kept["run_dir"])) - parent_updates >= MORE_STEPS // 4 - 10
    assert max(updates(dropped["run_dir"]), default=parent_updates) == parent_updates


def test_a_run_told_not_to_keep_it_saves_none_and_a_continuation_cannot_keep_it(
    live_server: LiveServer, socket_client: RecordingClient
) -> None:
    config = {**PARENT, "total_timesteps": 200, "learning_starts": 100, "keep_replay_buffer": "no"}
    parent = finish(live_server, socket_client, create(live_server, game="pong", algorithm="dqn", config=config)["id"])
    assert parent["artifacts"]["replay_buffer"] is None
    assert not list(Path(parent["run_dir"]).glob("*replay_buffer*"))
    path = f"/experiments/{parent['id']}/continue"
    refused = call(live_server, "POST", path, 400, json={"additional_timesteps": 1024, "keep_replay_buffer": True})
    assert refused["error"]["field"] == "keep_replay_buffer"
    assert "has no replay memory to keep" in refused["error"]["message"]
    bad = call(live_server, "POST", path, 400, json={"additional_timesteps": 1024, "keep_replay_buffer": "yes please"})
    assert bad["error"]["field"] == "keep_replay_buffer" and "true or false" in bad["error"]["message"]
