"""The Dashboard as a user sees it, against the real `retro-ml serve` and a real worker."""

from __future__ import annotations

import re
import signal

import psutil
import pytest
import requests
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

AUTH_MESSAGE = "This page needs the link Retro ML Trainer printed when it started (it ends with ?token=…)."

# Records every state an activity card goes through, so short phases of a tiny run
# (Running at 50%, ...) are seen even if a poll from the test would miss them.
RECORD_CARD_STATES = """
() => {
  window.__cardStates = [];
  const record = () => {
    for (const card of document.querySelectorAll('[data-testid="activity-card"]')) {
      const text = (name) => card.querySelector(`[data-field="${name}"]`)?.textContent ?? "";
      const state = {
        id: card.dataset.experimentId,
        status: text("status"),
        pct: text("progress-pct"),
        timesteps: text("timesteps"),
      };
      const last = window.__cardStates[window.__cardStates.length - 1];
      if (!last || JSON.stringify(last) !== JSON.stringify(state)) window.__cardStates.push(state);
    }
  };
  new MutationObserver(record).observe(document.body, {
    subtree: true, childList: true, characterData: true, attributes: true,
  });
  window.__noReload = true;
}
"""


def _pct(text: str) -> float:
    match = re.search(r"[\d.]+", text)
    return float(match.group()) if match else 0.0


def _steps(text: str) -> int:
    done = text.split("/")[0]
    return int(re.sub(r"\D", "", done) or 0)


def test_first_training_from_empty_dashboard_to_completed(live_server, page: Page, artifacts_dir):
    page.goto(live_server.login_url)

    # The token was traded for a cookie and dropped from the address bar.
    expect(page).to_have_url(f"{live_server.base_url}/")
    welcome = page.get_by_test_id("welcome")
    expect(welcome).to_be_visible()
    expect(welcome.get_by_role("heading", name="Welcome to Retro ML Trainer")).to_be_visible()
    expect(welcome).to_contain_text("Get started in 3 easy steps:")
    expect(welcome).to_contain_text("Pick a game")
    expect(welcome).to_contain_text("Watch your AI learn!")
    expect(page.get_by_test_id("connection")).to_have_text("Live")

    # Quick Start: every game, Breakout first chosen; then the user's choices.
    expect(page.locator("#qs-game")).to_have_value("breakout")
    assert page.locator("#qs-game option").count() > 50
    page.select_option("#qs-game", "pong")
    page.select_option("#qs-preset", "custom")
    timesteps = page.locator("#qs-timesteps")
    expect(timesteps).to_be_visible()
    timesteps.fill("2048")
    page.locator('input[name="qs-algo"][value="ppo"]').check()
    # The device and where the figure comes from: this machine's speed, or the baseline.
    expect(page.locator('[data-field="estimate"]')).to_contain_text(
        re.compile(r"on (CPU|GPU) \((measured on this machine|rough estimate until the first run)\)")
    )

    page.evaluate(RECORD_CARD_STATES)
    page.get_by_role("button", name="Start Your First Training").click()

    expect(page.get_by_test_id("toast").filter(has_text="Training started")).to_be_visible()
    card = page.get_by_test_id("activity-card")
    expect(card).to_have_count(1)
    expect(welcome).to_be_hidden()
    expect(card).to_contain_text("Pong")
    experiment_id = card.get_attribute("data-experiment-id")
    assert experiment_id

    status = card.locator('[data-field="status"]')
    expect(status).to_have_text("Running", timeout=120_000)
    expect(card.locator('[data-field="progress-bar"]')).to_have_attribute("role", "progressbar")

    expect(status).to_have_text("Completed", timeout=240_000)
    expect(card.locator('[data-field="progress-pct"]')).to_have_text("100%")
    expect(card.locator('[data-field="timesteps"]')).to_have_text(re.compile(r"^2,048 / 2,048$"))
    expect(card.locator('[data-action="stop"]')).to_be_hidden()
    expect(page.get_by_test_id("toast").filter(has_text="Training completed")).to_be_visible()

    # Everything above happened live, without reloading the page.
    assert page.evaluate("window.__noReload") is True
    states = page.evaluate("window.__cardStates")
    running = [s for s in states if s["id"] == experiment_id and s["status"] == "Running"]
    assert any(_pct(s["pct"]) > 0 for s in running), states
    moving = {_steps(s["timesteps"]) for s in running if _steps(s["timesteps"]) > 0}
    assert len(moving) >= 2, f"timesteps did not move while running: {states}"
    assert all("/ 2,048" in s["timesteps"] for s in running)

    recent = page.get_by_test_id("recent-experiments")
    row = recent.locator(f'[data-experiment-id="{experiment_id}"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text("Pong")
    expect(row.locator('[data-field="status"]')).to_have_text("Completed")

    page.screenshot(path=str(artifacts_dir / "dashboard-completed.png"))

    # View Details shows where the run and its model live.
    card.get_by_role("button", name="View Details").click()
    dialog = page.get_by_test_id("details-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", level=2)).to_have_text(card.locator('[data-field="name"]').inner_text())
    expect(dialog.locator('[data-field="run-dir"]')).to_contain_text(experiment_id)
    expect(dialog.locator('[data-field="model-path"]')).to_have_text(re.compile(r"model\.zip$"))
    expect(dialog.locator('[data-field="config"]')).to_contain_text("total_timesteps")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_without_the_token_link_the_page_says_how_to_get_in(live_server, new_page):
    page = new_page()  # a fresh context: no session cookie
    page.goto(f"{live_server.base_url}/")

    message = page.get_by_test_id("auth-required")
    expect(message).to_be_visible()
    expect(message).to_contain_text(AUTH_MESSAGE)
    expect(page.get_by_test_id("welcome")).to_be_hidden()
    expect(page.locator("#quick-start")).to_be_hidden()

    # A wrong token does not get in either.
    page = new_page()
    page.goto(f"{live_server.base_url}/?token=wrong-{live_server.token}")
    expect(page).to_have_url(f"{live_server.base_url}/")
    expect(page.get_by_test_id("auth-required")).to_contain_text(AUTH_MESSAGE)


def test_names_render_as_text_and_stop_keeps_the_run(live_server, page: Page):
    hostile = '<img src=x onerror="window.__pwned=1"> "Quoted" <script>window.__pwned=2</script>'
    response = requests.post(
        f"{live_server.base_url}/api/experiments",
        json={
            "game": "breakout",
            "algorithm": "ppo",
            "preset": "quick",
            "name": hostile,
            "config": {"total_timesteps": 500_000},
        },
        headers=live_server.auth_headers,
        timeout=30,
    )
    assert response.status_code == 201, response.text
    experiment_id = response.json()["experiment"]["id"]

    page.goto(live_server.login_url)
    card = page.locator(f'[data-testid="activity-card"][data-experiment-id="{experiment_id}"]')
    expect(card.locator('[data-field="name"]')).to_have_text(hostile)
    expect(page.get_by_test_id("welcome")).to_be_hidden()
    recent = page.get_by_test_id("recent-experiments")
    expect(recent.locator(f'[data-experiment-id="{experiment_id}"]')).to_contain_text(hostile)
    assert page.evaluate("window.__pwned") is None

    status = card.locator('[data-field="status"]')
    expect(status).to_have_text("Running", timeout=120_000)
    card.get_by_role("button", name="Stop").click()
    expect(status).to_have_text("Stopped", timeout=120_000)
    expect(card.get_by_role("button", name="Stop")).to_be_hidden()
    expect(page.get_by_test_id("toast").filter(has_text="Training stopped")).to_be_visible()
    assert page.evaluate("window.__pwned") is None


def test_a_crashed_worker_shows_failed_with_the_reason(live_server, page: Page):
    response = requests.post(
        f"{live_server.base_url}/api/experiments",
        json={"game": "pong", "config": {"total_timesteps": 500_000}},
        headers=live_server.auth_headers,
        timeout=30,
    )
    assert response.status_code == 201, response.text
    experiment_id = response.json()["experiment"]["id"]
    page.goto(live_server.login_url)
    card = page.locator(f'[data-testid="activity-card"][data-experiment-id="{experiment_id}"]')
    status = card.locator('[data-field="status"]')
    expect(status).to_have_text("Running", timeout=120_000)

    [worker] = [p for p in psutil.Process(live_server.process.pid).children(recursive=True) if "worker" in p.cmdline()]
    worker.send_signal(signal.SIGKILL)

    expect(status).to_have_text("Failed", timeout=30_000)
    expect(card).to_contain_text("The training process was killed (SIGKILL).")
    expect(page.get_by_test_id("toast").filter(has_text="failed")).to_be_visible()
    expect(card.get_by_role("button", name="Stop")).to_be_hidden()
