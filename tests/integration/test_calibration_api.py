"""Calibration through the real server: a short real PPO run turns baseline estimates into measured ones."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from retro_ml.services.experiments.calibration import CalibrationService
from retro_ml.services.experiments.presets import load_presets
from retro_ml.store import TinyDBExperimentStore
from tests.helpers.api_client import call
from tests.helpers.server import LiveServer

CALIBRATION_TIMEOUT_SECONDS = 180.0


def quick_preset(server: LiveServer) -> dict[str, Any]:
    presets = call(server, "GET", "/presets")["presets"]
    quick: dict[str, Any] = next(p for p in presets if p["id"] == "quick")
    return quick


@pytest.mark.training
def test_calibration_measures_ppo_and_estimates_follow(live_server: LiveServer) -> None:
    before = quick_preset(live_server)
    assert before["estimate"]["ppo"]["source"] == "baseline"
    assert before["estimate"]["ppo"]["device"] in ("cpu", "cuda")
    assert before["estimated_seconds"]["ppo"] == before["estimate"]["ppo"]["seconds"]

    described = call(live_server, "GET", "/system/calibration")
    assert described["state"] == "idle" and described["matches"] is False and described["stored"] == {}

    started = call(live_server, "POST", "/system/calibrate", 202, json={"algorithms": ["ppo"]})
    assert started["state"] == "running" and started["algorithms"] == ["ppo"]
    again = call(live_server, "POST", "/system/calibrate", 409)
    assert "already running" in again["error"]["message"]

    deadline = time.monotonic() + CALIBRATION_TIMEOUT_SECONDS
    state = started
    while state["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.5)
        state = call(live_server, "GET", "/system/calibration")
    assert state["state"] == "idle", f"calibration did not finish: {state}\n{live_server.log_text()}"
    result = state["results"]["ppo"]
    fps = result["steps_per_second"]
    assert fps > 0 and result["steps"] >= 3 * 8 * 128 and result["device"] in ("cpu", "cuda")
    assert state["matches"] is True and state["fingerprint"] == state["machine"]
    assert state["stored"]["ppo"]["steps_per_second"] == fps
    print(f"measured PPO: {fps} steps/s on {result['device']} ({result['seconds']} s in all)")

    after = quick_preset(live_server)
    assert after["estimate"]["ppo"] == {
        "seconds": after["estimated_seconds"]["ppo"],
        "source": "measured",
        "device": result["device"],
        "basis": "measured on this machine",
    }
    total = after["configs"]["ppo"]["total_timesteps"]
    expected = load_presets().raw["startup_seconds"] + total / fps
    assert abs(after["estimated_seconds"]["ppo"] - expected) <= 1
    assert after["estimate"]["dqn"]["source"] == "baseline"  # only PPO was measured


@pytest.mark.training
def test_an_overrunning_calibration_fails_with_a_message_and_stores_nothing(tmp_path: Path) -> None:
    store = TinyDBExperimentStore(tmp_path / "retro_ml.json")
    try:
        service = CalibrationService(store, work_dir=tmp_path / "calibration", timeout_seconds=1.0)
        service.calibrate(["ppo"])
        assert service.wait(60), "the calibration thread did not end"
        state = service.state()
        assert state["state"] == "failed" and "did not finish within 1 s" in state["message"], state
        assert store.load_calibration() == {} and service.steps_per_second("ppo")[1] == "baseline"
        assert list((tmp_path / "calibration").iterdir()) == []  # the temporary run folder is gone
    finally:
        store.close()


@pytest.mark.training
def test_shutdown_ends_a_running_calibration_and_its_worker(tmp_path: Path) -> None:
    store = TinyDBExperimentStore(tmp_path / "retro_ml.json")
    try:
        service = CalibrationService(store, work_dir=tmp_path / "calibration")
        service.calibrate(["ppo"])
        time.sleep(1.0)
        service.shutdown()
        state = service.state()
        assert state["state"] == "failed" and "shutting down" in state["message"], state
        assert store.load_calibration() == {}
        # the autouse `no_orphan_workers` fixture fails the test if the worker outlived it
    finally:
        store.close()


@pytest.mark.training
def test_a_real_run_that_trained_alone_refines_the_estimate(live_server: LiveServer) -> None:
    from tests.helpers.socket_events import RecordingClient

    client = RecordingClient()
    client.connect(live_server.base_url, auth={"token": live_server.token})
    config = {
        "total_timesteps": 4096,
        "n_envs": 2,
        "n_steps": 64,
        "batch_size": 64,
        "n_epochs": 1,
        "milestone_every_pct": 0,
    }
    experiment = call(live_server, "POST", "/experiments", 201, json={"game": "pong", "config": config})["experiment"]
    client.wait_for("training.progress", lambda d: d["experiment_id"] == experiment["id"], 120)
    busy = call(live_server, "POST", "/system/calibrate", 409)
    assert "idle machine" in busy["error"]["message"]
    client.wait_for("training.complete", lambda d: d["experiment_id"] == experiment["id"], 240)
    client.close()

    fps = call(live_server, "GET", f"/experiments/{experiment['id']}")["experiment"]["final_metrics"]["fps"]
    estimate = quick_preset(live_server)["estimate"]["ppo"]
    assert estimate["source"] == "measured"
    stored = call(live_server, "GET", "/system/calibration")["stored"]
    assert stored["ppo"]["steps_per_second"] == pytest.approx(fps, rel=0.01)
