"""Pause, resume, stop and "Continue training" from the Dashboard, against a real worker."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.e2e

# Small rollouts so progress reports (and pauses) come quickly on a CPU.
FAST_PONG = {
    "game": "pong",
    "config": {"total_timesteps": 500_000, "n_envs": 2, "n_steps": 64, "batch_size": 64, "n_epochs": 1},
}


# Records every look of the run-control buttons (label, aria-disabled, spinner): a request
# in flight is too short for a poll from the test to see.
RECORD_BUTTON_STATES = """
() => {
  window.__buttonStates = new Set();
  const record = () => {
    for (const button of document.querySelectorAll(
      '[data-testid="activity-card"] [data-action="pause"], [data-testid="activity-card"] [data-action="resume"]'
    )) {
      if (button.hidden) continue;
      const label = button.querySelector(".button__label").textContent;
      const disabled = button.getAttribute("aria-disabled") === "true";
      const spinning = Boolean(button.querySelector(".spinner"));
      window.__buttonStates.add(`${button.dataset.action}|${label}|${disabled}|${spinning}`);
    }
  };
  new MutationObserver(record).observe(document.body, {
    subtree: true, childList: true, characterData: true, attributes: true,
  });
}
"""


def _steps(card: Locator) -> int:
    done = card.locator('[data-field="timesteps"]').inner_text().split("/")[0]
    return int(re.sub(r"\D", "", done) or 0)


def _wait_for_steps_beyond(page: Page, experiment_id: str, steps: int, timeout: float = 60_000) -> None:
    page.wait_for_function(
        """([id, steps]) => {
          const card = document.querySelector(`[data-testid="activity-card"][data-experiment-id="${id}"]`);
          const text = card?.querySelector('[data-field="timesteps"]')?.textContent ?? "";
          return Number(text.split("/")[0].replace(/\\D/g, "")) > steps;
        }""",
        arg=[experiment_id, steps],
        timeout=timeout,
    )


def test_pause_resume_stop_then_continue_training(live_server, page: Page, artifacts_dir):
    response = requests.post(
        f"{live_server.base_url}/api/experiments", json=FAST_PONG, headers=live_server.auth_headers, timeout=30
    )
    assert response.status_code == 201, response.text
    parent = response.json()["experiment"]
    parent_id, parent_name = parent["id"], parent["name"]

    page.goto(live_server.login_url)
    card = page.locator(f'[data-testid="activity-card"][data-experiment-id="{parent_id}"]')
    status = card.locator('[data-field="status"]')
    pause = card.get_by_role("button", name="Pause")
    resume = card.get_by_role("button", name="Resume")
    stop = card.get_by_role("button", name="Stop")
    expect(status).to_have_text("Running", timeout=120_000)
    _wait_for_steps_beyond(page, parent_id, 256)  # past the first reports: really training
    expect(resume).to_be_hidden()
    expect(pause).to_have_attribute("title", re.compile("keeps its progress"))

    # Pause: the card says so, Stop stays available, and the steps stand still.
    page.evaluate(RECORD_BUTTON_STATES)
    pause.click()
    expect(status).to_have_text("Paused")
    expect(card.locator('[data-field="status-badge"]')).to_have_attribute("data-status", "paused")
    expect(card.locator('[data-field="status-message"]')).to_contain_text("keeps its progress")
    expect(pause).to_be_hidden()
    expect(resume).to_be_visible()
    expect(resume).to_be_focused()  # the keyboard user's focus moved from Pause to Resume
    expect(stop).to_be_visible()
    page.wait_for_timeout(1_000)  # a report already on its way may still land
    paused_at = _steps(card)
    page.wait_for_timeout(2_000)
    assert _steps(card) == paused_at, "steps moved while paused"
    card.screenshot(path=str(artifacts_dir / "lifecycle-paused-card.png"))
    page.screenshot(path=str(artifacts_dir / "lifecycle-paused.png"))

    # Resume: running again, and the steps move on.
    resume.click()
    expect(status).to_have_text("Running")
    expect(pause).to_be_visible()
    _wait_for_steps_beyond(page, parent_id, paused_at)
    # While each request was in flight its button was busy (spinner, disabled).
    seen = set(page.evaluate("[...window.__buttonStates]"))
    assert {"pause|Pausing…|true|true", "resume|Resuming…|true|true"} <= seen, seen

    stop.click()
    expect(status).to_have_text("Stopped", timeout=120_000)
    expect(stop).to_be_hidden()
    expect(pause).to_be_hidden()

    # Continue training from Recent Experiments.
    row = page.get_by_test_id("recent-experiments").locator(f'[data-experiment-id="{parent_id}"]')
    expect(row.locator('[data-field="status"]')).to_have_text("Stopped")
    expect(row.get_by_role("button", name="Retry")).to_have_count(0)  # only for failed/interrupted runs
    continue_button = row.get_by_role("button", name="Continue training")
    expect(continue_button).to_have_attribute("title", "Train 500,000 more steps starting from this run's model")
    continue_button.click()
    dialog = page.get_by_test_id("continue-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(parent_name)
    steps_input = dialog.get_by_label("More steps")
    expect(steps_input).to_have_value("500000")
    expect(steps_input).to_be_focused()
    expect(dialog.get_by_label(re.compile("Keep its replay memory"))).to_have_count(0)  # DQN only
    page.wait_for_timeout(400)  # let the dialog's entrance animation finish
    page.screenshot(path=str(artifacts_dir / "lifecycle-continue-dialog.png"))

    # A number under the minimum is caught beside the field; the dialog stays open.
    steps_input.fill("12")
    dialog.get_by_role("button", name="Start", exact=True).click()
    expect(dialog.locator('[data-error-for="additional_timesteps"]')).to_contain_text("1,024")
    expect(steps_input).to_have_attribute("aria-invalid", "true")

    steps_input.fill("1024")
    dialog.get_by_role("button", name="Start", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("toast").filter(has_text=f"Continuing {parent_name}")).to_be_visible()

    child_card = page.locator(f'[data-testid="activity-card"]:not([data-experiment-id="{parent_id}"])')
    expect(child_card).to_have_count(1)
    expect(child_card.locator('[data-field="lineage"]')).to_contain_text(f"continued from {parent_name}")
    child_status = child_card.locator('[data-field="status"]')
    expect(child_status).to_have_text("Completed", timeout=240_000)
    expect(child_card.locator('[data-field="progress-pct"]')).to_have_text("100%")

    child_id = child_card.get_attribute("data-experiment-id")
    child = requests.get(
        f"{live_server.base_url}/api/experiments/{child_id}", headers=live_server.auth_headers, timeout=30
    ).json()["experiment"]
    assert child["lineage"]["parent_experiment_id"] == parent_id
    start = child["lineage"]["start_timestep"]
    assert start >= paused_at
    # The child counts on from the parent's steps.
    total = f"{start + 1024:,}"
    expect(child_card.locator('[data-field="timesteps"]')).to_have_text(re.compile(rf"/ {total}$"))

    child_row = page.get_by_test_id("recent-experiments").locator(f'[data-experiment-id="{child_id}"]')
    expect(child_row).to_contain_text(f"continued from {parent_name}")
    # Clear the toasts off the Recent Experiments card for the screenshot.
    toasts = page.get_by_test_id("toast")
    for _ in range(10):
        if not toasts.count():
            break
        try:
            toasts.last.get_by_role("button", name="Dismiss notification").click(timeout=2_000)
        except PlaywrightError:
            pass  # it left on its own meanwhile
    expect(toasts).to_have_count(0)
    page.mouse.move(0, 0)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts_dir / "lifecycle.png"), full_page=True)
