"""The Training tab as a user sees it: New Training dialog, live Training Monitor with charts,
pause / resume / stop, the Recent Experiments table's Resume and Retry, against the real
`retro-ml serve`, real workers and Chromium. One server for the module; runs one at a time."""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from tests.helpers.run_configs import TINY_PPO
from tests.helpers.server import LiveServer, kill_workers_under, start_server

pytestmark = pytest.mark.e2e

HOSTILE = 'Pong <script>window.__pwned=1</script> "quoted" <img src=x onerror="window.__pwned=2">'
LONG_STEPS = 200_000  # never finishes within the test: it is paused, resumed and stopped


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("training-tab") / "data")
    try:
        yield live
    finally:
        code = live.stop()
        kill_workers_under(live.data_dir)  # the runs the tests started from the Training tab
        assert code == 0, f"server exited with {code}:\n{live.log_text()}"


def _open_training(page: Page, server: LiveServer) -> Locator:
    page.goto(server.login_url)
    page.get_by_role("link", name="Training").click()
    view = page.get_by_test_id("training-view")
    expect(view.get_by_role("heading", name="Training Sessions", level=1)).to_be_visible()
    return view


def _monitor(view: Locator, experiment_id: str) -> Locator:
    return view.locator(f'[data-testid="training-monitor"][data-experiment-id="{experiment_id}"]')


def _row(view: Locator, experiment_id: str) -> Locator:
    return view.locator(f'[data-testid="training-row"][data-experiment-id="{experiment_id}"]')


def _field(root: Locator, name: str) -> Locator:
    return root.locator(f'[data-field="{name}"]')


def _number(text: str) -> float:
    match = re.search(r"-?[\d.]+", text.replace(",", ""))
    return float(match.group()) if match else 0.0


def _settle(page: Page) -> None:
    page.mouse.move(0, 0)
    page.wait_for_timeout(700)  # progress and chart transitions


def _shoot(page: Page, artifacts_dir: Path, name: str) -> None:
    # Toasts would cover what is under them: dismiss them all at once (clicking one by one races
    # with the others moving up and with new ones arriving).
    page.evaluate("() => document.querySelectorAll('.toast__close').forEach((button) => button.click())")
    for width, height in ((1280, 800), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        for theme in ("dark", "light"):
            page.evaluate("(theme) => { document.documentElement.dataset.theme = theme; }", theme)
            _settle(page)
            page.screenshot(path=str(artifacts_dir / f"training-{name}-{width}-{theme}.png"))
    page.evaluate("() => { document.documentElement.dataset.theme = 'dark'; }")
    page.set_viewport_size({"width": 1280, "height": 800})


def _worker_of(server: LiveServer) -> psutil.Process:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        workers = [p for p in psutil.Process(server.process.pid).children(recursive=True) if "worker" in p.cmdline()]
        if workers:
            return workers[0]
        time.sleep(0.2)
    raise AssertionError("no training worker is running")


def _config_field(dialog: Locator, name: str) -> Locator:
    return dialog.locator(f'[data-config-field="{name}"]')


def test_new_training_to_a_live_monitor_then_pause_resume_stop(server: LiveServer, page: Page, artifacts_dir):
    view = _open_training(page, server)

    # Nothing runs yet: the empty state says so and offers New Training.
    empty = view.get_by_test_id("training-empty")
    expect(empty).to_contain_text("Nothing is training right now.")
    expect(empty.get_by_role("button", name="Start a New Training")).to_be_visible()
    expect(view.get_by_test_id("training-table")).to_be_hidden()

    # The dialog opens with Settings' training defaults; Escape closes it and focus comes back.
    opener = view.locator(".training__head").get_by_role("button", name="New Training")
    opener.click()
    dialog = page.get_by_test_id("new-training-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#nt-game")).to_have_value("breakout")
    expect(dialog.locator("#nt-preset")).to_have_value("quick")
    expect(dialog.locator('input[name="nt-algo"][value="ppo"]')).to_be_checked()
    expect(dialog.get_by_text("PPO (Recommended)")).to_be_visible()
    expect(dialog.locator('[data-field="nt-estimate"]')).to_contain_text(
        re.compile(r"Estimated training time: about .+ on (CPU|GPU \(CUDA\)).* · 250,000 steps")
    )
    assert dialog.locator("#nt-game option").count() > 50
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()

    opener.click()
    expect(dialog).to_be_visible()
    # Every setting, grouped, with a plain-words tooltip and its recommended value.
    groups = dialog.locator("details.nt-group summary")
    expect(groups).to_have_text(
        [re.compile("Videos"), re.compile("Performance"), re.compile("Advanced hyper-parameters")]
    )
    for group in range(3):
        groups.nth(group).click()
    n_steps = _config_field(dialog, "n_steps")
    expect(n_steps).to_be_visible()
    expect(n_steps).to_contain_text("Recommended: 128")
    assert "Steps each game plays" in (n_steps.locator("label").get_attribute("title") or "")
    for label in dialog.locator(".tfield .form__label").all():
        assert len(label.get_attribute("title") or "") > 15, label.inner_text()
    # Per-algorithm hyper-parameters follow the algorithm.
    dialog.get_by_text("DQN", exact=True).click()
    expect(_config_field(dialog, "buffer_size")).to_be_visible()
    expect(_config_field(dialog, "buffer_size")).to_contain_text("Recommended: 50,000")
    expect(n_steps).to_be_hidden()
    dialog.get_by_text("PPO (Recommended)").click()
    expect(n_steps).to_be_visible()

    # A small, fast run; a batch bigger than one round is refused by the server, under its field.
    dialog.locator("#nt-name").fill(HOSTILE)
    dialog.locator("#nt-game").select_option("pong")
    dialog.locator("#nt-preset").select_option("custom")
    dialog.locator("#nt-steps").fill(str(LONG_STEPS))
    expect(dialog.locator('[data-field="nt-estimate"]')).to_contain_text("200,000 steps")
    for name, value in {
        "n_envs": "2",
        "n_steps": "64",
        "n_epochs": "1",
        "batch_size": "512",
        "milestone_every_pct": "0",
        "video_length_hours": "0",
        "eval_episodes": "0",
    }.items():
        _config_field(dialog, name).locator("input").fill(value)
    expect(dialog.locator("[data-field='advanced-changed']")).to_have_text("3 changed")
    expect(dialog.locator("[data-field='performance-changed']")).to_have_text("1 changed")
    dialog.get_by_role("button", name="Start Training").click()
    batch = _config_field(dialog, "batch_size")
    expect(batch.locator(".form__error")).to_be_visible()
    expect(batch.locator(".form__error")).to_contain_text("must be at most n_steps × n_envs (128)")
    expect(batch.locator("input")).to_have_attribute("aria-invalid", "true")
    expect(batch.locator("input")).to_be_focused()
    expect(dialog).to_be_visible()
    _shoot(page, artifacts_dir, "dialog-error")

    batch.locator("input").fill("64")
    expect(batch.locator(".form__error")).to_be_hidden()
    dialog.get_by_role("button", name="Start Training").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("toast").filter(has_text="Training started")).to_be_visible()
    expect(opener).to_be_focused()

    # The run the dialog started, with exactly the settings chosen.
    listed = requests.get(f"{server.base_url}/api/experiments", headers=server.auth_headers, timeout=10).json()
    [experiment] = listed["experiments"]
    assert experiment["name"] == " ".join(HOSTILE.split())
    config = experiment["config"]
    assert (config["total_timesteps"], config["n_envs"], config["n_steps"], config["batch_size"]) == (
        LONG_STEPS,
        2,
        64,
        64,
    )
    assert config["milestone_every_pct"] == 0 and config["learning_rate"] == 0.00025  # untouched: recommended
    experiment_id = experiment["id"]

    # The monitor: name as text, session from the id, live progress, metrics and charts.
    monitor = _monitor(view, experiment_id)
    expect(monitor).to_be_visible()
    expect(empty).to_be_hidden()
    expect(_field(monitor, "name")).to_have_text(" ".join(HOSTILE.split()))
    expect(_field(monitor, "session")).to_have_text(f"Session {experiment_id[:4]}…")
    expect(monitor).to_contain_text("Pong · PPO")
    expect(_field(monitor, "status")).to_have_text("Running", timeout=120_000)
    expect(_field(monitor, "device")).to_have_text(re.compile(r"^(CPU|CUDA)$"))
    steps = _field(monitor, "progress-steps")
    expect(steps).to_contain_text("/ 200,000 steps")
    expect(_field(monitor, "timesteps")).to_have_text(re.compile(r" / 200K$"))
    first_pct = _number(_field(monitor, "progress-pct").inner_text())
    expect(_field(monitor, "progress-pct")).not_to_have_text(f"{first_pct:g}%", timeout=60_000)
    loss_chart = monitor.get_by_test_id("loss-chart")
    expect(loss_chart).not_to_have_attribute("data-points", re.compile(r"^[01]$"), timeout=90_000)
    expect(_field(monitor, "loss")).to_have_text(re.compile(r"^-?\d"))
    expect(_field(monitor, "loss-arrow")).to_have_text(re.compile("[▲▼■]"))
    expect(_field(monitor, "loss-change")).to_have_text(re.compile(r"^\((↑|↓)[\d.]+%\)$|^\(no change\)$"))
    # Pong's first games end after ~1,700 steps: the reward chart, score and episodes follow.
    reward_chart = monitor.get_by_test_id("reward-chart")
    expect(reward_chart).not_to_have_attribute("data-points", re.compile(r"^[01]$"), timeout=120_000)
    expect(_field(monitor, "reward")).to_have_text(re.compile(r"^-?\d"))
    expect(_field(monitor, "score-trend")).to_have_text(re.compile(r"^-?[\d.]+( → -?[\d.]+)?$"))
    expect(_field(monitor, "episodes")).to_have_text(re.compile(r"^\d[\d,]* completed$"))
    expect(_field(monitor, "time")).to_have_text(re.compile(r"^\d+s|^\d+m .* · .* left$"))
    # The chart keeps growing from training.progress events.
    points = int(loss_chart.get_attribute("data-points") or 0)
    expect(loss_chart).not_to_have_attribute("data-points", str(points), timeout=60_000)
    # The live game view works from the monitor (the socket is shared with the rest of the app).
    live = monitor.get_by_test_id("live-view")
    live.get_by_role("button", name="Watch live").click()
    expect(live.locator('[data-field="live-frame"]')).to_be_visible(timeout=30_000)

    # The table lists it live, newest first.
    row = _row(view, experiment_id)
    expect(_field(row, "name")).to_have_text(" ".join(HOSTILE.split()))
    expect(_field(row, "status")).to_have_text("Running")
    expect(_field(row, "steps")).to_have_text(re.compile(r" / 200K$"))

    _shoot(page, artifacts_dir, "running")
    # Leaving the tab stops watching (the worker renders frames only for watchers).
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("link", name="Training").click()
    expect(live.get_by_role("button", name="Watch live")).to_have_attribute("aria-pressed", "false")
    expect(live.locator('[data-field="live-frame"]')).to_be_hidden()

    # Pause → Paused (Resume offered), Resume → Running, Stop → out of Active Training.
    monitor.get_by_role("button", name="Pause").click()
    expect(_field(monitor, "status")).to_have_text("Paused", timeout=30_000)
    expect(monitor).to_contain_text("Paused at")
    expect(_field(row, "status")).to_have_text("Paused")
    expect(row.get_by_role("button", name=re.compile("^Resume"))).to_be_visible()
    resume = monitor.get_by_role("button", name="Resume")
    expect(resume).to_be_focused()  # keyboard focus follows Pause → Resume
    resume.click()
    expect(_field(monitor, "status")).to_have_text("Running", timeout=30_000)
    monitor.get_by_role("button", name="Stop").click()
    expect(monitor).to_be_hidden(timeout=120_000)
    expect(empty).to_be_visible()
    expect(_field(row, "status")).to_have_text("Stopped")
    resume_row = row.get_by_role("button", name=re.compile("^Resume"))
    expect(resume_row).to_be_visible()
    expect(row.get_by_role("button", name=re.compile("^Retry"))).to_have_count(0)

    # Resume on a stopped run continues it: the continue dialog opens.
    resume_row.click()
    expect(page.get_by_test_id("continue-dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("continue-dialog")).to_be_hidden()

    # Charts of a finished run, from its logged metrics.
    row.get_by_role("button", name=re.compile("^Charts")).click()
    panel = view.get_by_test_id("training-charts")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("heading")).to_have_text(f"Charts · {' '.join(HOSTILE.split())}")
    expect(panel.get_by_test_id("loss-chart")).not_to_have_attribute("data-points", "0")
    expect(panel.get_by_test_id("reward-chart")).not_to_have_attribute("data-points", "0")
    assert page.evaluate("window.__pwned") is None
    _shoot(page, artifacts_dir, "finished")


def test_a_failed_run_offers_retry_and_retry_starts_it(server: LiveServer, page: Page, artifacts_dir):
    response = requests.post(
        f"{server.base_url}/api/experiments",
        json={
            "game": "pong",
            "name": "Doomed run",
            "config": {**TINY_PPO, "total_timesteps": LONG_STEPS},
        },
        headers=server.auth_headers,
        timeout=30,
    )
    assert response.status_code == 201, response.text
    experiment_id = response.json()["experiment"]["id"]
    view = _open_training(page, server)
    monitor = _monitor(view, experiment_id)
    expect(_field(monitor, "status")).to_have_text("Running", timeout=120_000)

    _worker_of(server).send_signal(signal.SIGKILL)

    row = _row(view, experiment_id)
    expect(_field(row, "status")).to_have_text("Failed", timeout=30_000)
    expect(monitor).to_be_hidden()
    retry = row.get_by_role("button", name=re.compile("^Retry"))
    expect(retry).to_be_visible()
    expect(retry).to_have_attribute("title", re.compile("same settings"))
    expect(row.get_by_role("button", name=re.compile("^Resume"))).to_have_count(0)

    retry.click()
    expect(page.get_by_test_id("toast").filter(has_text="Retrying Doomed run")).to_be_visible()
    child = view.get_by_test_id("training-monitor").filter(has_text="retry of Doomed run")
    expect(child).to_be_visible()
    expect(_field(child, "status")).to_have_text("Running", timeout=120_000)
    # The new run is first in the table (newest first).
    child_id = child.get_attribute("data-experiment-id")
    expect(view.get_by_test_id("training-row").first).to_have_attribute("data-experiment-id", child_id)

    _shoot(page, artifacts_dir, "retry")
    child.get_by_role("button", name="Stop").click()
    expect(child).to_be_hidden(timeout=120_000)
    expect(_field(_row(view, child_id), "status")).to_have_text("Stopped")
