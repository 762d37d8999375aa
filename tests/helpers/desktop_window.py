"""Drives the real desktop app (`python -m retro_ml`, pywebview on Qt WebEngine) under Xvfb.

- The X side (python-xlib): find the app's top-level window by its title, read whether it is mapped
  and where, resize it, and close it as a window manager does (WM_DELETE_WINDOW).
- The page side: Qt WebEngine's DevTools port (QTWEBENGINE_REMOTE_DEBUGGING) and plain CDP
  `Runtime.evaluate`, so the test reads what the window's page shows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websocket
from Xlib import X, display, protocol

ROOT = Path(__file__).resolve().parents[2]
TITLE = "Retro ML Trainer"
TOKEN = "desktop-test-token"
WELCOME = "Welcome to Retro ML Trainer"  # the Dashboard's first-run heading: the page has loaded


def wait_for(check: Callable[[], Any], timeout: float, what: str, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except Exception as exc:  # noqa: BLE001 - retried until the deadline, reported then
            last_error = exc
        time.sleep(interval)
    raise AssertionError(
        f"timed out after {timeout:g} s waiting for {what}" + (f" ({last_error})" if last_error else "")
    )


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class X11:
    def __init__(self, display_name: str) -> None:
        self.d = display.Display(display_name)
        self.root = self.d.screen().root
        self._net_wm_name = self.d.intern_atom("_NET_WM_NAME")
        self._utf8 = self.d.intern_atom("UTF8_STRING")

    def close(self) -> None:
        self.d.close()

    def _title(self, window: Any) -> str:
        try:
            prop = window.get_full_property(self._net_wm_name, self._utf8)
            if prop is not None:
                value = prop.value
                return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
            name = window.get_wm_name()
            return name.decode() if isinstance(name, bytes) else (name or "")
        except Exception:  # noqa: BLE001 - windows come and go while we look
            return ""

    def app_windows(self) -> list[Any]:
        return [w for w in self.root.query_tree().children if self._title(w) == TITLE]

    def app_window(self) -> Any:
        windows = self.app_windows()
        assert len(windows) <= 1, f"{len(windows)} windows titled {TITLE!r}"
        return windows[0] if windows else None

    def is_viewable(self, window: Any) -> bool:
        return window.get_attributes().map_state == X.IsViewable

    def geometry(self, window: Any) -> tuple[int, int, int, int]:
        g = window.get_geometry()
        origin = window.translate_coords(self.root, 0, 0)  # the window's origin in root coordinates
        return (-origin.x, -origin.y, g.width, g.height)

    def move_resize(self, window: Any, x: int, y: int, width: int, height: int) -> None:
        window.configure(x=x, y=y, width=width, height=height)
        self.d.sync()

    def request_close(self, window: Any) -> None:
        """What a window manager sends when the user clicks the close button."""
        wm_protocols = self.d.intern_atom("WM_PROTOCOLS")
        wm_delete = self.d.intern_atom("WM_DELETE_WINDOW")
        event = protocol.event.ClientMessage(
            window=window, client_type=wm_protocols, data=(32, [wm_delete, X.CurrentTime, 0, 0, 0])
        )
        window.send_event(event, event_mask=X.NoEventMask)
        self.d.sync()


class Page:
    """The window's page over the DevTools protocol."""

    def __init__(self, devtools_port: int) -> None:
        self.port = devtools_port
        self._ws: websocket.WebSocket | None = None
        self._id = 0

    def _connect(self) -> websocket.WebSocket:
        if self._ws is None:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json", timeout=5) as response:
                targets = json.load(response)
            pages = [t for t in targets if t.get("type") == "page" and t.get("url", "").startswith("http://127.0.0.1")]
            if not pages:
                raise AssertionError(f"no app page among the DevTools targets: {targets}")
            self._ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=15, suppress_origin=True)
        return self._ws

    def _call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        ws = self._connect()
        self._id += 1
        ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            message = json.loads(ws.recv())
            if message.get("id") == self._id:
                return dict(message.get("result", {}))

    def screenshot(self, path: Path) -> None:
        """What the window's page shows, as a PNG (the page, without the window frame)."""
        import base64

        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(self._call("Page.captureScreenshot", {"format": "png"})["data"]))

    def evaluate(self, expression: str) -> Any:
        result = self._call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise AssertionError(f"page error: {result['exceptionDetails']}")
        return result.get("result", {}).get("value")

    def text(self) -> str:
        return str(self.evaluate("document.body ? document.body.innerText : ''"))

    def visible_text(self, selector: str) -> str:
        """innerText of the first element matching `selector` when it is rendered, else ''."""
        return str(
            self.evaluate(
                f"(function(){{var n=document.querySelector({json.dumps(selector)});"
                "return n && n.checkVisibility() ? n.innerText : '';})()"
            )
        )

    def click(self, selector: str) -> None:
        assert self.evaluate(
            f"(function(){{var n=document.querySelector({json.dumps(selector)});"
            "if(!n) return false; setTimeout(function(){n.click();}, 0); return true;})()"
        ), f"nothing to click at {selector}"

    def close(self) -> None:
        if self._ws is not None:
            self._ws.close()
            self._ws = None


@dataclass
class DesktopApp:
    """One `retro-ml` window process on a data dir."""

    process: subprocess.Popen[str]
    data_dir: Path
    devtools_port: int
    log_path: Path
    url: str = ""
    page: Page = field(init=False)

    def __post_init__(self) -> None:
        self.page = Page(self.devtools_port)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for_url(self, timeout: float = 60) -> str:
        def found() -> str:
            assert self.process.poll() is None, f"the app exited ({self.process.returncode}):\n{self.log_text()}"
            for line in self.log_text().splitlines():
                if "running at http" in line:
                    return line.split("running at ", 1)[1].strip()
            return ""

        self.url = wait_for(found, timeout, "the app's URL line")
        return self.url

    @property
    def base_url(self) -> str:
        return self.url.split("/?", 1)[0]

    def wait_exit(self, timeout: float) -> int:
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(f"the app did not exit within {timeout:g} s:\n{self.log_text()}") from exc

    def kill(self) -> None:
        self.page.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def app_env(display_name: str, devtools_port: int | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RETRO_ML_")}
    env.update(
        {
            "DISPLAY": display_name,
            "RETRO_ML_TOKEN": TOKEN,
            "QTWEBENGINE_DISABLE_SANDBOX": "1",
            "QTWEBENGINE_CHROMIUM_FLAGS": "--disable-gpu --disable-dev-shm-usage",
            "QT_QPA_PLATFORM": "xcb",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)  # notifications just report "off"
    if devtools_port is not None:
        env["QTWEBENGINE_REMOTE_DEBUGGING"] = f"127.0.0.1:{devtools_port}"
    return env


def launch(data_dir: Path, display_name: str, log_path: Path) -> DesktopApp:
    port = free_port()
    log = log_path.open("a")
    process = subprocess.Popen(
        [sys.executable, "-m", "retro_ml", "--data-dir", str(data_dir)],
        cwd=ROOT,
        env=app_env(display_name, port),
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    log.close()
    return DesktopApp(process, data_dir, port, log_path)


def second_launch(data_dir: Path, display_name: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "retro_ml", "--data-dir", str(data_dir)],
        cwd=ROOT,
        env=app_env(display_name),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
