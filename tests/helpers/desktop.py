"""A desktop for the OS-integration tests: Xvfb, a private D-Bus session bus, fake D-Bus services
(python-dbusmock) and a recording `xdg-open`. That is the environment, not the code under test.

Nothing is skipped: a missing tool fails the test with what to install (scripts/setup.sh dev does).
The fixtures built on these (xvfb_display, session_bus, notification_daemon, file_manager, xdg_open)
are in tests/conftest.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

NOTIFICATIONS = "org.freedesktop.Notifications"
FILE_MANAGER = "org.freedesktop.FileManager1"
PACKAGE_OF = {
    "Xvfb": "xvfb",
    "xclip": "xclip",
    "dbus-daemon": "dbus",
    "gdbus": "libglib2.0-bin",
    "notify-send": "libnotify-bin",
}


def require(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        packages = " ".join(PACKAGE_OF.get(tool, tool) for tool in missing)
        pytest.fail(f"{', '.join(missing)} not found: apt-get install -y {packages} (bash scripts/setup.sh dev does)")


def dbusmock_module() -> Any:
    try:
        import dbusmock
    except ImportError as exc:
        pytest.fail(
            f"python-dbusmock is not importable ({exc}): pip install -e '.[dev]' "
            "(dbus-python builds with apt-get install -y libdbus-1-dev libglib2.0-dev pkg-config)"
        )
    return dbusmock


def wait_until(check: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.05)


def plain(value: Any) -> Any:
    """dbus-python values as plain Python (dbus.String → str, dbus.Array → list, ...)."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, float):
        return float(value)
    if isinstance(value, int):
        return int(value)
    return value


@dataclass
class FakeService:
    """A dbusmock process owning `name` on the private bus, with its call log."""

    name: str
    mock: Any
    address: str

    @property
    def control(self) -> Any:
        return self.mock.obj  # the org.freedesktop.DBus.Mock interface of the fake object

    def calls(self, method: str) -> list[list[Any]]:
        dbusmock = dbusmock_module()
        return [plain(args) for _, args in self.control.GetMethodCalls(method, dbus_interface=dbusmock.MOCK_IFACE)]

    def wait_for_calls(self, method: str, count: int = 1, timeout: float = 10.0) -> list[list[Any]]:
        return wait_until(lambda: len(self.calls(method)) >= count and self.calls(method), timeout, f"{method} calls")

    def stop(self) -> None:
        self.mock.terminate()
        connection = dbusmock_module().BusType.SESSION.get_connection()
        wait_until(lambda: not connection.name_has_owner(self.name), 5, f"{self.name} to leave the bus")
        connection.close()


def spawn_service(session_bus: str, name: str, path: str, methods: list[tuple[str, str, str, str]]) -> FakeService:
    """A fake service: `methods` are (name, in signature, out signature, Python code) as in dbusmock."""
    dbusmock = dbusmock_module()
    mock = dbusmock.SpawnedMock.spawn_for_name(name, path, name, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for method, in_sig, out_sig, code in methods:
        mock.obj.AddMethod(name, method, in_sig, out_sig, code, dbus_interface=dbusmock.MOCK_IFACE)
    return FakeService(name, mock, session_bus)


def start_notification_daemon(session_bus: str) -> FakeService:
    """dbusmock's `notification_daemon` template: records every Notify call."""
    dbusmock = dbusmock_module()
    mock = dbusmock.SpawnedMock.spawn_with_template(
        "notification_daemon", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return FakeService(NOTIFICATIONS, mock, session_bus)


def start_file_manager(session_bus: str) -> FakeService:
    """A file manager offering org.freedesktop.FileManager1 (as Nautilus, Dolphin and others do)."""
    methods = [("ShowItems", "ass", "", ""), ("ShowFolders", "ass", "", "")]
    return spawn_service(session_bus, FILE_MANAGER, "/org/freedesktop/FileManager1", methods)


@dataclass
class RecordingTool:
    """An executable first on PATH that appends its arguments (one per line, a blank line after) to a log."""

    folder: Path
    name: str

    @property
    def log(self) -> Path:
        return self.folder / f"{self.name}.log"

    def path_with_it(self) -> str:
        return f"{self.folder}{os.pathsep}{os.environ.get('PATH', '')}"

    def invocations(self) -> list[list[str]]:
        if not self.log.exists():
            return []
        return [block.splitlines() for block in self.log.read_text().split("\n\n") if block]

    def wait_for_invocations(self, count: int = 1, timeout: float = 10.0) -> list[list[str]]:
        return wait_until(lambda: len(self.invocations()) >= count and self.invocations(), timeout, self.name)


def read_clipboard(display: str) -> str:
    # `-o` prints and exits; only `xclip -i` (a copy) forks a process that keeps its stdout open
    result = subprocess.run(
        ["xclip", "-selection", "clipboard", "-o"],
        env={**os.environ, "DISPLAY": display},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        timeout=10,
        check=True,
    )
    return result.stdout.decode()
