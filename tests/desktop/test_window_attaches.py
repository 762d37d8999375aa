"""A window launch while a headless `retro-ml serve` owns the data dir opens the window on that
server (its page, its token) instead of refusing with "already running"; closing the window leaves
the server running, and stopping the server closes the window."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.helpers.desktop_window import TOKEN, WELCOME, X11, DesktopApp, launch, wait_for
from tests.helpers.server import LiveServer, start_server

pytestmark = pytest.mark.e2e


@pytest.fixture
def headless(tmp_path: Path) -> Iterator[LiveServer]:
    server = start_server(tmp_path / "data", token=TOKEN)
    try:
        yield server
    finally:
        server.stop()


def open_window_on(server: LiveServer, display: str, x11: X11, log_path: Path) -> tuple[DesktopApp, object]:
    app = launch(server.data_dir, display, log_path)
    try:
        assert app.wait_for_url() == server.login_url  # the running server, not a second one
        window = wait_for(x11.app_window, 60, "the window on the display")
        wait_for(lambda: x11.is_viewable(window), 30, "the window to be mapped")
        # shown only once the page's API calls answered: the page is signed in to that server
        wait_for(lambda: WELCOME in app.page.visible_text("#welcome"), 90, "the Dashboard in the window")
    except BaseException:
        app.kill()
        raise
    return app, window


def server_answers(server: LiveServer) -> bool:
    response = requests.get(f"{server.base_url}/api/health", headers=server.auth_headers, timeout=10)
    return response.status_code == 200


def test_a_window_launch_opens_on_the_running_headless_server(
    tmp_path: Path, xvfb_display: str, x11: X11, headless: LiveServer
) -> None:
    server_info = json.loads((headless.data_dir / "server.json").read_text())
    assert server_info["pid"] == headless.process.pid

    app, window = open_window_on(headless, xvfb_display, x11, tmp_path / "window-1.log")
    try:
        assert app.page.evaluate("location.origin") == headless.base_url
        assert "already running" in app.log_text() and "opening a window on it" in app.log_text()
        assert json.loads((headless.data_dir / "server.json").read_text()) == server_info  # no second server

        # closed by the user: the launch ends like a normal window's, the server goes on
        x11.request_close(window)
        assert app.wait_exit(60) == 0, app.log_text()
    finally:
        app.kill()
    assert headless.process.poll() is None and server_answers(headless)
    assert json.loads((headless.data_dir / "server.json").read_text()) == server_info
    assert not (headless.data_dir / "desktop.json").exists()

    # the server stops while a window shows it: the window closes and its launch exits 0
    app, _ = open_window_on(headless, xvfb_display, x11, tmp_path / "window-2.log")
    try:
        assert headless.stop() == 0, headless.log_text()
        assert app.wait_exit(60) == 0, app.log_text()
        assert "has stopped" in app.log_text()
        wait_for(lambda: not x11.app_windows(), 10, "the window to go")
    finally:
        app.kill()
