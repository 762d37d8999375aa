"""The low-disk banner and Settings' thresholds (issue 14.1), in the real page on a real server.

The thresholds are set above this machine's free space, so its disk reads as low (then critical)
without filling anything: the banner must say so, in both themes, and point to Storage.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.helpers.api_client import call
from tests.helpers.server import LiveServer

MORE_THAN_ANY_DISK_MB = 100_000_000  # 100 TB: the highest value Settings takes


def test_low_disk_banner_and_thresholds(live_server: LiveServer, page: Page, artifacts_dir: Path) -> None:
    call(live_server, "PUT", "/settings", json={"low_disk_warning_mb": MORE_THAN_ANY_DISK_MB})
    page.goto(live_server.login_url)
    banner = page.get_by_test_id("disk-banner")
    expect(banner).to_be_visible()
    expect(banner).to_have_attribute("data-level", "low")
    expect(banner.locator("strong")).to_have_text("Disk space is low")
    expect(banner).to_contain_text(f"free in {live_server.data_dir}")
    expect(banner).to_contain_text("Running trainings pause under 500 MB")
    page.screenshot(path=str(artifacts_dir / "disk-low-dark.png"))

    # Critical: red, and it says trainings are paused; the light theme too.
    call(
        live_server,
        "PUT",
        "/settings",
        json={"low_disk_pause_mb": MORE_THAN_ANY_DISK_MB - 1, "theme": "light"},
    )
    page.reload()
    expect(banner).to_have_attribute("data-level", "critical")
    expect(banner.locator("strong")).to_have_text("The disk is almost full: trainings are paused")
    expect(banner).to_contain_text("then resume the paused trainings")
    page.screenshot(path=str(artifacts_dir / "disk-critical-light.png"))

    # Its link opens Settings → Storage, where both thresholds are set (and checked: pause < warning).
    banner.get_by_role("link", name="Free space…").click()
    card = page.locator(".settings-card", has=page.get_by_role("heading", name="Low disk space"))
    expect(card).to_be_visible()
    pause = card.get_by_label("Pause trainings under (MB free)")
    expect(pause).to_have_value(str(MORE_THAN_ANY_DISK_MB - 1))
    pause.fill(str(MORE_THAN_ANY_DISK_MB))
    pause.dispatch_event("change")
    expect(card).to_contain_text("must be lower than the warning")
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "disk-settings-light.png"))

    # Back under the thresholds: the banner goes.
    call(live_server, "PUT", "/settings", json={"low_disk_pause_mb": 0, "low_disk_warning_mb": 0, "theme": "dark"})
    page.reload()
    expect(banner).to_be_hidden()
