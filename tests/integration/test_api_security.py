"""The real server refuses what it must: bad tokens, foreign Hosts and Origins, bad input."""

from __future__ import annotations

import pytest
import requests
import socketio

from tests.helpers.server import LiveServer
from tests.helpers.socket_events import RecordingClient


def test_api_needs_the_token(live_server: LiveServer) -> None:
    url = f"{live_server.base_url}/api/health"
    assert requests.get(url, timeout=5).status_code == 401
    wrong = requests.get(url, headers={"Authorization": "Bearer nope"}, timeout=5)
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "unauthorized"
    ok = requests.get(url, headers=live_server.auth_headers, timeout=5)
    assert ok.status_code == 200 and ok.json()["status"] == "ok"


def test_login_link_trades_token_for_session_cookie(live_server: LiveServer) -> None:
    browser = requests.Session()
    first = browser.get(live_server.login_url, allow_redirects=False, timeout=5)
    assert first.status_code == 303 and first.headers["Location"] == "/"
    assert "HttpOnly" in first.headers["Set-Cookie"] and "SameSite=Strict" in first.headers["Set-Cookie"]
    assert browser.get(f"{live_server.base_url}/api/games", timeout=5).status_code == 200

    stranger = requests.Session()
    stranger.get(f"{live_server.base_url}/?token=guess", timeout=5)
    assert stranger.get(f"{live_server.base_url}/api/games", timeout=5).status_code == 401


@pytest.mark.parametrize("path", ["/api/health", "/", "/socket.io/?EIO=4&transport=polling"])
def test_foreign_host_is_forbidden(live_server: LiveServer, path: str) -> None:
    response = requests.get(
        f"{live_server.base_url}{path}", headers={**live_server.auth_headers, "Host": "attacker.example"}, timeout=5
    )
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden_host"


@pytest.mark.parametrize("path", ["/api/experiments", "/socket.io/?EIO=4&transport=polling"])
def test_foreign_origin_is_forbidden(live_server: LiveServer, path: str) -> None:
    response = requests.get(
        f"{live_server.base_url}{path}",
        headers={**live_server.auth_headers, "Origin": "https://evil.example"},
        timeout=5,
    )
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden_origin"
    same = requests.get(
        f"{live_server.base_url}/api/health",
        headers={**live_server.auth_headers, "Origin": live_server.base_url},
        timeout=5,
    )
    assert same.status_code == 200


def test_socket_handshake_refuses_missing_or_wrong_token(live_server: LiveServer) -> None:
    for auth in (None, {"token": "wrong"}):
        client = RecordingClient()
        with pytest.raises(socketio.exceptions.ConnectionError):
            client.connect(live_server.base_url, auth=auth)
        assert client.connect_errors and client.connect_errors[0]["data"] == {"status": 401}
        assert "token" in client.connect_errors[0]["message"]
        client.close()
    bad_header = RecordingClient()
    with pytest.raises(socketio.exceptions.ConnectionError):
        bad_header.connect(live_server.base_url, headers={"Authorization": "Bearer wrong"})
    bad_origin = RecordingClient()
    with pytest.raises(socketio.exceptions.ConnectionError):
        bad_origin.connect(
            live_server.base_url, auth={"token": live_server.token}, headers={"Origin": "https://evil.example"}
        )
    good = RecordingClient()
    good.connect(live_server.base_url, auth={"token": live_server.token})
    assert good.client.connected and good.client.transport() == "websocket"
    good.close()


def test_bad_input_gets_json_4xx_never_500(live_server: LiveServer) -> None:
    api = f"{live_server.base_url}/api"
    headers = live_server.auth_headers
    not_json = requests.post(
        f"{api}/experiments", data="{oops", headers={**headers, "Content-Type": "application/json"}, timeout=5
    )
    assert not_json.status_code == 400 and "JSON" in not_json.json()["error"]["message"]
    bad_field = requests.post(
        f"{api}/experiments", json={"game": "pong", "config": {"n_steps": "many"}}, headers=headers, timeout=5
    )
    assert bad_field.status_code == 400 and bad_field.json()["error"]["field"] == "config.n_steps"
    assert requests.get(f"{api}/experiments/..%2F..%2Fetc", headers=headers, timeout=5).status_code in (400, 404)
    assert requests.get(f"{api}/experiments/zzz", headers=headers, timeout=5).status_code == 400
    missing = requests.get(f"{api}/experiments/0123456789ab", headers=headers, timeout=5)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert (
        requests.get(f"{api}/experiments?status=happy", headers=headers, timeout=5).json()["error"]["field"] == "status"
    )
    assert requests.get(f"{api}/experiments?limit=-3", headers=headers, timeout=5).status_code == 400
    unknown = requests.get(f"{api}/nothing-here", headers=headers, timeout=5)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    wrong_method = requests.delete(f"{api}/games", headers=headers, timeout=5)
    assert wrong_method.status_code == 405 and "error" in wrong_method.json()
    # Nothing was created by any of it.
    assert requests.get(f"{api}/experiments", headers=headers, timeout=5).json() == {"experiments": []}


def test_catalog_endpoints(live_server: LiveServer) -> None:
    api = f"{live_server.base_url}/api"
    games = requests.get(f"{api}/games", headers=live_server.auth_headers, timeout=5).json()["games"]
    assert len(games) == 104 and {"id": "breakout", "name": "Breakout", "env_id": "ALE/Breakout-v5"} in games
    presets = requests.get(f"{api}/presets", headers=live_server.auth_headers, timeout=5).json()
    assert [p["id"] for p in presets["presets"]] == ["quick", "standard", "epic", "epic_10h"]
    assert presets["presets"][0]["estimated_seconds"]["ppo"] > 0
    assert [a["id"] for a in presets["algorithms"] if a["recommended"]] == ["ppo"]
    system = requests.get(f"{api}/system", headers=live_server.auth_headers, timeout=5).json()
    assert system["cpu_count"] >= 1 and system["memory"]["total_bytes"] > 0 and "cuda_available" in system["gpu"]
