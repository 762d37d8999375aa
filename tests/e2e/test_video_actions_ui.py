"""Every video action in "View Details" as a user does it: the favourite star, the actions menu
(by mouse and keyboard), Rename, Export (copy, YouTube, cancel), Copy path, Open location, Delete,
and "Share model…", against the real `retro-ml serve`, one real filmed run and Chromium.

One server and one training run serve the whole module (training is the slow part); the tests
run in file order and the deletion comes last but one. The server's OS trash is a folder of the
test (XDG_DATA_HOME), so nothing lands in the real one.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from tests.helpers.run_configs import TINY_PPO
from tests.helpers.server import LiveServer, start_server

pytestmark = pytest.mark.e2e

# Two milestone clips (≤ 2 s), one evaluation game and a ~15 s "watch it learn" video: long
# enough for a YouTube encode to be seen running (and cancelled) on a fast machine too.
FILMED_PPO = {
    **TINY_PPO,
    "milestone_every_pct": 50,
    "milestone_max_seconds": 2,
    "video_length_hours": 0.004,
    "video_segment_seconds": 2,
    "eval_episodes": 1,
}
HOSTILE = 'Acts <script>window.__pwned=1</script> "quoted" <img src=x onerror="window.__pwned=2">'
RUN_TIMEOUT_S = 420


# ---------- the shared server and run ----------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    base = tmp_path_factory.mktemp("video-actions-ui")
    (base / "xdg").mkdir()
    live = start_server(base / "data", env={"XDG_DATA_HOME": str(base / "xdg")})
    try:
        yield live
    finally:
        code = live.stop()
        assert code == 0, f"server exited with {code}:\n{live.log_text()}"
        assert "Traceback" not in live.log_text(), live.log_text()


@pytest.fixture(scope="module")
def run(server: LiveServer) -> dict[str, Any]:
    """A completed filmed Pong run (its videos: 2 clips, the long video, the evaluation)."""
    body = {"game": "pong", "name": HOSTILE, "config": FILMED_PPO}
    experiment = _call(server, "POST", "/experiments", 201, json=body)["experiment"]
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while True:
        experiment = _call(server, "GET", f"/experiments/{experiment['id']}")["experiment"]
        status = experiment["metadata"]["status"]
        if status == "completed":
            break
        assert status in ("queued", "running"), experiment["metadata"]
        assert time.monotonic() < deadline, f"the run did not complete in {RUN_TIMEOUT_S} s"
        time.sleep(1)
    kinds = sorted(v["type"] for v in _videos(server, experiment["id"]))
    assert kinds == ["evaluation", "hour", "milestone", "milestone"], kinds
    return experiment


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


def _call(server: LiveServer, method: str, path: str, expect_status: int = 200, **kwargs: Any) -> dict[str, Any]:
    response = requests.request(
        method, f"{server.base_url}/api{path}", headers=server.auth_headers, timeout=30, **kwargs
    )
    assert response.status_code == expect_status, f"{method} {path}: {response.status_code} {response.text}"
    return response.json()


def _videos(server: LiveServer, experiment_id: str) -> list[dict[str, Any]]:
    return _call(server, "GET", f"/videos?experiment_id={experiment_id}")["videos"]


def _video(server: LiveServer, run: dict[str, Any], kind: str, pct: float | None = None) -> dict[str, Any]:
    [video] = [
        v
        for v in _videos(server, run["id"])
        if v["type"] == kind and (pct is None or v["metadata"]["milestone_pct"] == pct)
    ]
    return video


# ---------- the page ----------


def _open_details(page: Page, server: LiveServer, run: dict[str, Any]) -> Locator:
    page.goto(server.login_url)
    card = page.locator(f'[data-testid="activity-card"][data-experiment-id="{run["id"]}"]')
    card.get_by_role("button", name="View Details").click()
    dialog = page.get_by_test_id("details-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_test_id("video-item").first).to_be_visible()
    return dialog


def _row(dialog: Locator, video: dict[str, Any]) -> Locator:
    return dialog.locator(f'[data-testid="video-item"][data-video-id="{video["id"]}"]')


def _menu_button(row: Locator) -> Locator:
    return row.locator('[data-field="video-menu-button"]')


def _choose(page: Page, row: Locator, item: str) -> None:
    """Opens the row's actions menu with the mouse and picks `item`."""
    _menu_button(row).click()
    menu = row.get_by_role("menu")
    expect(menu).to_be_visible()
    menu.get_by_role("menuitem", name=item).click()
    expect(menu).to_be_hidden()


def _set_theme(page: Page, theme: str) -> None:
    """The toggle sits behind the dialogs: for a screenshot, switch the tokens directly."""
    page.evaluate("(theme) => { document.documentElement.dataset.theme = theme; }", theme)


def _shot(page: Page, path: Path) -> None:
    page.mouse.move(0, 0)
    page.wait_for_timeout(400)  # entrance animations
    page.screenshot(path=str(path))


def _toast(page: Page, message: str | re.Pattern[str]) -> Locator:
    """The toast whose message (its first line) matches."""
    toast = page.get_by_test_id("toast").filter(has=page.locator(".toast__message").filter(has_text=message))
    expect(toast.first).to_be_visible()
    return toast.first


def _wait_for(condition, timeout: float = 15.0, what: str = "condition") -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} not met after {timeout} s"
        time.sleep(0.1)


# ---------- the tests ----------


def test_favorite_star_toggles_and_survives_a_reload(server: LiveServer, run, page: Page) -> None:
    clip = _video(server, run, "milestone", 50)
    dialog = _open_details(page, server, run)
    star = _row(dialog, clip).get_by_role("button", name="Favorite")
    expect(star).to_have_attribute("aria-pressed", "false")
    expect(star).to_have_attribute("title", "Add to favorites")

    star.click()
    expect(star).to_have_attribute("aria-pressed", "true")
    expect(star).to_have_attribute("title", "Remove from favorites")
    expect(star).to_be_focused()  # the row was re-rendered; the focus stayed on the star
    assert _call(server, "GET", f"/videos/{clip['id']}")["video"]["metadata"]["favorite"] is True

    page.reload()
    dialog = _open_details(page, server, run)
    star = _row(dialog, clip).get_by_role("button", name="Favorite")
    expect(star).to_have_attribute("aria-pressed", "true")
    # The keyboard works too (Space on the focused toggle), and off is saved as well.
    star.focus()
    page.keyboard.press("Space")
    expect(star).to_have_attribute("aria-pressed", "false")
    assert _call(server, "GET", f"/videos/{clip['id']}")["video"]["metadata"]["favorite"] is False
    assert page.evaluate("window.__pwned") is None


def test_actions_menu_works_with_the_keyboard(server: LiveServer, run, page: Page, artifacts_dir: Path) -> None:
    clip = _video(server, run, "milestone", 50)
    dialog = _open_details(page, server, run)
    row = _row(dialog, clip)
    button = _menu_button(row)
    menu = row.get_by_role("menu")
    expect(button).to_have_attribute("aria-haspopup", "menu")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_hidden()

    # Enter opens it on its first item; arrows, Home/End and Tab move through the items.
    button.focus()
    page.keyboard.press("Enter")
    expect(menu).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "true")
    items = menu.get_by_role("menuitem")
    expect(items).to_have_text(["Export…", "Rename…", "Copy path", "Open location", "Delete…"])
    expect(items.nth(0)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(items.nth(1)).to_be_focused()
    page.keyboard.press("End")
    expect(items.nth(4)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(items.nth(0)).to_be_focused()  # wraps around
    page.keyboard.press("ArrowUp")
    expect(items.nth(4)).to_be_focused()
    page.keyboard.press("Home")
    page.keyboard.press("Tab")
    expect(items.nth(1)).to_be_focused()
    _shot(page, artifacts_dir / "video-actions-menu-dark.png")

    # Escape closes the menu only (not the details dialog) and gives the focus back.
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(dialog).to_be_visible()
    expect(button).to_be_focused()
    expect(button).to_have_attribute("aria-expanded", "false")

    # Space opens it too; Tab past the last item closes it; a click elsewhere does as well.
    page.keyboard.press("Space")
    expect(items.nth(0)).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.press("Tab")
    expect(menu).to_be_hidden()
    button.click()
    expect(menu).to_be_visible()
    dialog.locator(".dialog__title").click()
    expect(menu).to_be_hidden()

    # An item runs from the keyboard: Enter on "Rename…" opens the rename dialog.
    button.focus()
    page.keyboard.press("ArrowUp")  # opens on the last item
    expect(items.nth(4)).to_be_focused()
    page.keyboard.press("Home")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    rename = page.get_by_test_id("rename-dialog")
    expect(rename).to_be_visible()
    page.keyboard.press("Escape")
    expect(rename).to_be_hidden()
    expect(dialog).to_be_visible()
    expect(button).to_be_focused()

    _set_theme(page, "light")
    button.click()
    expect(menu).to_be_visible()
    _shot(page, artifacts_dir / "video-actions-menu-light.png")


def test_rename_refuses_a_bad_name_then_renames_the_file(
    server: LiveServer, run, page: Page, artifacts_dir: Path
) -> None:
    clip = _video(server, run, "milestone", 100)
    old_path = Path(clip["path"])
    dialog = _open_details(page, server, run)
    row = _row(dialog, clip)
    _choose(page, row, "Rename…")
    rename = page.get_by_test_id("rename-dialog")
    expect(rename).to_be_visible()
    field = rename.get_by_label("Name")
    expect(field).to_have_value(clip["name"])  # the hostile name, as text
    expect(field).to_be_focused()

    # A path is refused: the API's message under the field, the dialog stays, nothing changed.
    field.fill("../x")
    rename.get_by_role("button", name="Save").click()
    error = rename.locator('[data-field="rename-error"]')
    expect(error).to_be_visible()
    expect(error).to_contain_text("cannot contain / or")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(rename).to_be_visible()
    expect(field).to_have_value("../x")
    assert _call(server, "GET", f"/videos/{clip['id']}")["video"]["name"] == clip["name"]
    assert old_path.is_file()
    assert not (old_path.parent.parent / "x.mp4").exists()
    _shot(page, artifacts_dir / "video-actions-rename-error-dark.png")
    _set_theme(page, "light")
    _shot(page, artifacts_dir / "video-actions-rename-error-light.png")
    _set_theme(page, "dark")

    # Typing again clears the error; a good name renames the file on disk and the row.
    field.fill("Pong at its best")
    expect(error).to_be_hidden()
    field.press("Enter")
    expect(rename).to_be_hidden()
    expect(row.locator('[data-field="video-name"]')).to_have_text("Pong at its best")
    _toast(page, "Video renamed")
    expect(_menu_button(row)).to_be_focused()
    renamed = _call(server, "GET", f"/videos/{clip['id']}")["video"]
    assert renamed["name"] == "Pong at its best"
    assert Path(renamed["path"]) == old_path.parent / "Pong at its best.mp4"
    assert Path(renamed["path"]).is_file() and not old_path.exists()
    assert page.evaluate("window.__pwned") is None


def test_export_copies_to_a_typed_folder_and_refuses_a_missing_one(
    server: LiveServer, run, page: Page, out: Path
) -> None:
    evaluation = _video(server, run, "evaluation")
    dialog = _open_details(page, server, run)
    _choose(page, _row(dialog, evaluation), "Export…")
    export = page.get_by_test_id("export-dialog")
    expect(export).to_be_visible()
    expect(export.get_by_role("heading", name="Export video")).to_be_visible()
    expect(export.locator('[data-field="export-name"]')).to_have_text(evaluation["name"])
    # The video exporters, not the model one; the copy is the default.
    formats = export.locator('[data-field="export-formats"] .export-format__label')
    expect(formats).to_have_text(["Copy to a folder", "YouTube", "X (Twitter)"])
    expect(export.get_by_role("radio", name=re.compile("^Copy to a folder"))).to_be_checked()

    # A folder that does not exist: the API's message under the field, no job.
    destination = export.get_by_label("Save in folder")
    destination.fill(str(out / "missing"))
    export.get_by_role("button", name="Export", exact=True).click()
    error = export.locator("#export-destination-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("does not exist")
    expect(destination).to_have_attribute("aria-invalid", "true")
    expect(export.get_by_test_id("export-job")).to_be_hidden()
    assert _call(server, "GET", "/exports")["jobs"] == []

    # The real folder, typed: progress, then done, the file byte for byte.
    destination.fill(str(out))
    expect(error).to_be_hidden()
    export.get_by_role("button", name="Export", exact=True).click()
    job = export.get_by_test_id("export-job")
    expect(job).to_have_attribute("data-status", "completed")
    expect(job.locator('[data-field="export-percent"]')).to_have_text("100%")
    expect(job.locator('[data-field="export-status"]')).to_have_text("Export finished")
    [copied] = list(out.iterdir())
    assert copied.suffix == ".mp4" and copied.read_bytes() == Path(evaluation["path"]).read_bytes()
    expect(job.locator('[data-field="export-output"]')).to_have_text([copied.name])
    _toast(page, f"Exported “{copied.name}”")
    export.get_by_role("button", name="Done").click()
    expect(export).to_be_hidden()
    expect(dialog).to_be_visible()
    expect(_menu_button(_row(dialog, evaluation))).to_be_focused()
    assert page.evaluate("window.__pwned") is None


def test_youtube_export_completes_and_another_can_be_cancelled(
    server: LiveServer, run, page: Page, out: Path, artifacts_dir: Path
) -> None:
    long_video = _video(server, run, "hour")
    dialog = _open_details(page, server, run)
    row = _row(dialog, long_video)
    export = page.get_by_test_id("export-dialog")
    job = export.get_by_test_id("export-job")
    percent = job.locator('[data-field="export-percent"]')

    # 720p: runs with a moving percentage, then completes with the video and its text file.
    _choose(page, row, "Export…")
    export.get_by_role("radio", name=re.compile("^YouTube")).check()
    export.get_by_role("radio", name="720p (1280×720)").check()
    export.get_by_label("Save in folder").fill(str(out))
    export.get_by_role("button", name="Export", exact=True).click()
    expect(job).to_be_visible()
    expect(job.locator('[data-field="export-job-title"]')).to_have_text("YouTube · 720p (1280×720)")
    expect(job).to_have_attribute("data-status", re.compile("running|completed"), timeout=60_000)
    page.wait_for_function(
        "(node) => parseInt(node.textContent) > 0 || node.closest('[data-status]').dataset.status !== 'running'",
        arg=percent.element_handle(),
        timeout=60_000,
    )
    page.mouse.move(0, 0)
    page.wait_for_timeout(700)  # the bar glides to the figure (600 ms)
    page.screenshot(path=str(artifacts_dir / "video-actions-export-progress-dark.png"))
    _set_theme(page, "light")
    page.wait_for_timeout(300)  # the buttons' colour transitions
    page.screenshot(path=str(artifacts_dir / "video-actions-export-progress-light.png"))
    _set_theme(page, "dark")
    expect(job).to_have_attribute("data-status", "completed", timeout=180_000)
    expect(percent).to_have_text("100%")
    expect(job.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    outputs = sorted(p.name for p in out.iterdir())
    assert len(outputs) == 2 and outputs[0].endswith("(YouTube 720p).mp4") and outputs[1].endswith(".txt"), outputs
    _toast(page, re.compile(r"^Exported “.*\(YouTube 720p\)\.mp4” \(\+1 more file\)"))
    export.get_by_role("button", name="Done").click()

    # 1080p, cancelled while it encodes: "cancelled", and nothing half-written in the folder.
    _choose(page, row, "Export…")
    expect(export.get_by_role("radio", name=re.compile("^YouTube"))).to_be_checked()  # remembered
    expect(export.get_by_label("Save in folder")).to_have_value(str(out))  # remembered
    export.get_by_role("radio", name="1080p (1920×1080)").check()
    export.get_by_role("button", name="Export", exact=True).click()
    expect(job.locator('[data-field="export-job-title"]')).to_have_text("YouTube · 1080p (1920×1080)")
    expect(job).to_have_attribute("data-status", re.compile("running|completed"), timeout=60_000)
    cancel = export.get_by_role("button", name="Cancel export")
    try:
        cancel.click(timeout=5_000)
    except Exception:  # noqa: BLE001 - finished before the click: checked below
        pass
    expect(job).to_have_attribute("data-status", re.compile("cancelled|completed"), timeout=30_000)
    final = job.get_attribute("data-status")
    hidden = [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert hidden == [], f"partial files left: {hidden}"
    if final == "cancelled":
        expect(job.locator('[data-field="export-status"]')).to_have_text("Export cancelled")
        expect(job.locator('[data-field="export-result"]')).to_contain_text("partial files were removed")
        _toast(page, "Export cancelled")
        assert not [p for p in out.iterdir() if "1080p" in p.name], sorted(p.name for p in out.iterdir())
        # Back to the options to try again, or Close.
        expect(export.get_by_role("button", name="Back")).to_be_visible()
    else:  # the encode beat the click (a very fast machine): it must then be whole
        print("note: the 1080p export completed before Cancel could be clicked")
        assert [p for p in out.iterdir() if p.name.endswith("(YouTube 1080p).mp4")]
    export.locator(".dialog__foot").get_by_role("button", name="Close").click()
    expect(export).to_be_hidden()


def test_copy_path_and_open_location_answer_with_a_toast(server: LiveServer, run, page: Page) -> None:
    evaluation = _video(server, run, "evaluation")
    dialog = _open_details(page, server, run)
    row = _row(dialog, evaluation)

    # The real server: on this machine the clipboard may be missing (no display): then its 503
    # message shows, with the path to copy by hand; never a crash.
    _choose(page, row, "Copy path")
    toast = _toast(page, re.compile("^(Path copied|Could not copy the path)$"))
    expect(toast.locator(".toast__detail")).to_contain_text(evaluation["path"])
    if "Could not" in toast.inner_text():
        integrations = _call(server, "GET", "/system/integrations")
        assert not integrations["clipboard"]["available"], integrations
        expect(toast.locator(".toast__detail")).to_contain_text(integrations["clipboard"]["reason"])
    toast.get_by_role("button", name="Dismiss notification").click()  # usable above the modal dialog

    # Open location starts the file manager; here the request is answered by the test so that
    # nothing is launched on the machine running it: once as done, once as the OS lacking a tool.
    answers = [
        {"status": 200, "json": {"ok": True, "command": ["xdg-open", "/runs"]}},
        {
            "status": 503,
            "json": {"error": {"code": "integration_unavailable", "message": "Install xdg-utils to open folders."}},
        },
    ]
    page.route(
        f"**/api/videos/{evaluation['id']}/reveal",
        lambda route: route.fulfill(**answers.pop(0)),
    )
    _choose(page, row, "Open location")
    ok = _toast(page, "Opened the folder")
    expect(ok.locator(".toast__detail")).to_have_text(str(Path(evaluation["path"]).parent))
    _choose(page, row, "Open location")
    refused = _toast(page, "Could not open the folder")
    expect(refused).to_have_attribute("data-kind", "error")
    folder = Path(evaluation["path"]).parent  # where to look by hand, since nothing could open it
    expect(refused.locator(".toast__detail")).to_have_text(
        f"Install xdg-utils to open folders. The video is in {folder}."
    )
    assert answers == []


def test_delete_moves_the_video_to_the_trash(server: LiveServer, run, page: Page) -> None:
    clip = _video(server, run, "milestone", 50)
    path = Path(clip["path"])
    trash = server.data_dir.parent / "xdg" / "Trash" / "files"
    dialog = _open_details(page, server, run)
    items = dialog.get_by_test_id("video-item")
    expect(items).to_have_count(4)
    row = _row(dialog, clip)

    # Cancel first: nothing happens.
    _choose(page, row, "Delete…")
    confirm = page.get_by_test_id("delete-video-dialog")
    expect(confirm).to_be_visible()
    expect(confirm.get_by_role("heading")).to_have_text(f"Move “{clip['name']}” to the trash?")
    expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Escape")
    expect(confirm).to_be_hidden()
    expect(items).to_have_count(4)
    assert path.is_file()

    # Confirmed: the row goes, the file and thumbnail are in the trash, not at their path.
    _choose(page, row, "Delete…")
    confirm.get_by_role("button", name="Move to trash").click()
    expect(confirm).to_be_hidden()
    expect(items).to_have_count(3)
    expect(row).to_have_count(0)
    expect(dialog.locator('[data-field="video-count"]')).to_have_text("3 videos")
    _toast(page, "Moved to the trash")
    assert not path.exists()
    _wait_for(lambda: trash.is_dir() and any(p.suffix == ".mp4" for p in trash.iterdir()), what="the file in the trash")
    _call(server, "GET", f"/videos/{clip['id']}", 404)
    # The focus went to a neighbouring row's menu button, still inside the dialog.
    focused = page.evaluate("document.activeElement.dataset.focusKey")
    assert focused == "menu", focused
    assert page.evaluate("window.__pwned") is None


def test_share_model_writes_a_model_card_folder(server: LiveServer, run, page: Page, out: Path) -> None:
    dialog = _open_details(page, server, run)
    share = dialog.get_by_role("button", name="Share model…")
    expect(share).to_be_visible()
    share.click()
    export = page.get_by_test_id("export-dialog")
    expect(export.get_by_role("heading", name="Share model")).to_be_visible()
    expect(export.locator('[data-field="export-name"]')).to_have_text(run["name"])
    expect(export.locator('[data-field="export-formats"] .export-format__label')).to_have_text(
        ["Share the model (Hugging Face)"]
    )
    expect(export.get_by_label("As one zip file")).not_to_be_checked()
    export.get_by_label("Save in folder").fill(str(out))
    export.get_by_role("button", name="Export", exact=True).click()
    job = export.get_by_test_id("export-job")
    expect(job).to_have_attribute("data-status", "completed", timeout=120_000)
    folder = out / "ppo-ALE-Pong-v5"
    assert folder.is_dir(), sorted(p.name for p in out.iterdir())
    assert (folder / "README.md").is_file()
    assert (folder / "ppo-ALE-Pong-v5.zip").read_bytes() == (Path(run["run_dir"]) / "model.zip").read_bytes()
    expect(job.locator('[data-field="export-output"]')).to_have_text(["ppo-ALE-Pong-v5"])
    _toast(page, "Exported “ppo-ALE-Pong-v5”")
    export.get_by_role("button", name="Done").click()
    expect(share).to_be_focused()
