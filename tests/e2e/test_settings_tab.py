"""The Settings tab as a user sees it, against the real `retro-ml serve` (restarted on the same
data folder), one real tiny training run with checkpoints and a clip, and Chromium: theme,
accent, toggles and training defaults that survive a restart; a refused folder with its
message under the field; cleanup preview then apply; the no-notification-service line; the
doctor; keyboard navigation; screenshots of every section."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.helpers.run_configs import TINY_PPO
from tests.helpers.server import LiveServer, start_server

pytestmark = pytest.mark.e2e

FILMED = {**TINY_PPO, "milestone_every_pct": 100, "milestone_max_seconds": 2}
SECTIONS = ("general", "storage", "notifications", "training", "advanced", "about")


class Servers:
    """The module's server; `restart()` starts a new one on the same data folder."""

    def __init__(self, data: Path, env: dict[str, str]) -> None:
        self.data, self.env = data, env
        self.current = start_server(data, env=env)

    def restart(self) -> LiveServer:
        assert self.current.stop() == 0
        self.current = start_server(self.data, env=self.env)
        return self.current


@pytest.fixture(scope="module")
def servers(tmp_path_factory) -> Iterator[Servers]:
    base = tmp_path_factory.mktemp("settings-tab")
    holder = Servers(base / "data", {"XDG_DATA_HOME": str(base / "xdg")})  # the OS trash: in the test folder
    try:
        yield holder
    finally:
        holder.current.stop()


def _api(server: LiveServer, method: str, path: str, **kwargs) -> dict:
    response = requests.request(method, f"{server.base_url}{path}", headers=server.auth_headers, timeout=60, **kwargs)
    assert response.ok, response.text
    return response.json()


@pytest.fixture(scope="module")
def finished_run(servers: Servers) -> dict:
    server = servers.current
    body = {"game": "pong", "name": 'Tiny <script>x</script> "run"', "config": FILMED}
    experiment = _api(server, "POST", "/api/experiments", json=body)["experiment"]
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        experiment = _api(server, "GET", f"/api/experiments/{experiment['id']}")["experiment"]
        if experiment["metadata"]["status"] not in ("queued", "running"):
            break
        time.sleep(0.5)
    assert experiment["metadata"]["status"] == "completed"
    time.sleep(2)  # the worker exits after its last report
    return experiment


def _open(page: Page, server: LiveServer, section: str) -> None:
    page.goto(server.login_url)
    page.goto(f"{server.base_url}/#/settings/{section}")
    tab = page.get_by_role("tab", name=section.capitalize())
    expect(tab).to_have_attribute("aria-selected", "true", timeout=30_000)  # the app boots first


def _panel(page: Page, section: str):
    return page.locator(f"#settings-panel-{section}")


def test_invalid_folder_shows_the_message_under_the_field(servers: Servers, page: Page) -> None:
    server = servers.current
    _open(page, server, "storage")
    field = page.locator('[data-setting-field="runs_dir"]')
    field.get_by_role("textbox").fill("relative/runs")
    field.get_by_role("button", name="Save").click()
    expect(field.locator("[data-error-for=runs_dir]")).to_contain_text("not a full path")
    assert _api(server, "GET", "/api/settings")["settings"]["runs_dir"] == ""
    data_dir = str(servers.data.resolve())
    expect(page.get_by_test_id("data-dir")).to_have_text(data_dir)
    expect(page.get_by_test_id("data-folder-override")).to_contain_text("--data-dir")


def test_the_study_storage_url_keeps_its_password_out_of_sight(servers: Servers, page: Page) -> None:
    server = servers.current
    _open(page, server, "training")
    field = _panel(page, "training").locator('[data-setting-field="study_storage_url"]')
    box = field.get_by_role("textbox")
    box.fill("mysql://nope")
    box.press("Enter")
    expect(field.locator("[data-error-for=study_storage_url]")).to_be_visible()
    assert _api(server, "GET", "/api/settings")["settings"]["study_storage_url"] == ""
    box.fill("postgresql://retro:s3cret@db.example:5432/studies")
    box.press("Enter")
    expect(field.locator(".setting__saved")).to_have_text("✓ Saved")
    shown = _api(server, "GET", "/api/settings")["settings"]["study_storage_url"]
    assert shown == "postgresql://retro:***@db.example:5432/studies"
    page.reload()
    expect(
        _panel(page, "training").locator('[data-setting-field="study_storage_url"]').get_by_role("textbox")
    ).to_have_value(shown)
    assert "s3cret" not in page.content() and "s3cret" not in server.log_text()
    _api(server, "PUT", "/api/settings", json={"study_storage_url": ""})


def test_cleanup_preview_lists_files_and_apply_frees_them(
    servers: Servers, finished_run: dict, page: Page, artifacts_dir: Path
) -> None:
    server = servers.current
    run_dir = Path(finished_run["run_dir"])
    checkpoints = sorted((run_dir / "checkpoints").glob("*.zip"))
    assert checkpoints
    _open(page, server, "storage")
    table = page.get_by_test_id("storage-table")
    expect(table).to_contain_text('Tiny <script>x</script> "run"', timeout=30_000)
    expect(table).to_contain_text("Completed")  # its status label
    panel = _panel(page, "storage")
    panel.get_by_label("Videos older than").check()
    panel.locator("#cleanup-days").fill("0")
    panel.get_by_role("button", name="Preview cleanup…").click()
    dialog = page.get_by_test_id("cleanup-dialog")
    expect(dialog).to_be_visible()
    preview = dialog.get_by_test_id("cleanup-preview")
    for checkpoint in checkpoints:
        expect(preview).to_contain_text(checkpoint.name)
    expect(preview).to_contain_text("100% milestone")  # the clip, by its name
    expect(dialog.get_by_test_id("cleanup-summary")).to_contain_text(f"{len(checkpoints) + 1} files")
    assert all(p.exists() for p in checkpoints)  # a preview deletes nothing
    page.wait_for_timeout(400)  # the dialog's fade-in
    page.screenshot(path=str(artifacts_dir / "settings-cleanup-preview-dark-1280x800.png"))
    dialog.get_by_role("button", name="Delete").click()
    expect(page.locator(".toast").filter(has_text="Freed")).to_be_visible()
    assert not any(p.exists() for p in checkpoints)
    assert (run_dir / "model.zip").is_file()
    assert not list((run_dir / "videos").rglob("*.mp4"))
    expect(table.locator("tbody tr").first.locator("td").nth(1)).to_have_text("—")  # checkpoints column


def test_notifications_unavailable_line_and_doctor(servers: Servers, page: Page) -> None:
    server = servers.current
    state = _api(server, "GET", "/api/system/integrations")["notifications"]
    assert state["available"] is False  # the test machine has no D-Bus notification service
    _open(page, server, "notifications")
    line = page.get_by_test_id("notify-unavailable")
    expect(line).to_have_text(
        "Desktop notifications are not available on this system — the app keeps working, "
        "and its messages still show inside the window."
    )
    expect(page.get_by_role("button", name="Send test notification")).to_be_disabled()

    page.get_by_role("tab", name="Advanced").click()
    checks = page.get_by_test_id("doctor-checks")
    expect(checks).to_be_visible(timeout=60_000)
    for label in ("Atari ROMs", "PyTorch", "CUDA GPU", "Video encoder", "Desktop notifications", "Disk space"):
        expect(checks).to_contain_text(label)
    expect(checks.locator('[data-check="notifications"]')).to_contain_text("Warning")
    page.get_by_role("button", name="Run again").click()
    expect(checks.or_(page.get_by_test_id("doctor-checks"))).to_contain_text("PyTorch", timeout=60_000)


def test_technical_charts_show_every_metric(servers: Servers, finished_run: dict, page: Page) -> None:
    server = servers.current
    _open(page, server, "advanced")
    page.locator("#tech-run").select_option(finished_run["id"])
    keys = _api(server, "GET", f"/api/experiments/{finished_run['id']}/metrics")["keys_available"]
    charts = page.get_by_test_id("tech-charts")
    expect(charts.locator("figure")).to_have_count(len(keys), timeout=30_000)
    expect(charts.locator('[data-metric="train/loss"] canvas')).to_be_visible()


def test_keyboard_moves_between_sections(servers: Servers, page: Page) -> None:
    _open(page, servers.current, "general")
    page.get_by_role("tab", name="General").focus()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("tab", name="Storage")).to_be_focused()
    expect(page.get_by_role("tab", name="Storage")).to_have_attribute("aria-selected", "true")
    expect(page).to_have_url(f"{servers.current.base_url}/#/settings/storage")
    page.keyboard.press("End")
    expect(page.get_by_role("tab", name="About")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_test_id("npm-packages")).to_contain_text("uplot")


def test_screenshots_of_every_section(servers: Servers, finished_run: dict, browser, artifacts_dir: Path) -> None:
    server = servers.current
    for width, height in ((1280, 800), (1920, 1080)):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
        page = context.new_page()
        try:
            page.goto(server.login_url)
            for theme in ("dark", "light"):
                for section in SECTIONS:
                    page.goto(f"{server.base_url}/#/settings/{section}")
                    expect(_panel(page, section)).to_be_visible(timeout=30_000)
                    if section == "advanced":
                        expect(page.get_by_test_id("doctor-checks")).to_be_visible(timeout=60_000)
                    page.evaluate("theme => { document.documentElement.dataset.theme = theme; }", theme)
                    page.wait_for_timeout(300)
                    page.screenshot(path=str(artifacts_dir / f"settings-{section}-{theme}-{width}x{height}.png"))
                    # Nothing wider than the window.
                    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        finally:
            context.close()


def test_choices_are_saved_and_survive_a_restart(servers: Servers, new_page) -> None:
    server = servers.current
    page = new_page()
    _open(page, server, "general")
    general = _panel(page, "general")
    general.get_by_label("Theme").select_option("light")
    expect(general.locator('[data-setting-field="theme"] .setting__saved')).to_have_text("✓ Saved")
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    general.get_by_label("Accent colour").select_option("green")
    expect(general.locator('[data-setting-field="accent"] .setting__saved')).to_have_text("✓ Saved")
    assert page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()") == "#22a55a"

    # The header button saves the theme too.
    page.locator("#theme-toggle").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(general.get_by_label("Theme")).to_have_value("dark")
    deadline = time.monotonic() + 10
    while _api(server, "GET", "/api/settings")["settings"]["theme"] != "dark" and time.monotonic() < deadline:
        time.sleep(0.1)
    page.locator("#theme-toggle").click()
    expect(general.get_by_label("Theme")).to_have_value("light")

    page.get_by_role("tab", name="Notifications").click()
    toggle = _panel(page, "notifications").get_by_label("Notify when a video is generated")
    toggle.uncheck()
    expect(
        _panel(page, "notifications").locator('[data-setting-field="notify_video_generated"] .setting__saved')
    ).to_have_text("✓ Saved")

    page.get_by_role("tab", name="Training").click()
    game = _panel(page, "training").get_by_label("Default game")
    game.select_option("pong")
    expect(_panel(page, "training").locator('[data-setting-field="default_game"] .setting__saved')).to_have_text(
        "✓ Saved"
    )
    page.close()

    server = servers.restart()
    assert _api(server, "GET", "/api/settings")["settings"]["theme"] == "light"
    page = new_page()
    _open(page, server, "training")
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    assert page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()") == "#22a55a"
    expect(_panel(page, "training").get_by_label("Default game")).to_have_value("pong")
    page.get_by_role("tab", name="General").click()
    expect(_panel(page, "general").get_by_label("Theme")).to_have_value("light")
    expect(_panel(page, "general").get_by_label("Accent colour")).to_have_value("green")
    page.get_by_role("tab", name="Notifications").click()
    expect(_panel(page, "notifications").get_by_label("Notify when a video is generated")).not_to_be_checked()
    expect(_panel(page, "notifications").get_by_label("Notify when a training run completes")).to_be_checked()
