"""Hyperparameter search as a user sees it, against the real `retro-ml serve`, real Optuna, real
tiny PPO trials on Space Invaders and Chromium: the Tune dialog refuses bad values under their
fields (its own checks, then the server's 400 on the parameter it names) and starts a study; the
study's page shows its trials as they run, without a reload; a trial's run opens; the best trial
is trained for real (a new run with its values). Stop and Resume on a second study. Screenshots at
1280×800, dark and light, in test-artifacts/."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.helpers.api_client import call, fetch
from tests.helpers.server import LiveServer, start_server
from tests.studies.study_requests import TINY_TRIAL_CONFIG, tiny_study

pytestmark = pytest.mark.e2e

STUDY_TIMEOUT_S = 300
LIVE_TIMEOUT_MS = 120_000
ACTIVE = ("queued", "running", "paused")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("studies-ui") / "data")
    try:
        yield live
    finally:
        code = live.stop()
        assert code == 0, f"server exited with {code}:\n{live.log_text()}"


def _studies(server: LiveServer) -> list[dict[str, Any]]:
    return call(server, "GET", "/studies")["studies"]


def _wait_study_ends(server: LiveServer, study_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + STUDY_TIMEOUT_S
    while time.monotonic() < deadline:
        study = call(server, "GET", f"/studies/{study_id}")["study"]
        if study["status"] != "running" and not study["running_trials"]:
            return study
        time.sleep(1)
    raise AssertionError(f"study {study_id} did not end in time")


def _stop_run(server: LiveServer, experiment_id: str) -> None:
    call(server, "POST", f"/experiments/{experiment_id}/stop", None)
    deadline = time.monotonic() + 60
    while fetch(server, experiment_id)["metadata"]["status"] in ACTIVE:
        assert time.monotonic() < deadline, "the promoted run did not stop"
        time.sleep(0.5)


def _shoot(page: Page, artifacts_dir: Path, name: str) -> None:
    page.evaluate("() => document.querySelectorAll('.toast__close').forEach((button) => button.click())")
    for theme in ("dark", "light"):
        page.evaluate("(theme) => { document.documentElement.dataset.theme = theme; }", theme)
        page.mouse.move(0, 0)
        page.wait_for_timeout(400)
        page.screenshot(path=str(artifacts_dir / f"studies-{name}-1280-{theme}.png"))
    page.evaluate("() => { document.documentElement.dataset.theme = 'dark'; }")


def _param_row(dialog: Locator, name: str) -> Locator:
    return dialog.locator(f'.tune-param[data-param="{name}"]')


def _fill_tiny_study(dialog: Locator) -> None:
    """Two trials of 1,024 steps on 2 games searching the learning rate only, scored on 1 short game."""
    dialog.locator('[data-field="tune-game"]').select_option("space_invaders")
    dialog.locator('[data-field="tune-trials"]').fill("2")
    dialog.locator('[data-field="tune-steps"]').fill("1024")
    dialog.locator('[data-field="tune-sampler"]').select_option("random")
    for checkbox in dialog.locator('.tune-param input[data-field^="search-"]').all():
        checkbox.set_checked(False)
    lr = _param_row(dialog, "learning_rate")
    lr.locator('input[data-field="search-learning_rate"]').check()
    lr.locator('[data-field="low-learning_rate"]').fill("1e-8")
    lr.locator('[data-field="high-learning_rate"]').fill("0.001")
    dialog.locator('[data-group="trial-settings"] summary').click()
    for key in ("n_envs", "trial_eval_every_pct", "trial_eval_episodes", "trial_eval_max_seconds"):
        dialog.locator(f'[data-field="tune-{key}"]').fill(str(TINY_TRIAL_CONFIG[key]))


def test_tune_dialog_starts_a_study_whose_trials_appear_live_then_the_best_is_promoted(
    server: LiveServer, page: Page, artifacts_dir: Path
) -> None:
    page.goto(server.login_url)
    page.evaluate("() => { location.hash = '#/training'; }")
    page.locator('[data-field="tune-open"]').click()
    dialog = page.get_by_test_id("tune-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator('[data-field="tune-estimate"]')).to_contain_text("20 trials × 50,000 steps")
    _shoot(page, artifacts_dir, "tune")

    # The dialog's own checks: nothing is sent.
    dialog.locator('[data-field="tune-trials"]').fill("0")
    dialog.locator('[data-group="params"] summary').click()
    expect(dialog.locator('[data-field="tune-space-count"]')).to_have_text("9 of 11 searched")  # RL Zoo's PPO space
    lr = _param_row(dialog, "learning_rate")
    lr.locator('[data-field="high-learning_rate"]').fill("0.5")
    dialog.locator('button[type="submit"]').click()
    expect(dialog.locator('[data-error-for="n_trials"]')).to_have_text("Trials must be from 1 to 1,000.")
    expect(lr.locator('[data-error-for="params.learning_rate"]')).to_contain_text("Keep between 1e-8 and 0.1")
    expect(dialog.locator('[data-field="tune-trials"]')).to_be_focused()
    assert _studies(server) == []

    # The server's 400 lands on the parameter it names: n_steps 4,096 passes the safe bounds but
    # two rounds of 4,096 × 2 games do not fit a trial of 1,024 steps.
    _fill_tiny_study(dialog)
    n_steps = _param_row(dialog, "n_steps")
    n_steps.locator('input[data-field="search-n_steps"]').check()
    n_steps.locator('[data-field="choices-n_steps"]').fill("4096")
    dialog.locator('button[type="submit"]').click()
    expect(n_steps.locator('[data-error-for="params.n_steps"]')).to_contain_text("does not fit trials of 1,024 steps")
    expect(lr.locator('[data-error-for="params.learning_rate"]')).to_be_hidden()
    _shoot(page, artifacts_dir, "tune-errors")
    assert _studies(server) == []

    n_steps.locator('input[data-field="search-n_steps"]').uncheck()
    dialog.locator('button[type="submit"]').click()
    expect(dialog).to_be_hidden()
    study_page = page.get_by_test_id("study-page")
    expect(study_page).to_be_visible()
    [study] = _studies(server)
    assert page.url.endswith(f"#/studies/{study['id']}")
    assert study["params"] == {"learning_rate": {"low": 1e-8, "high": 0.001, "log": True}}
    assert study["n_trials"] == 2 and study["timesteps_per_trial"] == 1024 and study["sampler"] == "random"
    assert study["config"]["n_envs"] == 2 and study["config"]["trial_eval_episodes"] == 1
    expect(study_page.locator('[data-field="study-status"]')).to_have_text("Running")

    # Trials appear and finish on the page as they run: no reload.
    rows = study_page.get_by_test_id("trial-row")
    expect(rows.first).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(rows.first.locator('[data-field="trial-run"]')).to_be_visible()
    _shoot(page, artifacts_dir, "study-running")
    ended = _wait_study_ends(server, study["id"])
    assert ended["status"] == "completed", ended["message"]
    states = [t["state"] for t in ended["trials"]]
    expect(rows).to_have_count(2, timeout=LIVE_TIMEOUT_MS)
    expect(rows.locator('[data-field="trial-state"]')).to_have_text(
        [{"complete": "Complete", "pruned": "Pruned", "failed": "Failed"}[s] for s in states], timeout=LIVE_TIMEOUT_MS
    )
    expect(study_page.locator('[data-field="study-status"]')).to_have_text("Completed", timeout=LIVE_TIMEOUT_MS)
    expect(study_page.locator('[data-field="study-progress-text"]')).to_have_text("2 of 2 trials done")
    control = study_page.locator('[data-field="study-control"]')
    expect(control).to_have_attribute("aria-disabled", "true")
    expect(control).to_have_attribute("title", re.compile(r"^Completed: all 2 trials were asked\."))
    best = ended["best_trial"]
    assert best is not None, ended
    expect(study_page.locator('[data-field="best-value"]')).to_have_text(f"{round(best['value'], 2):g}")
    if states.count("complete") >= 2:  # Optuna ranks the one searched parameter: all of the importance
        expect(study_page.locator('[data-field="importance"] [data-param="learning_rate"]')).to_contain_text("100%")
    else:
        reason = study_page.locator('[data-field="importance-reason"]')
        expect(reason).to_contain_text("Needs at least 2 complete trials")
    page.mouse.wheel(0, 600)
    _shoot(page, artifacts_dir, "study-completed")

    # A trial's run opens.
    first = ended["trials"][0]
    rows.first.locator('[data-field="trial-run"]').click()
    assert page.url.endswith(f"#/experiments/{first['experiment_id']}")
    expect(page.get_by_test_id("experiments-view")).to_contain_text(fetch(server, first["experiment_id"])["name"])
    page.go_back()
    expect(study_page).to_be_visible()

    # Train the best for real: the steps asked (Standard's by default), then the new run's page.
    study_page.locator('[data-field="best-promote"]').click()
    promote = page.get_by_test_id("promote-dialog")
    expect(promote).to_be_visible()
    steps = promote.locator('[data-field="promote-steps"]')
    expect(steps).to_have_value("1000000")
    steps.fill("10")
    promote.locator('button[type="submit"]').click()
    expect(promote.locator('[data-error-for="total_timesteps"]')).to_contain_text("from 1,000 to 1,000,000,000")
    steps.fill("4096")
    promote.locator('button[type="submit"]').click()
    expect(promote).to_be_hidden()
    page.wait_for_url("**/#/experiments/*")
    promoted_id = page.url.rsplit("/", 1)[-1]
    try:
        promoted = fetch(server, promoted_id)
        assert promoted["lineage"]["study_id"] == study["id"] and promoted["lineage"]["trial_number"] == best["number"]
        assert promoted["config"]["learning_rate"] == best["params"]["learning_rate"]
        assert promoted["config"]["total_timesteps"] == 4096
        expect(page.get_by_test_id("experiments-view")).to_contain_text(promoted["name"])
        # Its Lineage links back to the study it came from.
        page.evaluate("(hash) => { location.hash = hash; }", f"#/experiments/{promoted_id}?tab=lineage")
        back = page.locator('[data-field="lineage-study"]')
        expect(back).to_contain_text(f"Trained for real with the parameters of trial {best['number']}")
        back.get_by_role("link").click()
        expect(page).to_have_url(re.compile(f"#/studies/{study['id']}$"))
    finally:
        _stop_run(server, promoted_id)


def test_stop_and_resume_a_study_from_its_page(server: LiveServer, page: Page) -> None:
    created = call(server, "POST", "/studies", 201, json=tiny_study(n_trials=3, name="Stop me <b>now</b>"))["study"]
    page.goto(server.login_url)
    page.evaluate("() => { location.hash = '#/studies'; }")
    row = page.locator(f'[data-testid="study-row"][data-study-id="{created["id"]}"]')
    expect(row.locator('[data-field="study-link"]')).to_have_text("Stop me <b>now</b>")  # a name is text, never HTML
    row.locator('[data-field="study-link"]').click()
    study_page = page.get_by_test_id("study-page")
    control = study_page.locator('[data-field="study-control"]')
    expect(control).to_have_text("Stop study")
    control.click()
    expect(study_page.locator('[data-field="study-status"]')).to_have_text("Stopped")
    expect(control).to_have_text("Resume study")
    assert call(server, "GET", f"/studies/{created['id']}")["study"]["status"] == "stopped"
    control.click()
    expect(study_page.locator('[data-field="study-status"]')).to_have_text("Running")
    expect(control).to_have_text("Stop study")
    control.click()  # leave no new trial behind; the running one finishes
    expect(study_page.locator('[data-field="study-status"]')).to_have_text("Stopped")
    ended = _wait_study_ends(server, created["id"])
    assert ended["status"] == "stopped"
