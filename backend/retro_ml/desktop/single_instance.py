"""A second `retro-ml` launch brings the running window to the front instead of starting a server.

The window process listens on a loopback port; desktop.json in the data dir (owner-only) holds its
pid, port and a random secret. A second launch sends the secret and "focus"; the running instance
shows, restores and raises its window (also when it was hidden to keep training in the background).
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from pathlib import Path

import psutil

from retro_ml.store.atomic_storage import atomic_write_text

log = logging.getLogger(__name__)

FILE_NAME = "desktop.json"
_TIMEOUT_S = 5.0


class FocusListener:
    """Serves focus requests on 127.0.0.1 until `close()`; `on_focus` runs in the listener's thread."""

    def __init__(self, data_dir: Path, on_focus: Callable[[], None]) -> None:
        self._file = data_dir / FILE_NAME
        self._on_focus = on_focus
        self._secret = secrets.token_urlsafe(24)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(4)
        self._closed = threading.Event()
        atomic_write_text(self._file, json.dumps({"pid": os.getpid(), "port": self.port, "secret": self._secret}))
        try:
            os.chmod(self._file, 0o600)
        except OSError:
            log.warning("could not restrict permissions of %s", self._file)
        self._thread = threading.Thread(target=self._serve, name="focus-listener", daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._socket.getsockname()[1])

    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            with connection:
                try:
                    connection.settimeout(_TIMEOUT_S)
                    request = json.loads(connection.makefile("r", encoding="utf-8").readline() or "{}")
                    given = str(request.get("secret", ""))
                    if not hmac.compare_digest(given.encode(), self._secret.encode()):
                        connection.sendall(b"denied\n")
                        continue
                    if request.get("action") == "focus":
                        try:
                            self._on_focus()
                        except Exception:  # noqa: BLE001 - the window may be gone (quitting, headless)
                            log.exception("could not bring the window forward")
                    connection.sendall(b"ok\n")
                except (OSError, ValueError, AttributeError) as exc:
                    log.debug("bad focus request: %s", exc)

    def close(self) -> None:
        self._closed.set()
        try:
            self._socket.close()
        finally:
            try:
                info = json.loads(self._file.read_text(encoding="utf-8"))
                if info.get("pid") == os.getpid():
                    self._file.unlink(missing_ok=True)
            except (OSError, ValueError):
                pass


def running_window(data_dir: Path) -> dict[str, object] | None:
    """The live desktop instance of this data dir (desktop.json of a running pid), or None."""
    try:
        info = json.loads((data_dir / FILE_NAME).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError, OSError):
        return None
    pid = info.get("pid") if isinstance(info, dict) else None
    if not isinstance(pid, int) or pid == os.getpid() or not psutil.pid_exists(pid):
        return None
    return info


def request_focus(data_dir: Path) -> bool:
    """True when a running window of this data dir was brought to the front."""
    info = running_window(data_dir)
    if not info:
        return False
    try:
        with socket.create_connection(("127.0.0.1", int(str(info["port"]))), timeout=_TIMEOUT_S) as connection:
            message = json.dumps({"secret": info.get("secret"), "action": "focus"}) + "\n"
            connection.sendall(message.encode())
            connection.settimeout(_TIMEOUT_S)
            answer = connection.makefile("r", encoding="utf-8").readline().strip()
    except (OSError, ValueError, KeyError):
        return False
    return answer == "ok"
