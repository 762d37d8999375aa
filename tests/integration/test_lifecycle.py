"""Pause/resume, stop → continue, retry, the run queue, edit and delete — on real runs."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import psutil
import pytest

from tests.helpers.api_client import call, create, fetch, status_of, worker_processes
from tests.helpers.run_configs import LONG_PPO, TINY_PPO
from tests.helpers.server import LiveServer
from tests.helpers.socket_events import RecordingClient

pytestmark = pytest.mark.training


def is_status(experiment_id: str, status: str):  # type: ignore[no-untyped-def]
    return lambda d: d["experiment_id"] == experiment_id and d["status"] == status


def test_pause_suspends_and_resume_continues(live_server: LiveServer, socket_client: RecordingClient) -> None:
    experiment = create(live_server, game="pong", config=LONG_PPO)
    socket_client.wait_for("training.progress", lambda d: d["experiment_id"] == experiment["id"], 120)
    paused = call(live_server, "POST", f"/experiments/{experiment['id']}/pause")["experiment"]
    assert paused["metadata"]["status"] == "paused"
    [worker] = worker_processes(live_server)
    # SIGSTOP is delivered asynchronously: on a loaded box the kernel can take a moment to stop every thread.
    deadline = time.monotonic() + 5
    while worker.status() != psutil.STATUS_STOPPED and time.monotonic() < deadline:
        time.sleep(0.05)
    assert worker.status() == psutil.STATUS_STOPPED
    seen = len(socket_client.of("training.progress", experiment["id"]))
    time.sleep(3)
    assert len(socket_client.of("training.progress", experiment["id"])) == seen  # nothing moves while paused
    assert call(live_server, "POST", f"/experiments/{experiment['id']}/pause", 409)["error"]["code"] == "conflict"

    resumed = call(live_server, "POST", f"/experiments/{experiment['id']}/resume")["experiment"]
    assert resumed["metadata"]["status"] == "running" and resumed["metadata"]["paused_seconds"] >= 3
    assert Path(experiment["run_dir"], "PAUSED_SECONDS").is_file()
    socket_client.wait_for(
        "training.progress",
        lambda d: (
            d["experiment_id"] == experiment["id"]
            and len(socket_client.of("training.progress", experiment["id"])) > seen
        ),
        60,
    )

    call(live_server, "POST", f"/experiments/{experiment['id']}/pause")
    call(live_server, "POST", f"/experiments/{experiment['id']}/stop", 202)  # stopping a paused run works too
    socket_client.wait_for("experiment.status", is_status(experiment["id"], "stopped"), 60)


def test_stop_then_continue_carries_on_from_the_saved_steps(
    live_server: LiveServer, socket_client: RecordingClient
) -> None:
    parent = create(live_server, game="pong", config=LONG_PPO)
    socket_client.wait_for("training.progress", lambda d: d["experiment_id"] == parent["id"] and d["timestep"] > 0, 120)
    call(live_server, "POST", f"/experiments/{parent['id']}/stop", 202)
    socket_client.wait_for("experiment.status", is_status(parent["id"], "stopped"), 60)
    reached = fetch(live_server, parent["id"])["progress"]["timestep"]
    assert reached > 0

    assert (
        call(live_server, "POST", f"/experiments/{parent['id']}/continue", 400, json={})["error"]["field"]
        == "additional_timesteps"
    )
    child = call(
        live_server, "POST", f"/experiments/{parent['id']}/continue", 201, json={"additional_timesteps": 1024}
    )["experiment"]
    assert child["lineage"]["parent_experiment_id"] == parent["id"]
    assert child["lineage"]["checkpoint_source"].endswith("model.zip")
    assert child["progress"]["total_timesteps"] == reached + 1024
    assert fetch(live_server, parent["id"])["lineage"]["children"] == [child["id"]]

    socket_client.wait_for("training.complete", lambda d: d["experiment_id"] == child["id"], 240)
    first = socket_client.of("training.progress", child["id"])[0]
    assert first["timestep"] >= reached  # no restart from zero
    from stable_baselines3 import PPO

    done = fetch(live_server, child["id"])
    assert PPO.load(done["artifacts"]["models"][0]["path"], device="cpu").num_timesteps >= reached + 1024
    assert done["progress"]["progress_pct"] == 100.0


def test_retry_reruns_a_failed_run_with_the_same_config(
    live_server: LiveServer, socket_client: RecordingClient
) -> None:
    failed = create(live_server, game="pong", config=LONG_PPO, tags=["mine"])
    socket_client.wait_for("training.progress", lambda d: d["experiment_id"] == failed["id"], 120)
    [worker] = worker_processes(live_server)
    worker.send_signal(signal.SIGKILL)
    socket_client.wait_for("experiment.status", is_status(failed["id"], "failed"), 30)

    retry = call(live_server, "POST", f"/experiments/{failed['id']}/retry", 201)["experiment"]
    assert retry["lineage"]["parent_experiment_id"] == failed["id"]
    assert retry["config"] == failed["config"] and retry["metadata"]["tags"] == ["mine"]
    socket_client.wait_for("experiment.status", is_status(retry["id"], "running"), 120)
    assert call(live_server, "POST", f"/experiments/{retry['id']}/retry", 409)["error"]["code"] == "conflict"
    call(live_server, "POST", f"/experiments/{retry['id']}/stop", 202)
    socket_client.wait_for("experiment.status", is_status(retry["id"], "stopped"), 60)


def test_runs_beyond_the_limit_wait_in_the_queue(live_server: LiveServer, socket_client: RecordingClient) -> None:
    assert call(live_server, "GET", "/settings")["settings"]["max_concurrent_runs"] == 1
    first = create(live_server, game="pong", config=LONG_PPO)
    second = create(live_server, game="breakout", config=TINY_PPO)
    assert (
        second["metadata"]["status"] == "queued" and "Waiting for a free slot" in second["metadata"]["status_message"]
    )
    socket_client.wait_for("experiment.status", is_status(first["id"], "running"), 120)
    time.sleep(2)
    assert status_of(live_server, second["id"]) == "queued" and len(worker_processes(live_server)) == 1

    call(live_server, "POST", f"/experiments/{first['id']}/stop", 202)
    socket_client.wait_for(
        "experiment.status",
        lambda d: d["experiment_id"] == second["id"] and d["status"] == "queued" and d["message"] == "Starting…",
        60,
    )  # the UI hears it
    socket_client.wait_for("training.complete", lambda d: d["experiment_id"] == second["id"], 240)
    assert status_of(live_server, first["id"]) == "stopped"

    bad = call(live_server, "PUT", "/settings", 400, json={"max_concurrent_runs": 0})
    assert bad["error"]["field"] == "settings.max_concurrent_runs"
    assert (
        call(live_server, "PUT", "/settings", json={"max_concurrent_runs": 2})["settings"]["max_concurrent_runs"] == 2
    )


def test_edit_filter_and_delete(live_server: LiveServer, socket_client: RecordingClient) -> None:
    experiment = create(live_server, game="pong", config=TINY_PPO)
    socket_client.wait_for("training.complete", lambda d: d["experiment_id"] == experiment["id"], 240)

    edited = call(
        live_server,
        "PATCH",
        f"/experiments/{experiment['id']}",
        json={"name": "  Best <b>Pong</b> ", "tags": ["keep", "ci"]},
    )["experiment"]
    assert edited["name"] == "Best <b>Pong</b>" and edited["metadata"]["tags"] == ["keep", "ci"]
    assert (
        call(live_server, "PATCH", f"/experiments/{experiment['id']}", 400, json={"name": ""})["error"]["field"]
        == "name"
    )
    assert (
        call(live_server, "PATCH", f"/experiments/{experiment['id']}", 400, json={"game": "x"})["error"]["field"]
        == "game"
    )
    found = call(live_server, "GET", "/experiments?q=best%20%3Cb&tag=keep&algorithm=ppo")["experiments"]
    assert [e["id"] for e in found] == [experiment["id"]]
    assert call(live_server, "GET", "/experiments?q=nothing-like-this")["experiments"] == []

    call(live_server, "DELETE", f"/experiments/{experiment['id']}")
    assert not Path(experiment["run_dir"]).exists()
    assert call(live_server, "GET", f"/experiments/{experiment['id']}", 404)["error"]["code"] == "not_found"
    assert call(live_server, "DELETE", f"/experiments/{experiment['id']}", 404)["error"]["code"] == "not_found"


def test_an_active_run_cannot_be_deleted(live_server: LiveServer, socket_client: RecordingClient) -> None:
    experiment = create(live_server, game="pong", config=LONG_PPO)
    refused = call(live_server, "DELETE", f"/experiments/{experiment['id']}", 409)
    assert "stop it before deleting" in refused["error"]["message"]
    assert Path(experiment["run_dir"]).is_dir()
    call(live_server, "POST", f"/experiments/{experiment['id']}/stop", 202)
    socket_client.wait_for(
        "experiment.status", lambda d: d["experiment_id"] == experiment["id"] and d["status"] in ("stopped",), 120
    )
