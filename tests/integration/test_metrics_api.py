"""`GET /api/experiments/<id>/metrics` on the real server, over the metrics a real worker wrote."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from tests.helpers.run_configs import TINY_PPO
from tests.helpers.server import LiveServer


def api(server: LiveServer, method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, f"{server.base_url}{path}", headers=server.auth_headers, timeout=10, **kwargs)


def test_bad_requests_are_json_errors(live_server: LiveServer) -> None:
    missing = api(live_server, "GET", "/api/experiments/0123456789ab/metrics")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    malformed = api(live_server, "GET", "/api/experiments/..%2Fetc/metrics")
    assert malformed.status_code in (400, 404) and "error" in malformed.json()
    for bad in ("0", "1", "abc", "100001", "-5"):
        response = api(live_server, "GET", f"/api/experiments/0123456789ab/metrics?downsample={bad}")
        assert response.status_code == 400, bad
        assert response.json()["error"]["field"] == "downsample"
    too_many = api(live_server, "GET", "/api/experiments/0123456789ab/metrics?keys=" + ",".join(map(str, range(65))))
    assert too_many.status_code == 400 and too_many.json()["error"]["field"] == "keys"


@pytest.mark.training
def test_metrics_of_a_real_tiny_run(live_server: LiveServer) -> None:
    created = api(
        live_server, "POST", "/api/experiments", json={"game": "breakout", "algorithm": "ppo", "config": TINY_PPO}
    )
    assert created.status_code == 201, created.text
    experiment_id = created.json()["experiment"]["id"]
    deadline = time.monotonic() + 240
    status = "queued"
    while time.monotonic() < deadline:
        status = api(live_server, "GET", f"/api/experiments/{experiment_id}").json()["experiment"]["metadata"]["status"]
        if status not in ("queued", "running"):
            break
        time.sleep(1)
    assert status == "completed", live_server.log_text()

    full = api(live_server, "GET", f"/api/experiments/{experiment_id}/metrics")
    assert full.status_code == 200, full.text
    body = full.json()
    assert body["experiment_id"] == experiment_id
    assert body["keys_available"] == sorted(body["keys_available"])
    assert {"train/loss", "time/fps"} <= set(body["keys_available"])
    assert any(key.startswith("rollout/") for key in body["keys_available"])
    loss = body["series"]["train/loss"]
    assert loss["steps"] and len(loss["steps"]) == len(loss["values"])
    rollout = TINY_PPO["n_steps"] * TINY_PPO["n_envs"]
    assert loss["steps"] == sorted(loss["steps"]) and loss["steps"][-1] <= TINY_PPO["total_timesteps"] + rollout

    rollout_key = next(k for k in body["keys_available"] if k.startswith("rollout/"))
    small = api(
        live_server, "GET", f"/api/experiments/{experiment_id}/metrics?keys=train/loss,{rollout_key}&downsample=5"
    ).json()
    assert set(small["series"]) == {"train/loss", rollout_key}
    for key, series in small["series"].items():
        assert 1 <= len(series["steps"]) <= 5, key
        full_series = body["series"].get(key) or series
        assert series["steps"][0] == full_series["steps"][0] and series["steps"][-1] == full_series["steps"][-1]
