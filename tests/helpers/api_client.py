"""Small helpers to call the real server's API from tests."""

from __future__ import annotations

from typing import Any

import psutil
import requests

from tests.helpers.server import LiveServer


def call(server: LiveServer, method: str, path: str, expect: int | None = 200, **kwargs: Any) -> dict[str, Any]:
    response = requests.request(
        method, f"{server.base_url}/api{path}", headers=server.auth_headers, timeout=30, **kwargs
    )
    if expect is not None:
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text}"
    return response.json()


def create(server: LiveServer, **payload: Any) -> dict[str, Any]:
    return call(server, "POST", "/experiments", 201, json=payload)["experiment"]


def fetch(server: LiveServer, experiment_id: str) -> dict[str, Any]:
    return call(server, "GET", f"/experiments/{experiment_id}")["experiment"]


def status_of(server: LiveServer, experiment_id: str) -> str:
    return fetch(server, experiment_id)["metadata"]["status"]


def worker_processes(server: LiveServer) -> list[psutil.Process]:
    return [p for p in psutil.Process(server.process.pid).children(recursive=True) if "worker" in p.cmdline()]
