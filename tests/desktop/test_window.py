"""The desktop window (pywebview on Qt WebEngine) under Xvfb: it opens on the embedded server and
shows the Dashboard, remembers its size and position, a second launch brings it forward instead of
starting a second server, and closing it while training runs asks what to do with the training."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.helpers.desktop_window import ROOT, TOKEN, WELCOME, X11, DesktopApp, launch, second_launch, wait_for
from tests.helpers.run_configs import LONG_PPO

pytestmark = pytest.mark.e2e


@pytest.fixture
def apps() -> Iterator[list[DesktopApp]]:
    started: list[DesktopApp] = []
    yield started
    for app in started:
        app.kill()


def open_app(data_dir: Path, display: str, apps: list[DesktopApp]) -> DesktopApp:
    app = launch(data_dir, display, data_dir.parent / "app.log")
    apps.append(app)
    app.wait_for_url()
    return app


def wait_for_dashboard(app: DesktopApp) -> None:
    wait_for(lambda: WELCOME in app.page.visible_text("#welcome"), 90, "the Dashboard's welcome card in the window")


def api(app: DesktopApp, method: str, path: str, **kwargs: object) -> requests.Response:
    headers = {"Authorization": f"Bearer {TOKEN}", "Origin": app.base_url}
    return requests.request(method, app.base_url + path, headers=headers, timeout=30, **kwargs)  # type: ignore[arg-type]


def test_window_shows_the_dashboard_and_remembers_its_geometry(
    tmp_path: Path, xvfb_display: str, x11: X11, apps: list[DesktopApp]
) -> None:
    data_dir = tmp_path / "data"
    app = open_app(data_dir, xvfb_display, apps)
    window = wait_for(x11.app_window, 60, "the app's window on the display")
    wait_for(lambda: x11.is_viewable(window), 30, "the window to be mapped")
    wait_for_dashboard(app)
    assert app.page.evaluate("document.title").startswith("Retro ML Trainer")
    assert "did not answer" not in app.log_text()  # the window waited for the server's health check
    _, _, width, height = x11.geometry(window)
    assert (width, height) == (1280, 800)

    # the user moves and resizes it, then closes it (nothing is training: it just closes)
    x11.move_resize(window, 40, 30, 1100, 720)
    wait_for(lambda: x11.geometry(window) == (40, 30, 1100, 720), 10, "the new geometry")
    x11.request_close(window)
    assert app.wait_exit(60) == 0, app.log_text()
    saved = json.loads((data_dir / "window.json").read_text())
    assert (saved["x"], saved["y"], saved["width"], saved["height"]) == (40, 30, 1100, 720)
    assert not (data_dir / "server.json").exists()
    assert not (data_dir / "desktop.json").exists()

    # the next launch opens where it was left
    again = open_app(data_dir, xvfb_display, apps)
    window = wait_for(x11.app_window, 60, "the window of the second run")
    wait_for(
        lambda: x11.is_viewable(window) and x11.geometry(window) == (40, 30, 1100, 720), 30, "the remembered geometry"
    )
    wait_for_dashboard(again)
    x11.request_close(window)
    assert again.wait_exit(60) == 0


def test_second_launch_and_closing_while_training(
    tmp_path: Path, xvfb_display: str, x11: X11, apps: list[DesktopApp]
) -> None:
    data_dir = tmp_path / "data"
    app = open_app(data_dir, xvfb_display, apps)
    window = wait_for(x11.app_window, 60, "the app's window")
    wait_for_dashboard(app)
    server_pid = json.loads((data_dir / "server.json").read_text())["pid"]

    # a second launch starts no second server: it brings the window forward and exits
    result = second_launch(data_dir, xvfb_display)
    assert result.returncode == 0, result.stderr
    assert "already open" in result.stdout
    assert json.loads((data_dir / "server.json").read_text())["pid"] == server_pid
    window = wait_for(x11.app_window, 10, "the one window")
    assert x11.is_viewable(window)

    response = api(app, "POST", "/api/experiments", json={"game": "pong", "algorithm": "ppo", "config": LONG_PPO})
    assert response.status_code == 201, response.text
    experiment_id = response.json()["experiment"]["id"]

    # closing while it trains asks, inside the window
    x11.request_close(window)
    question = wait_for(lambda: app.page.visible_text("[data-testid=close-while-training]"), 30, "the close question")
    assert "Training is still running" in question
    assert "Keep training in background" in question and "Stop training and quit" in question
    assert x11.is_viewable(window) and app.process.poll() is None
    artifacts = ROOT / "test-artifacts"
    app.page.screenshot(artifacts / "desktop-close-question-dark.png")
    app.page.evaluate("document.documentElement.dataset.theme = 'light'")
    app.page.screenshot(artifacts / "desktop-close-question-light.png")

    # Cancel keeps everything as it was
    app.page.click("[data-close-choice=cancel]")
    wait_for(lambda: not app.page.visible_text("[data-testid=close-while-training]"), 10, "the question to go")
    assert x11.is_viewable(window)

    # keep training in the background: the window goes, the app and its training stay
    x11.request_close(window)
    wait_for(lambda: app.page.visible_text("[data-testid=close-while-training]"), 30, "the close question again")
    app.page.click("[data-close-choice=background]")
    wait_for(lambda: not x11.is_viewable(window), 15, "the window to hide")
    assert app.process.poll() is None
    status = api(app, "GET", f"/api/experiments/{experiment_id}").json()["experiment"]["metadata"]["status"]
    assert status in ("queued", "running")

    # starting the app again brings the same window back
    result = second_launch(data_dir, xvfb_display)
    assert result.returncode == 0, result.stderr
    window = wait_for(lambda: (w := x11.app_window()) and x11.is_viewable(w) and w, 15, "the window to come back")
    assert json.loads((data_dir / "server.json").read_text())["pid"] == server_pid

    # stop and quit: the run stops (its model saved) and the app exits
    x11.request_close(window)
    wait_for(lambda: app.page.visible_text("[data-testid=close-while-training]"), 30, "the close question")
    app.page.click("[data-close-choice=stop]")
    assert app.wait_exit(120) == 0, app.log_text()
    records = json.loads((data_dir / "retro_ml.json").read_text())["experiments"]
    statuses = {r["id"]: r["metadata"]["status"] for r in records.values()}
    assert statuses[experiment_id] not in ("queued", "running", "paused")


def test_in_the_background_the_app_quits_after_the_last_run(
    tmp_path: Path, xvfb_display: str, x11: X11, apps: list[DesktopApp]
) -> None:
    data_dir = tmp_path / "data"
    app = open_app(data_dir, xvfb_display, apps)
    window = wait_for(x11.app_window, 60, "the app's window")
    wait_for_dashboard(app)
    tiny = {**LONG_PPO, "total_timesteps": 1024}
    response = api(app, "POST", "/api/experiments", json={"game": "breakout", "algorithm": "ppo", "config": tiny})
    assert response.status_code == 201, response.text
    experiment_id = response.json()["experiment"]["id"]

    x11.request_close(window)
    wait_for(lambda: app.page.visible_text("[data-testid=close-while-training]"), 30, "the close question")
    app.page.click("[data-close-choice=background]")
    wait_for(lambda: not x11.is_viewable(window), 15, "the window to hide")
    assert app.wait_exit(180) == 0, app.log_text()  # by itself, once the run completed
    assert "The last training run ended: quitting." in app.log_text()
    records = json.loads((data_dir / "retro_ml.json").read_text())["experiments"]
    assert {r["id"]: r["metadata"]["status"] for r in records.values()}[experiment_id] == "completed"
