"""The real server + real training workers on real ALE games, observed like the UI does."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
import requests

from tests.helpers.api_client import call, create, fetch, worker_processes
from tests.helpers.run_configs import LONG_PPO, TINY_DQN, TINY_PPO
from tests.helpers.server import LiveServer, start_server
from tests.helpers.socket_events import RecordingClient

pytestmark = pytest.mark.training


def test_ppo_trains_live_through_server_and_socket(live_server: LiveServer, socket_client: RecordingClient) -> None:
    experiment = create(live_server, game="pong", algorithm="ppo", preset="quick", config=TINY_PPO, tags=["ci"])
    assert experiment["metadata"]["status"] == "queued" and experiment["name"] == "Pong #1"
    assert experiment["config"]["n_steps"] == 64 and experiment["config"]["ent_coef"] == 0.01  # preset + overrides

    done = socket_client.wait_for("training.complete", lambda d: d["experiment_id"] == experiment["id"], 240)
    progress = socket_client.of("training.progress", experiment["id"])
    assert progress, "no training.progress event reached the socket client"
    steps = [p["timestep"] for p in progress]
    assert steps == sorted(steps) and steps[-1] >= 2048 and progress[-1]["progress_pct"] == 100.0
    assert set(progress[-1]["metrics"]) >= {"episodes", "mean_reward", "fps", "elapsed_seconds", "eta_seconds"}
    statuses = [d["status"] for d in socket_client.of("experiment.status", experiment["id"])]
    assert statuses == ["queued", "running", "completed"]

    stored = fetch(live_server, experiment["id"])
    assert stored["metadata"]["status"] == "completed" and stored["progress"]["timestep"] >= 2048
    assert stored["metadata"]["started"] and stored["metadata"]["finished"]
    [model] = stored["artifacts"]["models"]
    assert model["path"] == done["model_path"] and Path(model["path"]).is_file()
    listed = requests.get(
        f"{live_server.base_url}/api/experiments?status=completed&tag=ci", headers=live_server.auth_headers, timeout=10
    ).json()["experiments"]
    assert [e["id"] for e in listed] == [experiment["id"]]

    from stable_baselines3 import PPO

    model_obj = PPO.load(model["path"], device="cpu")
    assert model_obj.num_timesteps >= 2048 and model_obj.n_steps == 64

    # The main process stays light: it never loaded torch, gymnasium or ale-py.
    maps = Path(f"/proc/{live_server.process.pid}/maps").read_text()
    assert "libtorch" not in maps and "_ale_py" not in maps


def test_dqn_trains_through_server(live_server: LiveServer, socket_client: RecordingClient) -> None:
    experiment = create(live_server, game="breakout", algorithm="dqn", config=TINY_DQN)
    socket_client.wait_for("training.complete", lambda d: d["experiment_id"] == experiment["id"], 240)
    stored = fetch(live_server, experiment["id"])
    assert stored["metadata"]["status"] == "completed"
    from stable_baselines3 import DQN

    assert DQN.load(stored["artifacts"]["models"][0]["path"], device="cpu").num_timesteps >= 600


def test_stop_saves_the_model(live_server: LiveServer, socket_client: RecordingClient) -> None:
    experiment = create(live_server, game="pong", config=LONG_PPO)
    socket_client.wait_for("training.progress", lambda d: d["experiment_id"] == experiment["id"], 120)
    response = requests.post(
        f"{live_server.base_url}/api/experiments/{experiment['id']}/stop", headers=live_server.auth_headers, timeout=10
    )
    assert response.status_code == 202 and response.json()["experiment"]["metadata"]["status_message"] == "Stopping…"
    socket_client.wait_for(
        "experiment.status", lambda d: d["experiment_id"] == experiment["id"] and d["status"] == "stopped", 60
    )
    stored = fetch(live_server, experiment["id"])
    assert stored["metadata"]["status"] == "stopped" and 0 < stored["progress"]["timestep"] < 500_000
    assert Path(stored["artifacts"]["models"][0]["path"]).is_file()
    again = requests.post(
        f"{live_server.base_url}/api/experiments/{experiment['id']}/stop", headers=live_server.auth_headers, timeout=10
    )
    assert again.status_code == 409 and "not running" in again.json()["error"]["message"]


def test_killed_worker_marks_experiment_failed_with_reason(
    live_server: LiveServer, socket_client: RecordingClient
) -> None:
    experiment = create(live_server, game="pong", config=LONG_PPO)
    socket_client.wait_for("training.progress", lambda d: d["experiment_id"] == experiment["id"], 120)
    [worker] = worker_processes(live_server)
    worker.send_signal(signal.SIGKILL)
    failed = socket_client.wait_for(
        "experiment.status", lambda d: d["experiment_id"] == experiment["id"] and d["status"] == "failed", 30
    )
    assert "killed (SIGKILL)" in failed["message"]
    stored = fetch(live_server, experiment["id"])
    assert stored["metadata"]["status"] == "failed" and "SIGKILL" in stored["metadata"]["status_message"]


def test_worker_exception_is_reported_as_failed(live_server: LiveServer, socket_client: RecordingClient) -> None:
    # A setting the API accepts but this machine cannot honour: a 10M-frame replay buffer
    # needs ~560 GB, so SB3 fails to allocate it inside the worker.
    experiment = create(live_server, game="pong", algorithm="dqn", config={"buffer_size": 10_000_000})
    failed = socket_client.wait_for(
        "experiment.status",
        lambda d: d["experiment_id"] == experiment["id"] and d["status"] in ("failed", "completed"),
        120,
    )
    assert failed["status"] == "failed" and "memory" in failed["message"].lower()
    assert "Traceback" in (Path(fetch(live_server, experiment["id"])["run_dir"]) / "worker.log").read_text()


def test_server_killed_mid_run_reattaches_to_the_live_worker(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = start_server(data_dir, token="restart-token")
    client = RecordingClient()
    try:
        client.connect(server.base_url, auth={"token": server.token})
        experiment = create(server, game="pong", config=LONG_PPO)
        client.wait_for("training.progress", lambda d: d["experiment_id"] == experiment["id"], 120)
        [worker] = worker_processes(server)
        client.close()
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()
        assert worker.is_running()  # training goes on while the app is down

        restarted = start_server(data_dir, token="restart-token")
        try:
            again = RecordingClient()
            again.connect(restarted.base_url, auth={"token": restarted.token})
            assert fetch(restarted, experiment["id"])["metadata"]["status"] == "running"
            before = fetch(restarted, experiment["id"])["progress"]["timestep"]
            moved = again.wait_for(
                "training.progress", lambda d: d["experiment_id"] == experiment["id"] and d["timestep"] > before, 60
            )
            assert moved["timestep"] > before  # its progress flows again, to the new server's clients
            requests.post(
                f"{restarted.base_url}/api/experiments/{experiment['id']}/stop",
                headers=restarted.auth_headers,
                timeout=10,
            )
            again.wait_for(
                "experiment.status", lambda d: d["experiment_id"] == experiment["id"] and d["status"] == "stopped", 60
            )
            assert Path(fetch(restarted, experiment["id"])["run_dir"], "model.zip").is_file()
            again.close()
        finally:
            assert restarted.stop() == 0
    finally:
        client.close()
        if server.process.poll() is None:
            server.process.kill()


def test_server_and_worker_killed_restart_interrupted_then_continue_from_checkpoint(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = start_server(data_dir)
    try:
        # A checkpoint every 0.1% of 500k steps: every 500 steps.
        experiment = create(server, game="pong", config={**LONG_PPO, "checkpoint_every_pct": 0.1})
        checkpoints = Path(experiment["run_dir"]) / "checkpoints"
        deadline = time.monotonic() + 120

        def complete_checkpoints() -> list[Path]:  # only finished `step_<N>.zip` files
            return [p for p in checkpoints.glob("step_*.zip") if p.stem.removeprefix("step_").isdigit()]

        while not complete_checkpoints() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert complete_checkpoints(), "no checkpoint was written"
        [worker] = worker_processes(server)
        server.process.send_signal(signal.SIGKILL)
        worker.send_signal(signal.SIGKILL)
        server.process.wait()
        worker.wait(10)
    finally:
        if server.process.poll() is None:
            server.process.kill()
    restarted = start_server(data_dir)
    try:
        stored = fetch(restarted, experiment["id"])
        assert stored["metadata"]["status"] == "interrupted"
        assert "closed while this run was training" in stored["metadata"]["status_message"]
        assert not (Path(stored["run_dir"]) / "model.zip").exists()  # killed: only checkpoints remain

        client = RecordingClient()
        client.connect(restarted.base_url, auth={"token": restarted.token})
        child = call(
            restarted, "POST", f"/experiments/{experiment['id']}/continue", 201, json={"additional_timesteps": 1024}
        )["experiment"]
        source = Path(child["lineage"]["checkpoint_source"])
        assert source.parent == checkpoints and source.name.startswith("step_")
        start = int(source.stem.removeprefix("step_"))
        assert child["lineage"]["start_timestep"] == start
        client.wait_for("training.complete", lambda d: d["experiment_id"] == child["id"], 240)
        assert client.of("training.progress", child["id"])[0]["timestep"] >= start
        client.close()
    finally:
        assert restarted.stop() == 0
