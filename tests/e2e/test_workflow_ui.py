"""The plan's main workflow across the tabs, as one user does it, against the real server,
a real worker and Chromium: Quick Start → the Training tab's monitor → a video appears (the
Videos badge) → play it → export it → rename it → open its location."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.helpers.server import LiveServer

pytestmark = pytest.mark.e2e

STEPS = 1024  # one PPO rollout of the Quick preset (8 games × 128 steps)


def _api(server: LiveServer, path: str) -> dict:
    response = requests.get(f"{server.base_url}/api{path}", headers=server.auth_headers, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_quick_start_to_a_shared_video(live_server: LiveServer, page: Page, tmp_path: Path, artifacts_dir: Path):
    page.goto(live_server.login_url)

    # Quick Start: Breakout, a custom length, PPO — one click.
    expect(page.locator("#qs-game")).to_have_value("breakout")
    page.select_option("#qs-preset", "custom")
    page.locator("#qs-timesteps").fill(str(STEPS))
    page.get_by_role("button", name="Start Your First Training").click()
    expect(page.get_by_test_id("toast").filter(has_text="Training started")).to_be_visible()
    card = page.get_by_test_id("activity-card")
    experiment_id = card.get_attribute("data-experiment-id")
    assert experiment_id

    # The Training tab's monitor follows the run live.
    page.get_by_role("link", name="Training").click()
    monitor = page.locator(f'[data-testid="training-monitor"][data-experiment-id="{experiment_id}"]')
    expect(monitor).to_be_visible()
    expect(monitor).to_contain_text("Breakout")
    expect(monitor.locator('[data-field="progress-steps"]')).to_contain_text(f"/ {STEPS:,}", timeout=120_000)

    # A milestone clip is filmed: the Videos tab's badge counts it, wherever the user is.
    badge = page.get_by_test_id("videos-badge")
    expect(badge).to_be_visible(timeout=240_000)
    expect(badge).to_have_text(re.compile(r"^[1-9]\d*$"))
    page.get_by_test_id("toast").filter(has_text="New video").first.wait_for()

    # The run ends; its row in the table says so.
    row = page.locator(f'[data-testid="training-row"][data-experiment-id="{experiment_id}"]')
    expect(row).to_contain_text("Completed", timeout=300_000)

    # The Videos tab: the badge clears, the clip is there; play it and seek.
    page.get_by_role("link", name=re.compile("^Videos")).click()
    expect(badge).to_be_hidden()
    videos = _api(live_server, f"/videos?experiment_id={experiment_id}")["videos"]
    clip = next(v for v in videos if v["type"] == "milestone")
    card = page.locator(f'[data-testid="videos-card"][data-video-id="{clip["id"]}"]')
    expect(card).to_be_visible()
    card.locator('[data-field="video-play"]').click()
    player = page.locator("dialog[open]").filter(has=page.locator("video"))
    video = player.locator("video")
    page.wait_for_function("(v) => v.readyState >= 1 && v.duration > 0", arg=video.element_handle())
    page.wait_for_function(
        """(v) => new Promise((resolve) => {
            v.addEventListener('seeked', () => resolve(true), { once: true });
            v.currentTime = v.duration / 2;
        })""",
        arg=video.element_handle(),
    )
    page.keyboard.press("Escape")
    expect(player).to_be_hidden()

    # Export a copy to a folder: progress, then the file is there.
    destination = tmp_path / "shared"
    card.get_by_role("button", name=re.compile("^Export ")).click()
    export = page.get_by_test_id("export-dialog")
    expect(export.get_by_role("radio", name=re.compile("^Copy to a folder"))).to_be_checked()
    destination.mkdir()
    export.get_by_label("Save in folder").fill(str(destination))
    export.get_by_role("button", name="Export", exact=True).click()
    job = export.get_by_test_id("export-job")
    expect(job).to_have_attribute("data-status", "completed", timeout=120_000)
    [copied] = list(destination.iterdir())
    assert copied.read_bytes() == Path(clip["path"]).read_bytes()
    export.get_by_role("button", name="Done").click()
    expect(export).to_be_hidden()

    # Rename it: the card and the file follow.
    card.locator('[data-field="video-menu-button"]').click()
    page.get_by_role("menuitem", name="Rename…").click()
    page.locator("#rename-name").fill("First bounce")
    page.locator('[data-field="rename-save"]').click()
    expect(card.locator('[data-field="video-name"]')).to_have_text("First bounce")
    renamed = _api(live_server, f"/videos/{clip['id']}")["video"]
    assert Path(renamed["path"]).name == "First bounce.mp4" and Path(renamed["path"]).is_file()

    # Open its location: the server opens the file manager at that file.
    card.locator('[data-field="video-menu-button"]').click()
    with page.expect_response(re.compile(rf"/api/videos/{clip['id']}/reveal$")) as answer:
        page.get_by_role("menuitem", name="Open location").click()
    assert answer.value.status in (200, 503), answer.value.text()
    expect(page.get_by_test_id("toast").filter(has_text=re.compile("Opened the folder|Could not open"))).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "workflow-videos-dark.png"))
