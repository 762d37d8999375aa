"""The Models tab as a user sees it, against the real `retro-ml serve`, two real tiny PPO runs
(Pong keeping a checkpoint at 50%, Breakout) and Chromium: the versions listed by game, an
evaluation with its progress and score, a comparison with its table and a side-by-side video
that plays and seeks, "Compare step X vs final" from the run's page, and an ONNX export whose
onnxruntime check passed. Screenshots at 1280×800, dark and light, in test-artifacts/."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.helpers.api_client import call, create, status_of
from tests.helpers.run_configs import TINY_PPO
from tests.helpers.server import LiveServer, start_server

pytestmark = pytest.mark.e2e

TRAINING_TIMEOUT_S = 240
JOB_TIMEOUT_MS = 300_000  # real games on 2 cores: a tiny agent's Pong game runs to its cap


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("models-tab") / "data")
    try:
        yield live
    finally:
        code = live.stop()
        assert code == 0, f"server exited with {code}:\n{live.log_text()}"


def _wait_completed(server: LiveServer, experiment_id: str) -> None:
    deadline = time.monotonic() + TRAINING_TIMEOUT_S
    while time.monotonic() < deadline:
        status = status_of(server, experiment_id)
        if status == "completed":
            return
        assert status in ("queued", "running"), status
        time.sleep(0.5)
    raise AssertionError("the training run did not complete in time")


@pytest.fixture(scope="module")
def runs(server: LiveServer) -> dict[str, dict[str, Any]]:
    """Pong (a checkpoint kept at 1,024 steps, the final model at 2,048) and Breakout."""
    pong = create(
        server,
        game="pong",
        name="Pong <b>baseline</b>",
        config={**TINY_PPO, "checkpoint_every_pct": 50, "keep_checkpoints": 3},
    )
    breakout = create(server, game="breakout", name="Breakout try", config={**TINY_PPO, "checkpoint_every_pct": 0})
    _wait_completed(server, pong["id"])
    _wait_completed(server, breakout["id"])
    return {"pong": pong, "breakout": breakout}


def _models(server: LiveServer, **params: str) -> list[dict[str, Any]]:
    return call(server, "GET", "/models", params=params)["models"]


def _open(page: Page, server: LiveServer, hash_path: str = "#/models") -> Locator:
    page.goto(server.login_url)
    page.evaluate("(hash) => { location.hash = hash; }", hash_path)
    tab = "models" if hash_path.startswith("#/models") else "experiments"
    view = page.get_by_test_id(f"{tab}-view")
    expect(view).to_be_visible()
    return view


def _row(view: Locator, model_id: str) -> Locator:
    return view.locator(f'tr[data-model-id="{model_id}"]')


def _shoot(page: Page, artifacts_dir: Path, name: str) -> None:
    page.evaluate("() => document.querySelectorAll('.toast__close').forEach((button) => button.click())")
    page.set_viewport_size({"width": 1280, "height": 800})
    for theme in ("dark", "light"):
        page.evaluate("(theme) => { document.documentElement.dataset.theme = theme; }", theme)
        page.mouse.move(0, 0)
        page.wait_for_timeout(400)
        page.screenshot(path=str(artifacts_dir / f"models-{name}-1280-{theme}.png"))
    page.evaluate("() => { document.documentElement.dataset.theme = 'dark'; }")


def test_lists_the_versions_of_two_runs_grouped_by_game(server, runs, page: Page, artifacts_dir) -> None:
    pong_versions = _models(server, experiment_id=runs["pong"]["id"])
    assert sorted(m["kind"] for m in pong_versions) == ["checkpoint", "final"], pong_versions
    view = _open(page, server)
    groups = view.get_by_test_id("models-group")
    expect(groups).to_have_count(2)
    expect(groups.locator(".models-table__game")).to_have_text(["Breakout", "Pong"])  # newest run's game first
    pong_group = groups.filter(has_text="Pong")
    expect(pong_group.get_by_test_id("model-row")).to_have_count(2)
    final = next(m for m in pong_versions if m["kind"] == "final")
    row = _row(view, final["id"])
    expect(row.locator('[data-field="model-run"]')).to_have_text("Pong <b>baseline</b>")  # a name is text, never HTML
    expect(row.locator('[data-field="model-steps"]')).to_have_text("2,048")
    expect(row.locator('[data-field="model-score"]')).to_have_text("—")
    # A filter goes into the address and narrows the list.
    view.locator('select[data-filter="game"]').select_option("breakout")
    expect(view.get_by_test_id("models-group")).to_have_count(1)
    assert "game=breakout" in page.url
    # Compare needs 2 to 4 versions of one game: disabled with the reason until then.
    compare = view.locator('[data-field="models-compare"]')
    expect(compare).to_have_attribute("aria-disabled", "true")
    expect(compare).to_have_attribute("title", re.compile("Select 2 to 4 versions"))
    view.locator('[data-field="models-clear"]').click()
    expect(view.get_by_test_id("models-group")).to_have_count(2)
    _shoot(page, artifacts_dir, "list")


def test_evaluate_one_shows_progress_then_the_score(server, runs, page: Page, artifacts_dir) -> None:
    final = next(m for m in _models(server, experiment_id=runs["breakout"]["id"]) if m["kind"] == "final")
    view = _open(page, server)
    _row(view, final["id"]).get_by_role("button", name="Evaluate").click()
    dialog = page.get_by_test_id("evaluate-dialog")
    expect(dialog).to_be_visible()
    dialog.locator('[data-field="evaluate-episodes"]').fill("3")
    dialog.locator('[data-field="evaluate-start"]').click()
    expect(dialog.locator('[data-field="evaluate-running"]')).to_be_visible()
    expect(dialog.locator('[data-field="evaluate-progress"]')).to_have_attribute("aria-valuenow", re.compile(r"^\d+$"))
    _shoot(page, artifacts_dir, "evaluate-running")
    expect(dialog.locator('[data-field="evaluate-result"]')).to_be_visible(timeout=JOB_TIMEOUT_MS)
    evaluation = call(server, "GET", f"/models/{final['id']}")["model"]["evaluation"]
    assert evaluation["episodes"] == 3 and len(evaluation["scores"]) == 3, evaluation
    expect(dialog.locator('[data-field="evaluate-mean"]')).to_have_text(f"{evaluation['mean_score']:.1f}")
    expect(dialog.locator('[data-field="evaluate-max"]')).to_have_text(f"{evaluation['max_score']:.1f}")
    bars = dialog.locator(".score-histogram__bar")
    counts = [int(n) for n in bars.evaluate_all("(bars) => bars.map((bar) => bar.dataset.count)")]
    assert sum(counts) == 3, counts
    # The best game's video plays from the Videos tab's file URL.
    video = dialog.locator('video[data-field="evaluate-video"]')
    expect(video).to_have_attribute("src", f"/api/videos/{evaluation['video_id']}/file")
    page.wait_for_function("() => document.querySelector('video[data-field=\"evaluate-video\"]').duration > 0")
    _shoot(page, artifacts_dir, "evaluate-result")
    page.keyboard.press("Escape")
    score = _row(view, final["id"]).locator('[data-field="model-score"]')
    expect(score).to_have_text(f"{evaluation['mean_score']:.1f}")


def test_compare_two_table_and_the_video_plays_and_seeks(server, runs, page: Page, artifacts_dir) -> None:
    versions = _models(server, experiment_id=runs["pong"]["id"])
    view = _open(page, server, "#/models?game=pong")
    for version in versions:
        _row(view, version["id"]).locator("input[data-select]").check()
    compare = view.locator('[data-field="models-compare"]')
    expect(compare).not_to_have_attribute("aria-disabled", "true")
    compare.click()
    dialog = page.get_by_test_id("compare-dialog")
    dialog.locator('[data-field="compare-episodes"]').fill("2")
    dialog.locator('[data-field="compare-start"]').click()
    expect(dialog.locator('[data-field="compare-progress"]')).to_be_visible()
    expect(dialog.locator('[data-field="compare-result"]')).to_be_visible(timeout=JOB_TIMEOUT_MS)
    rows = dialog.get_by_test_id("compare-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("step 1,024")  # the earlier step is the baseline
    expect(rows.first.locator('[data-field="compare-verdict"]')).to_have_text("baseline")
    expect(rows.nth(1).locator('[data-field="compare-verdict"]')).to_contain_text(
        re.compile("beyond noise|within noise|not tested")
    )
    expect(dialog.locator('[data-field="compare-test"]')).to_contain_text("Welch's t-test")
    video = dialog.locator('video[data-field="compare-video"]')
    video_id = video.get_attribute("data-video-id")
    assert call(server, "GET", f"/videos/{video_id}")["video"]["type"] == "comparison"
    page.wait_for_function("() => document.querySelector('video[data-field=\"compare-video\"]').duration > 0")
    duration = video.evaluate("(v) => v.duration")
    seeked = video.evaluate(
        """(v) => new Promise((resolve) => {
            v.addEventListener('seeked', () => resolve(v.currentTime), { once: true });
            v.currentTime = v.duration / 2;
        })"""
    )
    assert abs(seeked - duration / 2) < 1.0, (seeked, duration)
    video.evaluate("(v) => { v.muted = true; return v.play(); }")
    page.wait_for_function(
        "(start) => document.querySelector('video[data-field=\"compare-video\"]').currentTime > start + 0.2", arg=seeked
    )
    _shoot(page, artifacts_dir, "compare-result")


def test_compare_step_vs_final_is_one_click_from_the_run(server, runs, page: Page) -> None:
    _open(page, server, f"#/experiments/{runs['pong']['id']}?tab=models")
    section = page.get_by_test_id("run-models")
    expect(section.get_by_test_id("run-model")).to_have_count(2)
    section.get_by_role("button", name="Compare step 1,024 vs final").click()
    dialog = page.get_by_test_id("compare-dialog")
    expect(dialog.locator('[data-field="compare-chosen"] li')).to_have_count(2)
    # It started at once; cancel it (nothing is kept).
    cancel = dialog.locator('[data-field="compare-cancel"]')
    expect(cancel).to_be_visible()
    cancel.click()
    expect(dialog.locator('[data-field="compare-error"]')).to_have_text(re.compile("cancelled"))
    jobs = call(server, "GET", "/models/jobs")["jobs"]
    assert any(job["kind"] == "comparison" and job["status"] == "cancelled" for job in jobs), jobs


def test_export_to_onnx_and_its_check_passed(server, runs, page: Page, tmp_path: Path, artifacts_dir) -> None:
    final = next(m for m in _models(server, experiment_id=runs["pong"]["id"]) if m["kind"] == "final")
    view = _open(page, server)
    _row(view, final["id"]).get_by_role("button", name="Export").click()
    dialog = page.get_by_test_id("model-export-dialog")
    dialog.get_by_role("radio", name=re.compile("^ONNX")).check()
    dialog.locator('[data-field="model-export-dest"]').fill(str(tmp_path))
    dialog.locator('[data-field="model-export-start"]').click()
    check = dialog.locator('[data-field="model-export-check"]')
    expect(check).to_be_visible(timeout=JOB_TIMEOUT_MS)
    expect(check).to_have_attribute("data-ok", "true")
    expect(check).to_contain_text("Check passed")
    folder = Path(dialog.locator('[data-field="model-export-path"]').inner_text())
    assert folder.parent == tmp_path and (folder / "model.onnx").stat().st_size > 0
    _shoot(page, artifacts_dir, "export-onnx")


def _player_processes() -> list[psutil.Process]:
    return [p for p in psutil.process_iter(["cmdline"]) if "model-play" in (p.info["cmdline"] or [])]


def test_watch_a_version_play_live_at_4x_then_closing_ends_its_player(server, runs, page: Page, artifacts_dir) -> None:
    final = next(m for m in _models(server, experiment_id=runs["breakout"]["id"]) if m["kind"] == "final")
    view = _open(page, server)
    _row(view, final["id"]).locator('[data-model-action="watch"]').click()
    dialog = page.get_by_test_id("model-watch-dialog")
    frame = dialog.locator('img[data-field="model-watch-frame"]')
    expect(frame).to_be_visible(timeout=90_000)  # the player loads the model first
    assert frame.evaluate("(img) => img.naturalWidth") > 0
    dialog.locator('button[data-speed="4"]').click()
    deadline = time.monotonic() + 10
    while call(server, "GET", f"/models/{final['id']}/watch")["speed"] != 4 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert call(server, "GET", f"/models/{final['id']}/watch")["speed"] == 4
    assert _player_processes()
    _shoot(page, artifacts_dir, "watch")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    deadline = time.monotonic() + 30
    while _player_processes() and time.monotonic() < deadline:
        time.sleep(0.25)
    assert not _player_processes(), "the player outlived its last watcher"


def test_tags_then_delete_a_checkpoint_at_once_and_a_final_model_after_confirming(server, runs, page: Page) -> None:
    versions = _models(server, experiment_id=runs["pong"]["id"])
    checkpoint = next(m for m in versions if m["kind"] == "checkpoint")
    final = next(m for m in versions if m["kind"] == "final")
    view = _open(page, server)
    _row(view, final["id"]).locator('[data-model-action="tags"]').click()
    tags = page.get_by_test_id("model-tags-dialog")
    tags.locator('[data-field="model-tags-input"]').fill("keeper, best")
    tags.locator('[data-field="model-tags-input"]').press("Enter")
    expect(tags).to_be_hidden()
    assert call(server, "GET", f"/models/{final['id']}")["model"]["tags"] == ["keeper", "best"]
    expect(_row(view, final["id"])).to_contain_text("keeper")

    # A checkpoint goes at once: its file too, and the toast says how much space came back.
    _row(view, checkpoint["id"]).locator('[data-model-action="delete"]').click()
    expect(page.get_by_test_id("toast").filter(has_text="Deleted the checkpoint")).to_be_visible()
    expect(_row(view, checkpoint["id"])).to_have_count(0)
    assert not Path(checkpoint["path"]).exists()

    # A final model asks first, in the server's words; Cancel keeps it, Delete removes it.
    _row(view, final["id"]).locator('[data-model-action="delete"]').click()
    confirm = page.get_by_test_id("model-delete-dialog")
    expect(confirm.locator('[data-field="model-delete-message"]')).to_contain_text("model.zip")
    confirm.get_by_role("button", name="Cancel").last.click()
    expect(confirm).to_be_hidden()
    assert Path(final["path"]).is_file()
    _row(view, final["id"]).locator('[data-model-action="delete"]').click()
    confirm.locator('[data-field="model-delete-confirm"]').click()
    expect(_row(view, final["id"])).to_have_count(0)
    assert not Path(final["path"]).exists()
