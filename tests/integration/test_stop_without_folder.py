"""Stopping a worker whose run folder has gone (the run deleted while its worker exited, or
the folder removed by hand): the stop request cannot be written there, so the worker is
ended directly; the server answers and shuts down cleanly instead of failing."""

from __future__ import annotations

import shutil
from pathlib import Path

import psutil
import pytest

from tests.helpers.api_client import call, create, worker_processes
from tests.helpers.run_configs import LONG_PPO
from tests.helpers.server import LiveServer
from tests.helpers.socket_events import RecordingClient

pytestmark = pytest.mark.training


def test_stop_ends_a_worker_whose_folder_is_gone(live_server: LiveServer, socket_client: RecordingClient) -> None:
    experiment = create(live_server, game="pong", config=LONG_PPO)
    socket_client.wait_for("training.progress", lambda d: d["experiment_id"] == experiment["id"], 120)
    [worker] = worker_processes(live_server)

    shutil.rmtree(Path(experiment["run_dir"]))
    call(live_server, "POST", f"/experiments/{experiment['id']}/stop", 202)

    gone, _alive = psutil.wait_procs([worker], timeout=30)
    assert gone, "the worker still runs"
    socket_client.wait_for(
        "experiment.status",
        lambda d: d["experiment_id"] == experiment["id"] and d["status"] not in ("running", "paused"),
        60,
    )
    # live_server's teardown asserts the server then exits with 0.
