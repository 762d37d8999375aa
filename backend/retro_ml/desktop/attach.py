"""A window launch while a headless `retro-ml serve` owns the data dir: a window on that server.

There is one server per data dir (the only database writer), so a launch must not start another.
`server.json` (written by the server, owner-only) says where it listens and with which token;
the window opens its page there, as it would on its own embedded server. The window's process
serves nothing: closing the window leaves the server and its runs as they are, and the window
closes when the server ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from retro_ml.desktop.window import run_window

# A server bound to every interface is reached over loopback (whose Host the server always accepts).
_ANY_ADDRESS = {"0.0.0.0": "127.0.0.1", "[::]": "[::1]"}


@dataclass(frozen=True)
class OtherServer:
    """A running server of this data dir, in another process."""

    base_url: str
    token: str
    pid: int

    @property
    def login_url(self) -> str:
        return f"{self.base_url}/?token={self.token}"


def other_server(info: dict[str, object]) -> OtherServer | None:
    """The server that `server.json` describes, or None when it names no server to open
    (a terminal `retro-ml train` owns the folder, or the file is not one a server wrote)."""
    url, token, pid = info.get("url"), info.get("token"), info.get("pid")
    if not isinstance(url, str) or not isinstance(token, str) or not token or not isinstance(pid, int):
        return None
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname or parts.port is None:
        return None
    host = parts.netloc.rsplit(":", 1)[0]
    netloc = f"{_ANY_ADDRESS.get(host, host)}:{parts.port}"
    return OtherServer(urlunsplit(("http", netloc, "", "", "")), token, pid)


def attach_window(server: OtherServer, data_dir: Path) -> int:
    """Blocks while the window is open; 0 when it closed (by the user, or because the server ended)."""
    print(
        f"Retro ML Trainer is already running for {data_dir} at {server.base_url} (`retro-ml serve`): "
        "opening a window on it. Closing the window leaves that server running.",
        flush=True,
    )
    print(f"Retro ML Trainer running at {server.login_url}", flush=True)
    return run_window(server, None, data_dir, server_pid=server.pid)
