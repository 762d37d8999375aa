"""Deleting a finished run from Recent Experiments, after a confirmation, against a real worker."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

TINY_PONG = {
    "game": "pong",
    "config": {
        "total_timesteps": 2048,
        "n_envs": 2,
        "n_steps": 64,
        "batch_size": 64,
        "n_epochs": 1,
        "milestone_every_pct": 0,
    },
}
LONG_PONG = {"game": "pong", "config": {**TINY_PONG["config"], "total_timesteps": 500_000}}


def _create(live_server, body: dict) -> dict:
    response = requests.post(
        f"{live_server.base_url}/api/experiments", json=body, headers=live_server.auth_headers, timeout=30
    )
    assert response.status_code == 201, response.text
    return response.json()["experiment"]


def _get(live_server, experiment_id: str) -> requests.Response:
    return requests.get(
        f"{live_server.base_url}/api/experiments/{experiment_id}", headers=live_server.auth_headers, timeout=30
    )


def _wait_for_status(live_server, experiment_id: str, statuses: set[str], timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        experiment = _get(live_server, experiment_id).json()["experiment"]
        status = experiment["metadata"]["status"]
        if status in statuses:
            return experiment
        assert status not in {"failed", "interrupted"}, experiment["metadata"]
        assert time.monotonic() < deadline, f"still {status} after {timeout}s"
        time.sleep(1)


def test_delete_a_finished_run(live_server, page: Page, artifacts_dir):
    experiment = _wait_for_status(live_server, _create(live_server, TINY_PONG)["id"], {"completed"})
    experiment_id, name = experiment["id"], experiment["name"]
    run_dir = Path(experiment["run_dir"])
    assert run_dir.exists()

    page.goto(live_server.login_url)
    row = page.get_by_test_id("recent-experiments").locator(f'[data-experiment-id="{experiment_id}"]')
    expect(row.locator('[data-field="status"]')).to_have_text("Completed")
    delete = row.get_by_role("button", name="Delete")
    expect(delete).to_have_attribute("title", "Delete this run with its trained model, checkpoints and logs")

    # Cancel keeps the run; Cancel has the focus, so Enter or Escape loses nothing.
    dialog = page.get_by_test_id("delete-dialog")
    delete.click()
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text(f"Delete {name}?")
    expect(dialog).to_contain_text("its trained model, checkpoints and logs. This cannot be undone.")
    if experiment["artifacts"]["models"] and experiment["artifacts"]["models"][0].get("size_bytes"):
        expect(dialog.locator('[data-field="delete-size"]')).to_contain_text("Its model takes")
    cancel = dialog.get_by_role("button", name="Cancel")
    expect(cancel).to_be_focused()
    page.wait_for_timeout(400)  # let the dialog's entrance animation finish
    page.screenshot(path=str(artifacts_dir / "delete-dialog.png"))
    cancel.click()
    expect(dialog).to_be_hidden()
    expect(row).to_be_visible()

    # Escape closes it too.
    delete.click()
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(row).to_be_visible()
    assert _get(live_server, experiment_id).status_code == 200

    # Confirm: the row and its activity card go, a toast says so, and so do the files.
    activity_card = page.locator(f'[data-testid="activity-card"][data-experiment-id="{experiment_id}"]')
    expect(activity_card).to_be_visible()
    delete.click()
    dialog.get_by_role("button", name="Delete", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(row).to_have_count(0)
    expect(activity_card).to_have_count(0)
    expect(page.get_by_test_id("toast").filter(has_text=f"Deleted {name}")).to_be_visible()
    assert _get(live_server, experiment_id).status_code == 404
    assert not run_dir.exists()


def test_delete_is_never_offered_on_an_active_run(live_server, page: Page):
    experiment = _create(live_server, LONG_PONG)
    page.goto(live_server.login_url)
    row = page.get_by_test_id("recent-experiments").locator(f'[data-experiment-id="{experiment["id"]}"]')
    expect(row.locator('[data-field="status"]')).to_have_text("Running", timeout=120_000)
    expect(row.get_by_role("button", name="Delete")).to_have_count(0)

    stop = requests.post(
        f"{live_server.base_url}/api/experiments/{experiment['id']}/stop", headers=live_server.auth_headers, timeout=30
    )
    assert stop.status_code == 202, stop.text
    expect(row.locator('[data-field="status"]')).to_have_text("Stopped", timeout=120_000)
    expect(row.get_by_role("button", name="Delete")).to_be_visible()
