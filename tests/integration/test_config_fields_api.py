"""`GET /api/config-fields` on the real server: what a run config may override, as the server checks it."""

from __future__ import annotations

from typing import Any

import requests

from tests.helpers.server import LiveServer


def api(server: LiveServer, method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, f"{server.base_url}{path}", headers=server.auth_headers, timeout=10, **kwargs)


def test_config_fields_describe_what_the_server_accepts(live_server: LiveServer) -> None:
    assert requests.get(f"{live_server.base_url}/api/config-fields", timeout=10).status_code == 401

    response = api(live_server, "GET", "/api/config-fields")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["algorithms"] == ["ppo", "dqn"]
    fields = {field["name"]: field for field in body["fields"]}

    steps = fields["total_timesteps"]
    assert steps["type"] == "int" and steps["min"] == 100 and steps["max"] == 1_000_000_000
    assert steps["algorithms"] == ["ppo", "dqn"] and steps["help"]
    assert fields["device"]["type"] == "choice" and fields["device"]["choices"] == ["auto", "cpu", "cuda"]
    assert fields["seed"]["nullable"] is True and fields["seed"]["defaults"] == {"ppo": None, "dqn": None}
    assert fields["learning_rate"]["type"] == "float"
    assert fields["learning_rate"]["defaults"] == {"ppo": 0.00025, "dqn": 0.0001}
    # Per-algorithm hyper-parameters say which algorithm takes them, with that one's default.
    assert fields["n_steps"]["algorithms"] == ["ppo"] and fields["n_steps"]["defaults"] == {"ppo": 128}
    assert fields["buffer_size"]["algorithms"] == ["dqn"] and fields["buffer_size"]["defaults"] == {"dqn": 50000}

    # The ranges are the ones POST /api/experiments enforces: just past one is a 400 on that field.
    too_big = api(
        live_server,
        "POST",
        "/api/experiments",
        json={"game": "pong", "config": {"n_envs": fields["n_envs"]["max"] + 1}},
    )
    assert too_big.status_code == 400
    assert too_big.json()["error"]["field"] == "config.n_envs"
