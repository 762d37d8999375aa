"""Continuing a DQN run in the UI: the dialog offers its kept replay memory, with its size."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.api_client import call, create, fetch
from tests.helpers.run_configs import TINY_DQN

pytestmark = pytest.mark.e2e

DQN = {**TINY_DQN, "total_timesteps": 200, "learning_starts": 100, "eval_episodes": 0}


def completed_dqn(live_server) -> dict:
    experiment = create(live_server, game="pong", algorithm="dqn", config=DQN)
    deadline = time.monotonic() + 240
    while (experiment := fetch(live_server, experiment["id"]))["metadata"]["status"] != "completed":
        assert experiment["metadata"]["status"] in ("queued", "running"), experiment["metadata"]
        assert time.monotonic() < deadline, "the DQN run did not finish"
        time.sleep(0.5)
    return experiment


def test_the_continue_dialog_keeps_a_dqn_runs_replay_memory_unless_unticked(
    live_server, page: Page, artifacts_dir
) -> None:
    parent = completed_dqn(live_server)
    size_mb = parent["artifacts"]["replay_buffer"]["size_bytes"] / 1024 / 1024

    page.goto(live_server.login_url)
    row = page.get_by_test_id("recent-experiments").locator(f'[data-experiment-id="{parent["id"]}"]')
    row.get_by_role("button", name="Continue training").click()
    dialog = page.get_by_test_id("continue-dialog")
    keep = dialog.get_by_label(re.compile("Keep its replay memory"))
    expect(keep).to_be_visible()
    expect(keep).to_be_checked()
    expect(dialog).to_contain_text(f"Keep its replay memory ({size_mb:.1f} MB)")
    page.wait_for_timeout(400)  # the dialog's entrance animation
    page.screenshot(path=str(artifacts_dir / "continue-dqn-memory-dark.png"))
    dialog.get_by_role("button", name="Cancel").click()
    page.locator("#theme-toggle").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    row.get_by_role("button", name="Continue training").click()
    expect(keep).to_be_checked()
    page.wait_for_timeout(400)
    page.screenshot(path=str(artifacts_dir / "continue-dqn-memory-light.png"))

    keep.uncheck()
    dialog.get_by_label("More steps").fill("1024")
    dialog.get_by_role("button", name="Start", exact=True).click()
    expect(dialog).to_be_hidden()
    experiments = call(live_server, "GET", "/experiments")["experiments"]
    children = [e for e in experiments if e["lineage"]["parent_experiment_id"] == parent["id"]]
    assert len(children) == 1
    assert children[0]["lineage"]["replay_buffer_source"] is None  # unticked: not kept

    # Ticked (the default), the next continuation keeps it.
    row.get_by_role("button", name="Continue training").click()
    expect(keep).to_be_checked()
    dialog.get_by_label("More steps").fill("1024")
    dialog.get_by_role("button", name="Start", exact=True).click()
    expect(dialog).to_be_hidden()
    kept = [
        e
        for e in call(live_server, "GET", "/experiments")["experiments"]
        if e["lineage"]["parent_experiment_id"] == parent["id"] and e["id"] != children[0]["id"]
    ]
    assert len(kept) == 1 and kept[0]["lineage"]["replay_buffer_source"] == parent["artifacts"]["replay_buffer"]["path"]
    for child in (*children, *kept):
        call(live_server, "POST", f"/experiments/{child['id']}/stop", None)
