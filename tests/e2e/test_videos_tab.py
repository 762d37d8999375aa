"""The Videos tab ("My Videos") as a user sees it, against the real `retro-ml serve`, a real
tiny training run that films milestone clips and an evaluation game, and Chromium: the new-video
badge and notices, the grid and the list, filters in the address bar, play, rename, tags,
multi-select with batch favourite and batch delete."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from tests.helpers.run_configs import TINY_PPO
from tests.helpers.server import LiveServer, start_server

pytestmark = pytest.mark.e2e

# Two milestone clips (50%, 100%, ≤ 2 s each) and one evaluation game: three videos, cheaply.
FILMED = {**TINY_PPO, "milestone_every_pct": 50, "milestone_max_seconds": 2, "eval_episodes": 1}
# One clip at 100%: the video that arrives while the Videos tab is open.
ONE_CLIP = {**TINY_PPO, "milestone_every_pct": 100, "milestone_max_seconds": 2}
HOSTILE = 'Clips <script>window.__pwned=1</script> "quoted" <img src=x onerror="window.__pwned=2">'
TRAINING_TIMEOUT_MS = 240_000

RUN: dict[str, str] = {}  # the filmed run's id, once the first test made it


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    server = start_server(tmp_path_factory.mktemp("videos-tab") / "data")
    try:
        yield server
    finally:
        server.stop()


def _api(server: LiveServer, method: str, path: str, **kwargs) -> dict:
    response = requests.request(method, f"{server.base_url}{path}", headers=server.auth_headers, timeout=30, **kwargs)
    assert response.ok, response.text
    return response.json()


def _create(server: LiveServer, name: str, config: dict) -> str:
    body = {"game": "pong", "name": name, "config": config}
    return _api(server, "POST", "/api/experiments", json=body)["experiment"]["id"]


def _wait_completed(server: LiveServer, experiment_id: str) -> None:
    deadline = time.monotonic() + TRAINING_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        status = _api(server, "GET", f"/api/experiments/{experiment_id}")["experiment"]["metadata"]["status"]
        if status == "completed":
            return
        assert status in ("queued", "running"), status
        time.sleep(0.5)
    raise AssertionError("the training run did not complete in time")


def _videos(server: LiveServer, **params) -> list[dict]:
    return _api(server, "GET", "/api/videos", params=params)["videos"]


@pytest.fixture
def run(server) -> str:
    """The filmed run (made by the first test; made here when that one did not run)."""
    if "id" not in RUN:
        RUN["id"] = _create(server, HOSTILE, FILMED)
        _wait_completed(server, RUN["id"])
    return RUN["id"]


def _open_videos(page: Page, server: LiveServer, query: str = "") -> Locator:
    page.goto(server.login_url)
    page.goto(f"{server.base_url}/#/videos{query}")
    view = page.get_by_test_id("videos-view")
    expect(view).to_be_visible()
    return view


def _cards(page: Page) -> Locator:
    return page.get_by_test_id("videos-card")


def _card(page: Page, label: str) -> Locator:
    return _cards(page).filter(has=page.locator('[data-field="video-type"]', has_text=re.compile(f"^{label}$")))


def _shots(page: Page, artifacts_dir, name: str) -> None:
    """1280×800 and 1920×1080, dark and light."""
    for width, height in ((1280, 800), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        for theme in ("dark", "light"):
            page.evaluate(f"document.documentElement.dataset.theme = '{theme}'")
            page.mouse.move(0, 0)
            page.wait_for_timeout(300)
            page.screenshot(path=str(artifacts_dir / f"videos-tab-{name}-{theme}-{width}.png"))
    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    page.set_viewport_size({"width": 1280, "height": 800})


def test_new_videos_badge_and_notices_then_cleared_by_a_visit(server, page: Page, artifacts_dir):
    page.goto(server.login_url)
    expect(page.get_by_test_id("recent-experiments")).to_be_attached()
    badge = page.get_by_test_id("videos-badge")
    expect(badge).to_be_hidden()
    # No videos yet: the tab says how to get some.
    page.get_by_role("link", name=re.compile("^Videos")).click()
    empty = page.get_by_test_id("videos-empty")
    expect(empty).to_contain_text("No videos yet")
    expect(empty).to_contain_text(
        re.compile("start a training on the Dashboard; milestone clips appear here as the agent learns", re.I)
    )
    _shots(page, artifacts_dir, "empty")
    empty.get_by_role("link", name="Go to the Dashboard").click()
    expect(page.locator('[data-view="dashboard"]')).to_be_visible()
    expect(page.get_by_test_id("videos-view")).to_be_hidden()

    RUN["id"] = experiment_id = _create(server, HOSTILE, FILMED)

    # On the Dashboard: a notice per clip, with its kind and its run's name, as text.
    toasts = page.get_by_test_id("toast")
    expect(toasts.filter(has_text=f"New video: Milestone 50% — {HOSTILE}")).to_be_visible(timeout=TRAINING_TIMEOUT_MS)
    expect(toasts.filter(has_text="New video: Milestone 50%").first).to_contain_text(re.compile(r"Score -?\d+"))
    expect(toasts.filter(has_text=f"New video: Evaluation — {HOSTILE}")).to_be_visible(timeout=TRAINING_TIMEOUT_MS)
    _wait_completed(server, experiment_id)
    assert len(_videos(server)) == 3
    # The badge on the Videos tab counts them.
    expect(badge).to_have_text("3")
    expect(badge).to_have_attribute("title", "3 new videos since you last opened Videos")
    assert page.evaluate("window.__pwned") is None

    # Opening Videos clears the badge and marks the new ones.
    page.get_by_role("link", name=re.compile("^Videos")).click()
    expect(page).to_have_url(re.compile(r"#/videos$"))
    expect(_cards(page)).to_have_count(3)
    expect(page.locator('[data-field="new-pill"]')).to_have_count(3)
    expect(badge).to_be_hidden()
    # Saved on the server: a reload keeps the badge cleared and the clips are no longer new.
    deadline = time.monotonic() + 10
    while not _api(server, "GET", "/api/settings")["settings"]["videos_seen_at"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _api(server, "GET", "/api/settings")["settings"]["videos_seen_at"]
    page.goto(f"{server.base_url}/#/dashboard")
    with page.expect_response(lambda r: r.url.endswith("/api/videos") and r.request.method == "GET"):
        page.reload()  # the badge counts from this answer
    page.wait_for_timeout(500)
    expect(badge).to_be_hidden()
    page.get_by_role("link", name=re.compile("^Videos")).click()
    expect(_cards(page)).to_have_count(3)
    expect(page.locator('[data-field="new-pill"]')).to_have_count(0)


def test_grid_thumbnails_filters_and_back(server, run, page: Page, artifacts_dir):
    _open_videos(page, server)
    cards = _cards(page)
    expect(cards).to_have_count(3)
    expect(page.get_by_test_id("videos-view").locator('[data-field="videos-summary"]')).to_have_text(
        re.compile(r"^3 videos · .*MB$")
    )
    # Thumbnails that loaded; names, run names and figures as text.
    for index in range(3):
        thumbnail = cards.nth(index).locator('img[data-field="thumbnail"]')
        expect(thumbnail).to_be_visible()
        page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
        expect(cards.nth(index).locator('[data-field="video-name"]')).to_contain_text(HOSTILE)
        expect(cards.nth(index).locator('[data-field="experiment-link"]')).to_have_text(f"Pong · {HOSTILE}")
        expect(cards.nth(index).locator('[data-field="video-duration"]')).to_have_text(re.compile(r"^0:0\d$"))
        expect(cards.nth(index).locator('[data-field="video-size"]')).to_have_text(re.compile(r"MB$"))
    # Newest first: the evaluation is recorded last.
    expect(cards.locator('[data-field="video-type"]')).to_have_text(["Evaluation", "Milestone 100%", "Milestone 50%"])
    assert page.evaluate("window.__pwned") is None
    _shots(page, artifacts_dir, "grid")

    # The type filter narrows the grid and lives in the address bar: Back undoes it.
    type_filter = page.locator('[data-field="filter-type"]')
    type_filter.select_option("milestone")
    expect(page).to_have_url(re.compile(r"#/videos\?type=milestone$"))
    expect(cards).to_have_count(2)
    type_filter.select_option("evaluation")
    expect(cards).to_have_count(1)
    page.go_back()
    expect(cards).to_have_count(2)
    expect(type_filter).to_have_value("milestone")
    page.go_back()
    expect(cards).to_have_count(3)
    expect(type_filter).to_have_value("")
    # A filter with nothing to show says so and offers to clear it.
    page.goto(f"{server.base_url}/#/videos?game=breakout")
    expect(page.get_by_test_id("videos-empty-filter")).to_contain_text("No videos match these filters.")
    page.get_by_test_id("videos-empty-filter").get_by_role("button", name="Clear filters").click()
    expect(cards).to_have_count(3)

    # Favorites: star one, the Favorites scope shows just it; Back returns to all.
    star = _card(page, "Milestone 50%").locator('[data-field="video-favorite"]')
    star.click()
    expect(star).to_have_attribute("aria-pressed", "true")
    page.locator('[data-field="scope-favorites"]').click()
    expect(page).to_have_url(re.compile(r"scope=favorites"))
    expect(cards).to_have_count(1)
    expect(cards.locator('[data-field="video-type"]')).to_have_text("Milestone 50%")
    page.go_back()
    expect(cards).to_have_count(3)

    # Sort: longest first keeps every video; by name too.
    page.locator('[data-field="videos-sort"]').select_option("name")
    expect(page).to_have_url(re.compile(r"sort=name"))
    expect(cards).to_have_count(3)

    # By experiment: one group named after the run, as text.
    page.locator('[data-field="scope-experiments"]').click()
    group = page.get_by_test_id("videos-group")
    expect(group).to_have_count(1)
    expect(group.locator('[data-field="group-title"]')).to_have_text(HOSTILE)
    _shots(page, artifacts_dir, "groups")


def test_list_view_play_rename_tags_and_the_run_link(server, run, page: Page, artifacts_dir):
    _open_videos(page, server)
    expect(_cards(page)).to_have_count(3)
    page.locator('[data-field="layout-list"]').click()
    expect(page.locator("ul.vt-list")).to_be_visible()
    expect(_cards(page).first).to_have_class(re.compile("vt-card--list"))
    _shots(page, artifacts_dir, "list")
    # Remembered for the session.
    page.reload()
    expect(page.locator("ul.vt-list")).to_be_visible()
    expect(page.locator('[data-field="layout-list"]')).to_have_attribute("aria-pressed", "true")

    # Play opens the in-app player, which seeks (the server answers range requests).
    evaluation = _card(page, "Evaluation")
    evaluation.locator('[data-field="video-play"]').click()
    player = page.get_by_test_id("video-player")
    expect(player).to_be_visible()
    video = player.locator('[data-field="player-video"]')
    page.wait_for_function("(v) => v.readyState >= 1 && v.duration > 1", arg=video.element_handle(), timeout=30_000)
    page.evaluate(
        """(v) => new Promise((resolve) => {
            v.addEventListener('seeked', resolve, { once: true });
            v.currentTime = 1.0;
        })""",
        video.element_handle(),
    )
    assert abs(video.evaluate("(v) => v.currentTime") - 1.0) < 0.2
    page.keyboard.press("Escape")
    expect(player).to_be_hidden()

    # Rename in place: the same card shows the new name.
    card = _card(page, "Milestone 100%")
    video_id = card.get_attribute("data-video-id")
    card.locator('[data-field="video-menu-button"]').click()
    page.get_by_role("menuitem", name="Rename…").click()
    name_field = page.locator("#rename-name")
    name_field.fill("Best rally & 'more'")
    page.locator('[data-field="rename-save"]').click()
    renamed = page.locator(f'[data-testid="videos-card"][data-video-id="{video_id}"]')
    expect(renamed.locator('[data-field="video-name"]')).to_have_text("Best rally & 'more'")
    assert _api(server, "GET", f"/api/videos/{video_id}")["video"]["name"] == "Best rally & 'more'"

    # Tags: add one in place (as text), filter by it, remove it.
    tag = '<b>"top"</b>'
    renamed.locator('[data-field="add-tag"]').click()
    tag_input = renamed.locator('[data-field="tag-input"]')
    tag_input.fill(tag)
    tag_input.press("Enter")
    expect(renamed.locator(".vt-tag__text", has_text=tag)).to_be_visible()
    assert tag in _api(server, "GET", f"/api/videos/{video_id}")["video"]["metadata"]["tags"]
    page.locator('[data-field="filter-tag"]').select_option(tag)
    expect(_cards(page)).to_have_count(1)
    expect(_cards(page)).to_have_attribute("data-video-id", video_id)
    page.locator('[data-field="clear-filters"]').click()
    expect(_cards(page)).to_have_count(3)
    renamed.get_by_role("button", name=f"Remove tag {tag}").click()
    expect(renamed.locator(".vt-tag__text", has_text=tag)).to_have_count(0)
    assert page.evaluate("window.__pwned") is None

    # The run link goes to the Experiments tab, on this run.
    renamed.locator('[data-field="experiment-link"]').click()
    expect(page).to_have_url(re.compile(rf"#/experiments/{run}$"))


def test_a_new_video_joins_the_open_grid_live(server, run, page: Page):
    _open_videos(page, server)
    expect(_cards(page)).to_have_count(3)
    page.evaluate("window.__sameDocument = true")
    experiment_id = _create(server, "Live one", ONE_CLIP)
    live_card = _cards(page).filter(has_text="Live one")
    expect(live_card).to_have_count(1, timeout=TRAINING_TIMEOUT_MS)
    expect(_cards(page)).to_have_count(4)
    expect(_cards(page).first).to_contain_text("Live one")  # newest first
    expect(live_card.locator('[data-field="new-pill"]')).to_be_visible()
    expect(page.get_by_test_id("toast").filter(has_text="New video: Milestone 100% — Live one")).to_be_visible()
    expect(page.get_by_test_id("videos-badge")).to_be_hidden()
    assert page.evaluate("window.__sameDocument") is True  # no reload
    _wait_completed(server, experiment_id)


def test_multi_select_batch_favourite_tag_export_and_delete(server, run, page: Page, artifacts_dir, tmp_path):
    _open_videos(page, server, "?experiment=" + run)
    cards = _cards(page)
    expect(cards).to_have_count(3)
    bar = page.get_by_test_id("videos-batch-bar")
    expect(bar).to_be_hidden()
    boxes = cards.locator('[data-field="video-select"]')

    # Shift-click selects a range; Esc clears.
    boxes.nth(0).check()
    boxes.nth(2).click(modifiers=["Shift"])
    expect(bar).to_be_visible()
    expect(bar.locator('[data-field="batch-summary"]')).to_have_text(re.compile(r"^3 videos selected · "))
    page.locator("body").press("Escape")
    expect(bar).to_be_hidden()
    expect(page.locator('[data-field="video-select"]:checked')).to_have_count(0)
    # "Select all" selects what is shown.
    page.locator('[data-field="select-all"]').click()
    expect(bar.locator('[data-field="batch-summary"]')).to_have_text(re.compile(r"^3 videos selected"))
    page.locator('[data-field="select-all"]').click()
    expect(bar).to_be_hidden()

    # Two selected → Favorite → both starred.
    first_id = cards.nth(0).get_attribute("data-video-id")
    second_id = cards.nth(1).get_attribute("data-video-id")
    boxes.nth(0).check()
    boxes.nth(1).check()
    expect(bar.locator('[data-field="batch-summary"]')).to_have_text(re.compile(r"^2 videos selected · .*MB$"))
    page.mouse.move(0, 0)
    _shots(page, artifacts_dir, "selection")
    bar.get_by_role("button", name="Favorite").click()
    for video_id in (first_id, second_id):
        star = page.locator(f'[data-testid="videos-card"][data-video-id="{video_id}"] [data-field="video-favorite"]')
        expect(star).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("toast").filter(has_text="2 videos added to favorites")).to_be_visible()
    assert all(_api(server, "GET", f"/api/videos/{i}")["video"]["metadata"]["favorite"] for i in (first_id, second_id))

    # Add one tag to both.
    bar.get_by_role("button", name="Add tag…").click()
    tag_dialog = page.get_by_test_id("batch-tag-dialog")
    tag_dialog.get_by_label("Tag", exact=True).fill("keep")
    tag_dialog.get_by_label("Tag", exact=True).press("Enter")
    expect(tag_dialog).to_be_hidden()
    for video_id in (first_id, second_id):
        card = page.locator(f'[data-testid="videos-card"][data-video-id="{video_id}"]')
        expect(card.locator(".vt-tag__text", has_text="keep")).to_be_visible()
    expect(page.get_by_test_id("toast").filter(has_text="Tagged 2 videos “keep”")).to_be_visible()

    # Export both to a folder: one format, one folder, one progress bar, one notice.
    bar.get_by_role("button", name="Export…").click()
    export = page.get_by_test_id("batch-export-dialog")
    expect(export.locator('input[value="video.copy"]')).to_be_checked()
    export.locator("#batch-export-destination").fill(str(tmp_path))
    export.get_by_role("button", name="Export 2 videos").click()
    expect(export.locator('[data-field="batch-export-status"]')).to_have_text("2 of 2 videos exported.", timeout=60_000)
    expect(page.get_by_test_id("toast").filter(has_text="Exported 2 videos")).to_be_visible()
    export.locator(".dialog__foot").get_by_role("button", name="Close").click()
    expect(export).to_have_count(0)
    assert len(list(tmp_path.glob("*.mp4"))) == 2

    # Delete both: the confirmation says how many and how big; then they are gone.
    bar.get_by_role("button", name="Delete…").click()
    dialog = page.get_by_test_id("batch-delete-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#batch-delete-title")).to_have_text("Move 2 videos to the trash?")
    expect(dialog.locator('[data-field="batch-delete-lead"]')).to_contain_text(re.compile(r"2 videos, .*MB in all"))
    expect(dialog.locator('[data-field="batch-delete-names"] li')).to_have_count(2)
    dialog.locator('[data-field="batch-delete-confirm"]').click()
    expect(dialog).to_be_hidden()
    expect(cards).to_have_count(1)
    expect(page.get_by_test_id("toast").filter(has_text="2 videos moved to the trash")).to_be_visible()
    remaining = {video["id"] for video in _videos(server)}
    assert first_id not in remaining and second_id not in remaining
    expect(bar).to_be_hidden()
