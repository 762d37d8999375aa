"""Fixtures every test folder shares: the real server in a temp data dir, the check that no training
worker outlives its test, and the virtual desktop (Xvfb, a private D-Bus and its fakes, a recording
`xdg-open`; tools in tests/helpers/desktop.py) for the window and OS-integration tests."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.desktop import (
    FakeService,
    RecordingTool,
    dbusmock_module,
    require,
    start_file_manager,
    start_notification_daemon,
)
from tests.helpers.server import LiveServer, kill_workers_under, start_server


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = start_server(tmp_path / "data")
    try:
        yield server
    finally:
        code = server.stop()
        assert code == 0, f"server exited with {code}:\n{server.log_text()}"


@pytest.fixture(autouse=True)
def no_orphan_workers(tmp_path: Path) -> Iterator[None]:
    """Every worker a test started has ended with it; a leak is killed and fails the test."""
    yield
    leaked = kill_workers_under(tmp_path)
    assert not leaked, f"training workers outlived the test: {leaked}"


@pytest.fixture(scope="session")
def xvfb_display() -> Iterator[str]:
    """A virtual X display (":N", a free number Xvfb picks itself), roomy enough for the app's
    1280×800 window; xclip too, which the clipboard tests read it with."""
    require("Xvfb", "xclip")
    process = subprocess.Popen(
        ["Xvfb", "-displayfd", "1", "-nolisten", "tcp", "-screen", "0", "1600x1000x24"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    number = process.stdout.readline().strip().decode()
    if not number.isdigit():
        process.kill()
        pytest.fail(f"Xvfb did not start (exit status {process.wait()})")
    try:
        yield f":{number}"
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="session")
def session_bus() -> Iterator[str]:
    """A private D-Bus session bus for the whole test session, in DBUS_SESSION_BUS_ADDRESS meanwhile.

    One for the session: dbus-python (plyer's backend) keeps its first session-bus connection for good.
    """
    require("dbus-daemon", "gdbus", "notify-send")
    dbusmock = dbusmock_module()
    saved = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    bus = dbusmock.PrivateDBus(dbusmock.BusType.SESSION)
    bus.start()  # sets DBUS_SESSION_BUS_ADDRESS
    try:
        yield bus.address
    finally:
        bus.stop()
        if saved is None:
            os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
        else:
            os.environ["DBUS_SESSION_BUS_ADDRESS"] = saved


@pytest.fixture
def notification_daemon(session_bus: str) -> Iterator[FakeService]:
    service = start_notification_daemon(session_bus)
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture
def file_manager(session_bus: str) -> Iterator[FakeService]:
    service = start_file_manager(session_bus)
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture
def xdg_open(tmp_path: Path) -> RecordingTool:
    """Records instead of opening a real file manager (or, on a bare machine, a web browser)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    tool = RecordingTool(folder, "xdg-open")
    script = folder / "xdg-open"
    script.write_text(f"#!/bin/sh\n{{ printf '%s\\n' \"$@\"; echo; }} >> '{tool.log}'\n")
    script.chmod(0o755)
    return tool
