"""Running the web app on a local port (Werkzeug, threaded: real websockets via simple-websocket)."""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from retro_ml.store.atomic_storage import atomic_write_text
from retro_ml.web.app import WebApp

log = logging.getLogger(__name__)


class QuietRequestHandler(WSGIRequestHandler):
    """No line per request on the terminal; errors still go to the log."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


@dataclass
class RunningServer:
    server: BaseWSGIServer
    host: str
    token: str

    @property
    def port(self) -> int:
        return self.server.server_port

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def login_url(self) -> str:
        return f"{self.base_url}/?token={self.token}"

    def serve_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.server.serve_forever, name="http", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def bind(web: WebApp, host: str, port: int, token: str) -> RunningServer:
    """Bind now (port 0 picks a free one) so the URL is known before serving starts."""
    server = make_server(host, port, web.app, threaded=True, request_handler=QuietRequestHandler)
    return RunningServer(server, host, token)


def write_server_info(path: Path, running: RunningServer) -> None:
    """Lets `retro-ml train` find the running app and hand it the work (one DB writer)."""
    info = {"pid": os.getpid(), "url": running.base_url, "token": running.token}
    atomic_write_text(path, json.dumps(info))
    try:
        os.chmod(path, 0o600)
    except OSError:
        log.warning("could not restrict permissions of %s", path)


def read_server_info(path: Path) -> dict[str, object] | None:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return info if isinstance(info, dict) else None
