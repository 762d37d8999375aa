"""Videos in "View Details" as a user sees them: the milestone tracker, the video list and its
player, and the live game view, against the real `retro-ml serve`, a real worker and Chromium."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from tests.helpers.run_configs import LONG_PPO, TINY_PPO

pytestmark = pytest.mark.e2e

# Every kind of video, kept short: clips at 50% and 100% (≤ 2 s each), a 7 s "watch it
# learn" video in 2 s parts, and one evaluation game (≤ 2 s).
FILMED_PPO = {
    **TINY_PPO,
    "milestone_every_pct": 50,
    "milestone_max_seconds": 2,
    "video_length_hours": 0.002,
    "video_segment_seconds": 2,
    "eval_episodes": 1,
}
HOSTILE = 'Clips <script>window.__pwned=1</script> "quoted" <img src=x onerror="window.__pwned=2">'

# Records every label the video list and every state the tracker's chips go through, so
# short-lived ones (the long video's parts, a chip's ⏳) are seen even between polls.
RECORD_VIDEO_STATES = """
() => {
  window.__videoLabels = new Set();
  window.__chipStates = new Set();
  const record = () => {
    for (const label of document.querySelectorAll('[data-testid="video-item"] [data-field="video-type"]')) {
      window.__videoLabels.add(label.textContent);
    }
    for (const chip of document.querySelectorAll('[data-testid="milestone-tracker"] .milestone')) {
      window.__chipStates.add(`${chip.dataset.pct}:${chip.dataset.state}`);
    }
  };
  new MutationObserver(record).observe(document.body, {
    subtree: true, childList: true, characterData: true, attributes: true,
  });
}
"""


def _create(live_server, **payload) -> dict:
    response = requests.post(
        f"{live_server.base_url}/api/experiments", json=payload, headers=live_server.auth_headers, timeout=30
    )
    assert response.status_code == 201, response.text
    return response.json()["experiment"]


def _videos(live_server, experiment_id: str) -> list[dict]:
    response = requests.get(
        f"{live_server.base_url}/api/videos",
        params={"experiment_id": experiment_id},
        headers=live_server.auth_headers,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()["videos"]


def _open_details(page: Page, experiment_id: str) -> Locator:
    card = page.locator(f'[data-testid="activity-card"][data-experiment-id="{experiment_id}"]')
    card.get_by_role("button", name="View Details").click()
    dialog = page.get_by_test_id("details-dialog")
    expect(dialog).to_be_visible()
    return dialog


def _settle(page: Page) -> None:
    """Lets entrance animations finish and moves the mouse out of the way before a screenshot."""
    page.mouse.move(0, 0)
    page.wait_for_timeout(400)


def _settle_video(page: Page, video: Locator) -> None:
    """Waits until the player has data ahead and Chromium's loading ring has faded, for a screenshot."""
    page.wait_for_function("(v) => v.readyState >= 3", arg=video.element_handle(), timeout=30_000)
    page.mouse.move(0, 0)
    page.wait_for_timeout(2_000)


def test_milestones_video_list_and_player_of_a_filmed_run(live_server, page: Page, artifacts_dir):
    experiment = _create(live_server, game="pong", name=HOSTILE, config=FILMED_PPO)
    experiment_id = experiment["id"]

    page.goto(live_server.login_url)
    page.evaluate(RECORD_VIDEO_STATES)
    dialog = _open_details(page, experiment_id)

    # The tracker: one chip per milestone of `milestone_every_pct` = 50.
    tracker = dialog.get_by_test_id("milestone-tracker")
    chips = tracker.locator(".milestone")
    expect(chips).to_have_count(2)
    expect(chips.nth(0)).to_have_attribute("data-pct", "50")
    expect(chips.nth(1)).to_have_attribute("data-pct", "100")
    videos = dialog.get_by_test_id("video-list")

    # Both clips recorded, live, while the dialog stays open.
    expect(chips.nth(0)).to_have_attribute("data-state", "done", timeout=240_000)
    _settle(page)
    page.screenshot(path=str(artifacts_dir / "videos-running-dark.png"))  # mid-run, if it still runs
    expect(chips.nth(1)).to_have_attribute("data-state", "done", timeout=240_000)
    expect(chips.nth(0)).to_contain_text("50%")
    expect(chips.nth(0)).to_have_attribute("title", "50%: clip recorded")
    expect(tracker.locator('[data-field="milestone-summary"]')).to_have_text("2 of 2 recorded")
    expect(dialog.locator('[data-field="status"]')).to_have_text("Completed", timeout=240_000)

    # Every kind of video, newest first; the joined long video replaced its parts.
    expected = api_labels(_videos(live_server, experiment_id))
    assert sorted(expected) == ["Evaluation", "Milestone 100%", "Milestone 50%", "Watch it learn"], expected
    items = videos.get_by_test_id("video-item")
    expect(items.locator('[data-field="video-type"]')).to_have_text(expected, timeout=30_000)
    expect(videos.locator('[data-field="video-count"]')).to_have_text("4 videos")

    # The list and the tracker moved live: a chip waited (⏳) before it was done, and the long
    # video's parts were listed while it was filmed.
    chip_states = set(page.evaluate("[...window.__chipStates]"))
    assert chip_states & {"100:next", "100:recording"}, chip_states
    seen_labels = set(page.evaluate("[...window.__videoLabels]"))
    assert "Watch it learn (part 1)" in seen_labels, seen_labels

    # Thumbnails loaded, names are text, figures are there.
    for index in range(items.count()):
        item = items.nth(index)
        item.scroll_into_view_if_needed()
        thumbnail = item.locator('img[data-field="thumbnail"]')
        expect(thumbnail).to_be_visible()
        page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
        expect(item.locator('[data-field="video-name"]')).to_contain_text(HOSTILE)
        expect(item.locator('[data-field="video-duration"]')).to_have_text(re.compile(r"^0:0\d$"))
        expect(item.locator('[data-field="video-size"]')).to_have_text(re.compile(r"MB$"))
    evaluation = videos.locator('[data-testid="video-item"][data-type="evaluation"]')
    expect(evaluation.locator('[data-field="video-scores"]')).to_have_text(re.compile(r"^Game score: -?\d+$"))
    expect(evaluation.locator('[data-field="video-score"]')).to_have_text(re.compile(r"^Score -?\d+$"))
    assert page.evaluate("window.__pwned") is None

    dialog.locator(".dialog__body").evaluate("(body) => { body.scrollTop = 0; }")
    _settle(page)
    page.screenshot(path=str(artifacts_dir / "videos-details-dark.png"))
    videos.scroll_into_view_if_needed()
    _settle(page)
    page.screenshot(path=str(artifacts_dir / "videos-list-dark.png"))

    # Play the long video: it loads, has the clip's length, and seeks (HTTP range requests).
    [long_video] = [v for v in _videos(live_server, experiment_id) if v["type"] == "hour"]
    assert long_video["metadata"]["segment"] is None
    row = videos.locator('[data-testid="video-item"][data-type="hour"]')
    play = row.get_by_role("button", name="Play")
    play.click()
    player = page.get_by_test_id("video-player")
    expect(player).to_be_visible()
    expect(player.get_by_role("heading", level=2)).to_have_text(long_video["name"])
    expect(player.locator('[data-field="player-type"]')).to_have_text("Watch it learn")
    video = player.locator("video")
    expect(video).to_have_attribute("src", f"/api/videos/{long_video['id']}/file")
    expect(video).to_have_attribute("preload", "metadata")
    page.wait_for_function("(v) => v.readyState >= 2", arg=video.element_handle(), timeout=30_000)
    duration = video.evaluate("(v) => v.duration")
    assert duration == pytest.approx(long_video["metadata"]["duration"], abs=0.1)
    target = round(duration * 0.7, 2)
    seeked = video.evaluate(
        """(v, target) => new Promise((resolve, reject) => {
            v.addEventListener("seeked", () => resolve(v.currentTime), { once: true });
            v.addEventListener("error", () => reject(new Error("video error " + v.error?.code)), { once: true });
            v.currentTime = target;
        })""",
        target,
    )
    assert seeked == pytest.approx(target, abs=0.1)
    expect(player.locator('[data-field="player-error"]')).to_be_hidden()
    _settle_video(page, video)
    page.screenshot(path=str(artifacts_dir / "videos-player-dark.png"))

    # Escape closes the player only; the focus is back on its Play button.
    page.keyboard.press("Escape")
    expect(player).to_be_hidden()
    expect(dialog).to_be_visible()
    expect(play).to_be_focused()

    # The evaluation plays too, with its game scores.
    evaluation.get_by_role("button", name="Play").click()
    expect(player).to_be_visible()
    expect(player.locator('[data-field="player-scores"]')).to_have_text(re.compile(r"^Evaluation game: -?\d+$"))
    page.wait_for_function("(v) => v.readyState >= 2", arg=video.element_handle(), timeout=30_000)
    player.get_by_role("button", name="Close player").click()
    expect(player).to_be_hidden()

    # The light theme (the toggle sits behind the dialog: close, switch, reopen).
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.get_by_role("button", name="Switch to light theme").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    dialog = _open_details(page, experiment_id)
    expect(dialog.get_by_test_id("video-item")).to_have_count(4)
    for image in dialog.locator('img[data-field="thumbnail"]').all():
        image.scroll_into_view_if_needed()
        page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    dialog.locator(".dialog__body").evaluate("(body) => { body.scrollTop = 0; }")
    _settle(page)
    page.screenshot(path=str(artifacts_dir / "videos-details-light.png"))
    dialog.get_by_test_id("video-list").scroll_into_view_if_needed()
    _settle(page)
    page.screenshot(path=str(artifacts_dir / "videos-list-light.png"))
    dialog.get_by_test_id("video-item").first.get_by_role("button", name="Play").click()
    _settle_video(page, page.get_by_test_id("video-player").locator("video"))
    page.screenshot(path=str(artifacts_dir / "videos-player-light.png"))
    assert page.evaluate("window.__pwned") is None


def api_labels(videos: list[dict]) -> list[str]:
    """The labels the list shows, in the API's order (newest first)."""
    names = {"evaluation": "Evaluation"}
    labels = []
    for video in videos:
        if video["type"] == "milestone":
            labels.append(f"Milestone {video['metadata']['milestone_pct']:g}%")
        elif video["type"] == "hour":
            segment = video["metadata"]["segment"]
            labels.append("Watch it learn" if segment is None else f"Watch it learn (part {segment})")
        else:
            labels.append(names[video["type"]])
    return labels


def _wait_for_path(path: Path, exists: bool, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while path.exists() != exists and time.monotonic() < deadline:
        time.sleep(0.1)
    assert path.exists() == exists, f"{path} {'missing' if exists else 'still there'} after {timeout} s"


def _wait_for_frames(page: Page, live: Locator) -> int:
    """Waits for a 320-pixel-wide frame and for the step count to move; returns the step."""
    frame = live.locator('img[data-field="live-frame"]')
    expect(frame).to_be_visible(timeout=30_000)
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth === 320", arg=frame.element_handle(), timeout=30_000
    )
    step = live.locator('[data-field="live-step"]')
    expect(step).to_have_text(re.compile(r"^[\d,]+$"))
    first = int(re.sub(r"\D", "", step.inner_text()))
    page.wait_for_function(
        "([node, first]) => Number(node.textContent.replace(/\\D/g, '')) > first",
        arg=[step.element_handle(), first],
        timeout=30_000,
    )
    return first


def _set_offline(cdp, offline: bool) -> None:
    """Cuts (or restores) the page's network, its websocket included, as a dropped Wi-Fi would."""
    conditions = {"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
    cdp.send("Network.emulateNetworkConditions", conditions)


def test_watch_live_shows_the_game_and_stops_when_no_one_watches(live_server, page: Page, artifacts_dir):
    live_frames: list[float] = []

    def on_websocket(socket) -> None:
        def received(payload) -> None:
            if isinstance(payload, str) and '"live.frame"' in payload:
                live_frames.append(time.monotonic())

        socket.on("framereceived", received)

    page.on("websocket", on_websocket)
    experiment = _create(live_server, game="pong", config=LONG_PPO)
    experiment_id = experiment["id"]
    watch_file = Path(experiment["run_dir"]) / "LIVE_VIEW"

    page.goto(live_server.login_url)
    card = page.locator(f'[data-testid="activity-card"][data-experiment-id="{experiment_id}"]')
    expect(card.locator('[data-field="status"]')).to_have_text("Running", timeout=120_000)
    dialog = _open_details(page, experiment_id)
    live = dialog.get_by_test_id("live-view")
    toggle = live.get_by_role("button", name="Watch live")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(live.locator('img[data-field="live-frame"]')).to_be_hidden()
    assert not watch_file.exists(), "nothing is rendered until someone watches"

    # On: frames of the real game, the step count moving, a Live badge.
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    _wait_for_frames(page, live)
    expect(live.locator('[data-field="live-badge"]')).to_have_text("Live")
    assert (
        live.locator('img[data-field="live-frame"]').evaluate("(img) => getComputedStyle(img).imageRendering")
        == "pixelated"
    )
    _wait_for_path(watch_file, exists=True)
    live.scroll_into_view_if_needed()
    _settle(page)
    page.screenshot(path=str(artifacts_dir / "videos-live-dark.png"))

    # The connection drops and comes back: the view asks for its frames again by itself.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    _set_offline(cdp, True)
    expect(page.get_by_test_id("connection")).to_have_text("Reconnecting…")
    _set_offline(cdp, False)
    expect(page.get_by_test_id("connection")).to_have_text("Live", timeout=30_000)
    expect(toggle).to_have_attribute("aria-pressed", "true")
    _wait_for_frames(page, live)

    # Off: the picture goes, the server stops rendering, and no frame comes any more.
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(live.locator('img[data-field="live-frame"]')).to_be_hidden()
    _wait_for_path(watch_file, exists=False)
    page.wait_for_timeout(500)  # a frame already on its way may still land
    count = len(live_frames)
    assert count > 0
    page.wait_for_timeout(2_500)
    assert len(live_frames) == count, "live.frame kept coming after Watch live was turned off"

    # Closing the dialog ends a watch too (light theme this time: the toggle is behind the dialog).
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.get_by_role("button", name="Switch to light theme").click()
    dialog = _open_details(page, experiment_id)
    live = dialog.get_by_test_id("live-view")
    live.get_by_role("button", name="Watch live").click()
    _wait_for_frames(page, live)
    _wait_for_path(watch_file, exists=True)
    live.scroll_into_view_if_needed()
    _settle(page)
    page.screenshot(path=str(artifacts_dir / "videos-live-light.png"))
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    _wait_for_path(watch_file, exists=False)

    # A run that stops while watched: the panel says why the picture went.
    dialog = _open_details(page, experiment_id)
    live = dialog.get_by_test_id("live-view")
    live.get_by_role("button", name="Watch live").click()
    _wait_for_frames(page, live)
    response = requests.post(
        f"{live_server.base_url}/api/experiments/{experiment_id}/stop", headers=live_server.auth_headers, timeout=30
    )
    assert response.status_code == 202, response.text
    expect(dialog.locator('[data-field="status"]')).to_have_text("Stopped", timeout=120_000)
    expect(live).to_contain_text("Live view is available while the run trains.")
    expect(live.get_by_role("button", name="Watch live")).to_be_hidden()
    expect(live.locator('img[data-field="live-frame"]')).to_be_hidden()
    _wait_for_path(watch_file, exists=False)
