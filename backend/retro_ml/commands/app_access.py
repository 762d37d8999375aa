"""How a CLI command reaches the app's data: through the running app's API when one owns the
data dir (it stays the only database writer), else as the main process itself for a while."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from retro_ml.commands.instance import live_server
from retro_ml.config import AppPaths
from retro_ml.errors import AppError
from retro_ml.services.container import Services, build_services
from retro_ml.store.atomic_storage import atomic_write_text


@dataclass(frozen=True)
class RunningApp:
    base_url: str
    token: str

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """`path` under the base URL (e.g. `/api/models`); an error answer raises its AppError."""
        return call_api(f"{self.base_url}{path}", self.token, method, body)


def call_api(url: str, token: str, method: str = "GET", body: dict[str, Any] | None = None) -> dict[str, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        detail = json.loads(error.read() or b"{}").get("error", {})
        raise AppError(detail.get("code", "error"), detail.get("message", str(error)), error.code) from None


class DataDirBusy(Exception):
    """Another CLI command is the main process of this data dir right now."""


def running_app(paths: AppPaths) -> RunningApp | None:
    """The app serving this data dir, or None; DataDirBusy when a CLI command holds it."""
    server = live_server(paths.server_info)
    if server and server.get("url"):
        return RunningApp(str(server["url"]), str(server["token"]))
    if server:
        raise DataDirBusy(f"Another retro-ml command is using {paths.data_dir}; wait for it or pass --data-dir.")
    return None


@contextmanager
def local_services(paths: AppPaths) -> Iterator[Services]:
    """This process as the data dir's main process: claimed first, so a window started meanwhile
    does not become a second writer; released (and every service shut down) at the end."""
    atomic_write_text(paths.server_info, json.dumps({"pid": os.getpid(), "url": None}))
    try:
        services = build_services(paths)
    except BaseException:
        paths.server_info.unlink(missing_ok=True)
        raise
    try:
        yield services
    finally:
        services.shutdown()
        paths.server_info.unlink(missing_ok=True)
