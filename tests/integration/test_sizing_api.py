"""Sizing from the hardware through the real server: `GET /api/system/sizing`, the configs and the
estimates' basis in `GET /api/presets`, and the resolved config of a created experiment.

The server runs on this machine, so its sizing is `recommend(…, this_machine())`: on the 2-core
test box today's values (8 games, 2 threads), on a GPU box the sized ones.
"""

from __future__ import annotations

import time
from typing import Any

from retro_ml.services.experiments.presets import load_presets
from retro_ml.services.experiments.sizing import describe_sizing, recommend, this_machine
from tests.helpers.api_client import call, create, status_of
from tests.helpers.server import LiveServer

# Nothing filmed or saved: the runs are stopped at once, only their resolved config matters.
QUIET = {"milestone_every_pct": 0, "video_length_hours": 0, "eval_episodes": 0, "checkpoint_every_pct": 0}


def _stop_and_wait(server: LiveServer, experiment_id: str, timeout: float = 120) -> None:
    call(server, "POST", f"/experiments/{experiment_id}/stop", expect=None)
    deadline = time.monotonic() + timeout
    while status_of(server, experiment_id) in ("queued", "running"):
        assert time.monotonic() < deadline, "the run did not stop in time"
        time.sleep(0.5)


def test_the_server_sizes_runs_for_this_machine(live_server: LiveServer) -> None:
    machine = this_machine()
    sizing: dict[str, Any] = call(live_server, "GET", "/system/sizing")
    assert sizing == describe_sizing(machine, {"ppo": "native", "dqn": "python"})
    assert (
        sizing["hardware"]["cpu_count"] == machine.cpu_count
        and sizing["summary"] in sizing["algorithms"]["ppo"]["applied"]["why"]
    )
    applied = recommend("ppo", machine, "native")

    # The presets' configs (the New Training dialog's recommended values) are the sized ones.
    presets = call(live_server, "GET", "/presets")["presets"]
    quick = next(p for p in presets if p["id"] == "quick")
    for name, value in applied.config().items():
        assert quick["configs"]["ppo"][name] == value, name
    assert quick["configs"]["ppo"]["device"] == "auto" and quick["configs"]["ppo"]["env_backend"] == "native"
    assert quick["configs"]["ppo"]["batch_size"] == 256 and quick["configs"]["ppo"]["n_epochs"] == 4
    # Every estimate says what it is based on; nothing was measured on this fresh data folder.
    catalog = load_presets()
    for algorithm in ("ppo", "dqn"):
        estimate = quick["estimate"][algorithm]
        speed, basis = catalog.reference_estimate(algorithm, machine)
        assert estimate["source"] == "baseline" and estimate["basis"] == basis
        steps = quick["configs"][algorithm]["total_timesteps"]
        assert estimate["seconds"] == catalog.estimated_seconds(algorithm, steps, speed)

    # A created experiment's resolved config: the sizing between the preset and the request.
    rollout = applied.n_envs * (applied.n_steps or 0)
    experiment = create(live_server, game="pong", config={**QUIET, "total_timesteps": rollout})
    try:
        config = experiment["config"]
        assert (config["n_envs"], config["n_steps"], config["torch_threads"]) == (
            applied.n_envs,
            applied.n_steps,
            applied.torch_threads,
        )
        assert (config["batch_size"], config["n_epochs"], config["device"]) == (256, 4, "auto")
    finally:
        _stop_and_wait(live_server, experiment["id"])


def test_settings_and_the_request_go_over_the_sizing(live_server: LiveServer) -> None:
    call(live_server, "PUT", "/settings", json={"default_torch_threads": 1, "default_device": "cpu"})
    experiment = create(
        live_server, game="pong", config={**QUIET, "total_timesteps": 1024, "n_envs": 4, "n_steps": 256}
    )
    try:
        config = experiment["config"]
        assert (config["torch_threads"], config["device"]) == (1, "cpu")  # Settings over the sizing
        assert (config["n_envs"], config["n_steps"]) == (4, 256)  # the request over both
    finally:
        _stop_and_wait(live_server, experiment["id"])

    # Asking for the native path sizes the run for it, as GET /api/system/sizing says.
    sized = call(live_server, "GET", "/system/sizing")["algorithms"]["ppo"]["by_env_backend"]["native"]
    native = create(
        live_server, game="pong", config={**QUIET, "env_backend": "native", "total_timesteps": 2048, "n_steps": 32}
    )
    try:
        assert native["config"]["n_envs"] == sized["n_envs"] and native["config"]["env_backend"] == "native"
    finally:
        _stop_and_wait(live_server, native["id"])

    dqn = create(live_server, game="pong", algorithm="dqn", config={**QUIET, "total_timesteps": 200})
    try:
        assert dqn["config"]["n_envs"] == 1 and dqn["config"]["env_backend"] == "python"
    finally:
        _stop_and_wait(live_server, dqn["id"])
