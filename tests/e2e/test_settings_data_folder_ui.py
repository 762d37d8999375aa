"""Settings → Storage → Data folder in Chromium: the folder in use, a refused path explained
under the field, a chosen folder announced for the next start and shown again after a reload."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.server import start_server

pytestmark = pytest.mark.e2e


def test_choose_the_data_folder_for_the_next_start(tmp_path: Path, page: Page, artifacts_dir: Path) -> None:
    server = start_server(tmp_path / "data", env={"XDG_CONFIG_HOME": str(tmp_path / "config")})
    try:
        page.goto(server.login_url)
        page.goto(f"{server.base_url}/#/settings/storage")
        expect(page.get_by_test_id("data-dir")).to_have_text(str((tmp_path / "data").resolve()))
        # This launch was given --data-dir (as the tests do): the page says it wins.
        expect(page.get_by_test_id("data-folder-override")).to_contain_text("--data-dir")

        field = page.get_by_label("Data folder from the next start")
        field.fill("not/absolute")
        field.press("Enter")
        error = page.locator("#data-folder-error")
        expect(error).to_contain_text("is not a full path")
        expect(field).to_have_attribute("aria-invalid", "true")

        chosen = tmp_path / "elsewhere"
        field.fill(str(chosen))
        page.locator('[data-setting-field="data_folder"]').get_by_role("button", name="Save").click()
        expect(error).to_be_hidden()
        expect(page.locator('[data-setting-field="data_folder"] .setting__saved')).to_have_text("✓ Saved")
        expect(page.get_by_test_id("data-folder-note")).to_contain_text(f"From the next start: {chosen}")
        expect(page.get_by_test_id("data-folder-note")).to_contain_text("Nothing is moved")
        assert chosen.is_dir()
        page.screenshot(path=str(artifacts_dir / "settings-data-folder-dark.png"))

        page.reload()
        expect(page.get_by_label("Data folder from the next start")).to_have_value(str(chosen))
    finally:
        assert server.stop() == 0, server.log_text()
