"""The Dashboard beyond Quick Start, against the real `retro-ml serve` and Chromium: the
first-launch tips, Quick Start following Settings' training defaults, Latest Videos of a
real filmed run, and the live connection coming back (with the truth) after the server
restarts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.helpers.run_configs import LONG_PPO, TINY_PPO
from tests.helpers.server import LiveServer, start_server

pytestmark = pytest.mark.e2e

HOSTILE = 'Film <script>window.__pwned=1</script> "quoted"'


def _api(server: LiveServer, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, f"{server.base_url}{path}", headers=server.auth_headers, timeout=30, **kwargs)


def _create(server: LiveServer, **payload) -> dict:
    response = _api(server, "POST", "/api/experiments", json=payload)
    assert response.status_code == 201, response.text
    return response.json()["experiment"]


def _stop(server: LiveServer) -> None:
    code = server.stop()
    assert code == 0, f"server exited with {code}:\n{server.log_text()}"


def test_first_launch_tips_until_dont_show_again(tmp_path: Path, new_page, artifacts_dir: Path):
    data = tmp_path / "data"
    server = start_server(data, onboarding_done=False)
    try:
        page: Page = new_page()
        page.goto(server.login_url)
        tips = page.get_by_test_id("onboarding")
        expect(tips).to_be_visible()
        expect(tips.get_by_role("heading")).to_have_text("Welcome! Three tips to start")
        expect(tips.locator(".onboarding__tip")).to_have_count(3)
        expect(tips.get_by_role("button", name="Got it")).to_be_focused()
        page.screenshot(path=str(artifacts_dir / "onboarding-dark.png"))

        # Closed without "Don't show again": back on the next launch (here: a reload).
        page.keyboard.press("Enter")
        expect(tips).to_be_hidden()
        page.reload()
        expect(page.get_by_test_id("onboarding")).to_be_visible()

        page.get_by_test_id("onboarding").get_by_label("Don't show again").check()
        page.get_by_test_id("onboarding").get_by_role("button", name="Got it").click()
        expect(page.get_by_test_id("onboarding")).to_be_hidden()
        page.wait_for_function(
            "async () => (await (await fetch('/api/settings')).json()).settings.onboarding_done === true"
        )
    finally:
        _stop(server)

    # Remembered across a restart of the app.
    server = start_server(data, onboarding_done=False)
    try:
        page = new_page()
        page.goto(server.login_url)
        expect(page.get_by_test_id("welcome")).to_be_visible()
        page.wait_for_timeout(500)
        expect(page.get_by_test_id("onboarding")).to_have_count(0)
    finally:
        _stop(server)


def test_quick_start_follows_the_training_defaults(live_server: LiveServer, page: Page):
    page.goto(live_server.login_url)
    expect(page.locator("#qs-game")).to_have_value("breakout")
    expect(page.locator("#qs-preset")).to_have_value("quick")
    expect(page.get_by_label("PPO (Recommended)")).to_be_checked()

    # Changed in Settings (here through its API): a fresh page starts from them...
    changed = _api(live_server, "PUT", "/api/settings", json={"default_game": "pong", "default_algorithm": "dqn"})
    assert changed.status_code == 200, changed.text
    page.reload()
    expect(page.locator("#qs-game")).to_have_value("pong")
    expect(page.get_by_label("DQN")).to_be_checked()
    expect(page.get_by_test_id("welcome")).to_contain_text("Starts Pong")


def test_latest_videos_of_a_filmed_run(live_server: LiveServer, page: Page, artifacts_dir: Path):
    page.goto(live_server.login_url)
    card = page.get_by_test_id("latest-videos")
    expect(page.get_by_test_id("welcome")).to_be_visible()
    expect(card).to_be_hidden()  # no video yet: no empty card

    filmed = {**TINY_PPO, "milestone_every_pct": 50, "milestone_max_seconds": 2}
    experiment = _create(live_server, game="pong", name=HOSTILE, config=filmed)

    # The clips appear live, newest first, at most three.
    rows = card.get_by_test_id("latest-video")
    expect(rows).to_have_count(2, timeout=240_000)
    videos = _api(live_server, "GET", "/api/videos").json()["videos"]
    assert [v["experiment_id"] for v in videos] == [experiment["id"]] * 2
    expect(rows.locator(".latest-video__name")).to_have_text([v["name"] for v in videos])
    newest = rows.first
    expect(newest.locator(".latest-video__kind")).to_have_text("Milestone 100%")
    expect(newest.locator(".latest-video__meta")).to_contain_text(HOSTILE)  # text, not markup
    expect(newest.locator(".latest-video__facts")).to_have_text(re.compile(r"MB • 0:0\d • "))
    expect(newest.locator('[data-field="score"]')).to_have_text(re.compile(r"^Score: -?\d+"))
    thumbnail = newest.locator("img")
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
    assert page.evaluate("window.__pwned") is None

    # Play: the in-app player on that video, focus back on Play when it closes.
    newest.get_by_role("button", name=re.compile("^Play ")).click()
    player = page.locator("dialog[open]").filter(has=page.locator("video"))
    expect(player).to_be_visible()
    expect(player.locator("video")).to_have_attribute("src", re.compile(videos[0]["id"]))
    page.wait_for_function("(v) => v.readyState >= 1 && v.duration > 0", arg=player.locator("video").element_handle())
    page.keyboard.press("Escape")
    expect(player).to_be_hidden()
    expect(newest.get_by_role("button", name=re.compile("^Play "))).to_be_focused()

    # Open Folder asks the server to reveal that very video.
    with page.expect_response(re.compile(rf"/api/videos/{videos[0]['id']}/reveal$")) as answer:
        newest.get_by_role("button", name=re.compile("^Open the folder of ")).click()
    assert answer.value.status in (200, 503), answer.value.text()
    expect(page.locator(".toast").last).to_contain_text(re.compile("Opened the folder|Could not open the folder"))

    # Settings → Storage's export folder is where the export dialog starts.
    exports = live_server.data_dir.parent / "my exports"
    saved = _api(live_server, "PUT", "/api/settings", json={"export_dir": str(exports)})
    assert saved.status_code == 200, saved.text
    page.goto(f"{live_server.base_url}/#/videos")
    page.get_by_role("button", name=re.compile("^Export Milestone 100%")).first.click()
    expect(page.locator("#export-destination")).to_have_value(str(exports.resolve()))
    page.keyboard.press("Escape")
    page.goto(f"{live_server.base_url}/#/")

    page.mouse.move(0, 0)
    page.wait_for_timeout(400)
    page.screenshot(path=str(artifacts_dir / "dashboard-latest-videos-dark.png"))
    page.evaluate("document.documentElement.dataset.theme = 'light'")
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts_dir / "dashboard-latest-videos-light.png"))
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts_dir / "dashboard-latest-videos-light-1920.png"))


def test_reconnects_and_resyncs_after_a_server_restart(tmp_path: Path, page: Page):
    data = tmp_path / "data"
    server = start_server(data)
    port = int(server.base_url.rsplit(":", 1)[1])
    try:
        running = _create(server, game="pong", name="Before the restart", config=LONG_PPO)
        page.goto(server.login_url)
        card = page.locator(f'[data-testid="activity-card"][data-experiment-id="{running["id"]}"]')
        expect(card.locator('[data-field="status"]')).to_have_text("Running", timeout=120_000)
        expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "live")
    finally:
        _stop(server)

    # The server is gone: the page says it is reconnecting (no reload).
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "reconnecting", timeout=30_000)

    server = start_server(data, port=port, token=server.token)
    try:
        # Back by itself, and the run's real state (its worker ended with the old server)
        # replaces the "Running" the page showed before.
        expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "live", timeout=60_000)
        truth = _api(server, "GET", f"/api/experiments/{running['id']}").json()["experiment"]
        assert truth["metadata"]["status"] != "running"
        expect(card.locator('[data-field="status"]')).not_to_have_text("Running", timeout=30_000)

        # Live events flow on the new connection: a run created now appears without a reload.
        fresh = _create(server, game="pong", name="After the restart", config=TINY_PPO)
        fresh_card = page.locator(f'[data-testid="activity-card"][data-experiment-id="{fresh["id"]}"]')
        expect(fresh_card).to_be_visible(timeout=60_000)
        expect(fresh_card.locator('[data-field="status"]')).to_have_text("Completed", timeout=240_000)
    finally:
        _stop(server)
