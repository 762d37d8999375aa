"""Hostile request bodies against the real server: nested too deep, not JSON's numbers, too big.
Each is a 4xx that says what to send (400, or 413 for size), never a 500."""

from __future__ import annotations

from collections.abc import Iterator

import requests

from tests.helpers.server import LiveServer

UNKNOWN = "0123456789ab"  # well-formed, unknown: the body is read before the id is looked up
# Every route that reads a JSON body.
BODY_ROUTES = [
    ("POST", "/api/experiments"),
    ("POST", "/api/experiments/import"),
    ("PATCH", f"/api/experiments/{UNKNOWN}"),
    ("POST", f"/api/experiments/{UNKNOWN}/continue"),
    ("POST", f"/api/experiments/{UNKNOWN}/export"),
    ("PATCH", f"/api/videos/{UNKNOWN}"),
    ("POST", f"/api/videos/{UNKNOWN}/rename"),
    ("POST", "/api/videos/batch"),
    ("POST", f"/api/videos/{UNKNOWN}/export"),
    ("POST", "/api/videos/export"),
    ("POST", "/api/system/calibrate"),
    ("POST", "/api/storage/cleanup"),
    ("PUT", "/api/storage/data-folder"),
    ("PUT", "/api/settings"),
]
DEEP_BODIES = {
    "a list 100,000 deep": "[" * 100_000 + "]" * 100_000,
    "an object 50,000 deep": '{"name": ' * 50_000 + "1" + "}" * 50_000,
    "33 levels, one past the limit": '{"tags": ' + "[" * 32 + "]" * 32 + "}",
}
FORTY_MB = 40 * 2**20


def send(server: LiveServer, method: str, path: str, body: bytes | Iterator[bytes]) -> requests.Response:
    headers = {**server.auth_headers, "Content-Type": "application/json"}
    return requests.request(method, f"{server.base_url}{path}", data=body, headers=headers, timeout=60)


def test_deeply_nested_json_is_a_400_on_every_route_that_reads_a_body(live_server: LiveServer) -> None:
    for method, path in BODY_ROUTES:
        for what, body in DEEP_BODIES.items():
            response = send(live_server, method, path, body.encode())
            assert response.status_code == 400, f"{method} {path} with {what}: {response.status_code} {response.text}"
            error = response.json()["error"]
            assert error["code"] == "invalid_input"
            assert "more than 32 levels deep" in error["message"], error
    assert "RecursionError" not in live_server.log_text()


def test_numbers_json_does_not_have_are_refused(live_server: LiveServer) -> None:
    for body, says in (
        (b'{"max_concurrent_runs": NaN}', "NaN is not a JSON number"),
        (b'{"max_concurrent_runs": -Infinity}', "-Infinity is not a JSON number"),
        (b'{"max_concurrent_runs": 1e999}', "too large a number"),
        (b'{"max_concurrent_runs": ' + b"9" * 5000 + b"}", "not valid JSON"),
        (b'{"theme": "dark"', "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
    ):
        response = send(live_server, "PUT", "/api/settings", body)
        assert response.status_code == 400, (body[:40], response.text)
        assert says in response.json()["error"]["message"], response.text
    assert send(live_server, "PUT", "/api/settings", b'{"max_concurrent_runs": 2}').status_code == 200


def test_a_40_mb_body_is_a_413_whether_its_length_is_said_or_not(live_server: LiveServer) -> None:
    big = b'{"name": "' + b"x" * FORTY_MB + b'"}'

    def chunks() -> Iterator[bytes]:  # no Content-Length: Transfer-Encoding: chunked
        for start in range(0, len(big), 2**20):
            yield big[start : start + 2**20]

    for body in (big, chunks()):
        response = send(live_server, "PATCH", f"/api/videos/{UNKNOWN}", body)
        assert response.status_code == 413, response.text[:300]
        error = response.json()["error"]
        assert error["code"] == "body_too_large" and "larger than 2 MB" in error["message"]
    # Just under the cap is read and judged on what it says.
    near = send(live_server, "PUT", "/api/settings", b'{"videos_seen_at": "' + b"x" * (2**21 - 100) + b'"}')
    assert near.status_code == 400 and near.json()["error"]["field"] == "settings.videos_seen_at"
    health = requests.get(f"{live_server.base_url}/api/health", headers=live_server.auth_headers, timeout=10)
    assert health.json()["status"] == "ok"  # still serving
