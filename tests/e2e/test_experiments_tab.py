"""The Experiments tab as a user sees it: the searchable, filterable table; one run's page
(config marked against the defaults, the lineage tree across a continued run, the run
folder's files, the worker log); Compare of two runs (config diff, overlaid charts). Real
`retro-ml serve`, real tiny trainings (two runs and a continued child), Chromium."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from tests.helpers.run_configs import TINY_PPO
from tests.helpers.server import LiveServer, start_server

pytestmark = pytest.mark.e2e

HOSTILE = 'Breakout <script>window.__pwned=1</script> "quoted" <img src=x onerror="window.__pwned=2">'
TINY = {**TINY_PPO, "total_timesteps": 1024}


def _api(server: LiveServer, method: str, path: str, expect_status: int = 200, **kwargs: Any) -> dict[str, Any]:
    response = requests.request(
        method, f"{server.base_url}/api{path}", headers=server.auth_headers, timeout=30, **kwargs
    )
    assert response.status_code == expect_status, f"{method} {path}: {response.status_code} {response.text}"
    return response.json()


def _wait_finished(server: LiveServer, ident: str, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    status = "queued"
    while time.monotonic() < deadline:
        status = _api(server, "GET", f"/experiments/{ident}")["experiment"]["metadata"]["status"]
        if status not in ("queued", "running", "paused"):
            break
        time.sleep(0.5)
    assert status == "completed", f"{ident} ended {status}:\n{server.log_text()[-3000:]}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("experiments-tab") / "data")
    try:
        yield live
    finally:
        code = live.stop()
        assert code == 0, f"server exited with {code}:\n{live.log_text()}"


@pytest.fixture(scope="module")
def runs(server: LiveServer) -> dict[str, dict[str, Any]]:
    """Alpha (lr 0.001, tagged), its continued child, and a hostile-named run (lr 0.0005)."""

    def create(name: str, learning_rate: float, tags: list[str], **config: Any) -> dict[str, Any]:
        body = {
            "game": "breakout",
            "algorithm": "ppo",
            "name": name,
            "tags": tags,
            "config": {**TINY, "learning_rate": learning_rate, **config},
        }
        return _api(server, "POST", "/experiments", 201, json=body)["experiment"]

    alpha = create("Alpha run", 0.001, ["baseline"])
    # One short milestone clip at the end, for the Artifacts tab's Play.
    hostile = create(HOSTILE, 0.0005, [], milestone_every_pct=100, milestone_max_seconds=3)
    _wait_finished(server, alpha["id"])
    child = _api(server, "POST", f"/experiments/{alpha['id']}/continue", 201, json={"additional_timesteps": 512})
    child = child["experiment"]
    _wait_finished(server, hostile["id"])
    _wait_finished(server, child["id"])
    return {"alpha": alpha, "hostile": hostile, "child": child}


def _open(page: Page, server: LiveServer, hash_path: str = "#/experiments") -> Locator:
    page.goto(server.login_url)
    view = page.get_by_test_id("experiments-view")
    page.evaluate("(hash) => { location.hash = hash; }", hash_path)
    expect(view).to_be_visible()
    return view


def _rows(view: Locator) -> Locator:
    return view.locator('[data-testid="experiments-table"] tbody tr')


def _shoot(page: Page, artifacts_dir: Path, name: str) -> None:
    # Toasts would cover the page: dismiss them all at once (clicking one by one races with them moving).
    page.evaluate("() => document.querySelectorAll('.toast__close').forEach((button) => button.click())")
    for width, height in ((1280, 800), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        for theme in ("dark", "light"):
            page.evaluate("(theme) => { document.documentElement.dataset.theme = theme; }", theme)
            page.mouse.move(0, 0)
            page.wait_for_timeout(500)
            page.screenshot(path=str(artifacts_dir / f"experiments-{name}-{width}-{theme}.png"), full_page=True)
    page.evaluate("() => { document.documentElement.dataset.theme = 'dark'; }")
    page.set_viewport_size({"width": 1280, "height": 800})


def test_table_search_filters_sort_and_back(server: LiveServer, runs, page: Page, artifacts_dir: Path) -> None:
    view = _open(page, server)
    rows = _rows(view)
    expect(rows).to_have_count(3, timeout=30_000)
    # Newest first: the continued child, then the hostile run, then Alpha.
    expect(rows.nth(0)).to_contain_text("Alpha run (continued)")
    expect(rows.nth(2)).to_contain_text("Alpha run")
    # The hostile name is text: no script ran, no <img> was made from it.
    expect(rows.nth(1).locator(".experiments-table__link")).to_have_text(HOSTILE)
    assert page.evaluate("() => window.__pwned") is None
    assert view.locator("img[src=x]").count() == 0
    _shoot(page, artifacts_dir, "table")

    # Search narrows (debounced) and lands in the URL; Escape clears it.
    search = view.locator('[data-field="search"]')
    search.fill("alpha")
    expect(rows).to_have_count(2)
    expect(view.locator('[data-field="count"]')).to_have_text("2 of 3 runs")
    expect(page).to_have_url(re.compile(r"q=alpha"))
    search.fill("baseline")  # a tag
    expect(rows).to_have_count(2)
    search.fill("no such run")
    expect(view.get_by_test_id("experiments-empty")).to_contain_text("No runs match your search or filters.")
    view.get_by_test_id("experiments-empty").get_by_role("button", name="Clear filters").click()
    expect(rows).to_have_count(3)

    # Status filter: nothing has failed; every run completed.
    status = view.locator('select[data-filter="status"]')
    status.select_option("failed")
    expect(rows).to_have_count(0)
    expect(view.get_by_test_id("experiments-empty")).to_be_visible()
    status.select_option("completed")
    expect(rows).to_have_count(3)
    status.select_option("")

    # Sorting by name, ascending then descending.
    view.locator('button[data-sort="name"]').click()
    expect(view.locator('th[aria-sort="ascending"]')).to_contain_text("Name")
    names = [rows.nth(i).locator(".experiments-table__link").inner_text() for i in range(3)]
    assert names == sorted(names, key=str.lower)
    view.locator('button[data-sort="name"]').click()
    expect(view.locator('th[aria-sort="descending"]')).to_contain_text("Name")

    # Compare needs 2–5 runs: disabled with a reason until two are ticked.
    compare = view.locator('[data-field="compare"]')
    expect(compare).to_have_attribute("aria-disabled", "true")
    expect(compare).to_have_attribute("title", "Select 2 to 5 runs to compare (0 selected).")

    # Filter, open a run with the keyboard, come Back: the filter is still there.
    search.fill("continued")
    expect(rows).to_have_count(1)
    rows.nth(0).focus()
    page.keyboard.press("Enter")
    expect(view.locator('[data-field="detail-name"]')).to_have_text("Alpha run (continued)")
    page.go_back()
    expect(rows).to_have_count(1)
    expect(search).to_have_value("continued")


def test_detail_page_config_lineage_artifacts_logs(server: LiveServer, runs, page: Page, artifacts_dir: Path) -> None:
    alpha, child = runs["alpha"], runs["child"]
    view = _open(page, server, f"#/experiments/{child['id']}")
    expect(view.locator('[data-field="detail-name"]')).to_have_text("Alpha run (continued)")
    expect(view.locator('[data-field="detail-status"]')).to_have_text("Completed")
    expect(view.locator('[data-field="detail-session"]')).to_have_text(child["session_id"])
    expect(view.locator(".experiment-actions [data-action='continue']")).to_be_visible()
    # Overview: figures and the loss chart drawn from the metrics file.
    expect(view.locator('[data-field="o-steps"]')).to_contain_text("1,")
    expect(view.locator('[data-chart="loss"] canvas')).to_be_visible(timeout=20_000)
    _shoot(page, artifacts_dir, "detail-overview")

    # Config: the resolved settings; learning_rate marked as changed from the PPO default.
    view.get_by_role("tab", name="Config").click()
    expect(page).to_have_url(re.compile(r"\?tab=config$"))
    table = view.get_by_test_id("config-table")
    lr = table.locator('tr[data-key="learning_rate"]')
    expect(lr).to_contain_text("0.001")
    expect(lr).to_have_class("is-changed")
    expect(lr.locator(".exp-badge--changed")).to_have_text("changed")
    view.locator('[data-field="only-changed"]').check()
    expect(table.locator("tr.is-changed")).to_have_count(table.locator("tbody tr").count())
    _shoot(page, artifacts_dir, "detail-config")

    # Lineage: Alpha at the root, this run under it (highlighted, from step N).
    view.get_by_role("tab", name="Lineage").click()
    tree = view.get_by_test_id("lineage-tree")
    root_node = tree.locator(f'[data-lineage-id="{alpha["id"]}"]')
    child_node = tree.locator(f'[data-lineage-id="{child["id"]}"]')
    expect(root_node).to_contain_text("Alpha run")
    expect(child_node).to_have_class("lineage-tree__node is-current")
    expect(child_node).to_contain_text("continued from step 1,")
    assert tree.locator(".lineage-tree .lineage-tree__node").count() == 1  # the child sits one level down
    _shoot(page, artifacts_dir, "detail-lineage")
    # The parent link navigates to the parent; there the child is a link back.
    root_node.get_by_role("link", name="Alpha run").click()
    expect(view.locator('[data-field="detail-name"]')).to_have_text("Alpha run")
    view.get_by_role("tab", name="Lineage").click()
    child_link = view.get_by_test_id("lineage-tree").locator(f'[data-lineage-id="{child["id"]}"] a')
    expect(child_link).to_have_text("Alpha run (continued)")
    child_link.click()
    expect(view.locator('[data-field="detail-name"]')).to_have_text("Alpha run (continued)")

    # Artifacts of Alpha: the model file with its size on disk, the metrics file and the log.
    page.evaluate("(hash) => { location.hash = hash; }", f"#/experiments/{alpha['id']}?tab=artifacts")
    model = view.locator('[data-group="model"] [data-path="model.zip"]')
    expect(model).to_be_visible(timeout=20_000)
    run_dir = Path(_api(server, "GET", f"/experiments/{alpha['id']}")["experiment"]["run_dir"])
    size_kb = round((run_dir / "model.zip").stat().st_size / 1024)
    expect(model.locator('[data-field="size"]')).to_contain_text("MB" if size_kb >= 1024 else "KB")
    expect(view.locator('[data-group="metrics"]')).to_contain_text("metrics.jsonl")
    expect(view.locator('[data-group="logs"]')).to_contain_text("worker.log")
    expect(view.locator('[data-field="artifacts-total"]')).to_contain_text("files")
    _shoot(page, artifacts_dir, "detail-artifacts")

    # Logs: the worker log's last lines, as text.
    view.get_by_role("tab", name="Logs").click()
    log = view.get_by_test_id("log")
    last_line = (run_dir / "worker.log").read_text(errors="replace").strip().splitlines()[-1]
    expect(log).to_contain_text(last_line.strip())
    view.locator('[data-field="log-refresh"]').click()
    expect(log).to_contain_text(last_line.strip())
    _shoot(page, artifacts_dir, "detail-logs")

    # Rename (PATCH): the new name, quotes and all, shows as text in the header and the tree.
    view.locator('[data-field="rename"]').click()
    name_input = view.locator('[data-field="rename-input"]')
    expect(name_input).to_be_focused()
    name_input.fill('Alpha "best" <b>run</b>')
    page.keyboard.press("Enter")
    expect(view.locator('[data-field="detail-name"]')).to_have_text('Alpha "best" <b>run</b>')
    assert _api(server, "GET", f"/experiments/{alpha['id']}")["experiment"]["name"] == 'Alpha "best" <b>run</b>'
    view.locator('[data-field="rename"]').click()
    name_input.fill("Alpha run")
    page.keyboard.press("Enter")
    expect(view.locator('[data-field="detail-name"]')).to_have_text("Alpha run")

    # The hostile run's milestone clip: listed under Videos with a Play button that opens the player.
    page.evaluate("(hash) => { location.hash = hash; }", f"#/experiments/{runs['hostile']['id']}?tab=artifacts")
    clip = view.locator('[data-group="videos"] [data-path$=".mp4"]').first
    expect(clip).to_be_visible(timeout=20_000)
    _shoot(page, artifacts_dir, "detail-videos")
    clip.locator('[data-field="play"]').click()
    player = page.locator('[data-field="player-video"]')
    expect(player).to_be_visible()
    page.keyboard.press("Escape")
    expect(player).to_be_hidden()

    # An unknown id: a clear not-found state with a way back.
    page.evaluate("() => { location.hash = '#/experiments/0123456789ab'; }")
    missing = view.get_by_test_id("experiment-not-found")
    expect(missing).to_contain_text("Experiment not found.")
    missing.get_by_role("link", name="Back to all experiments").click()
    expect(_rows(view)).to_have_count(3)


def test_compare_two_runs(server: LiveServer, runs, page: Page, artifacts_dir: Path) -> None:
    alpha, hostile = runs["alpha"], runs["hostile"]
    view = _open(page, server)
    rows = _rows(view)
    expect(rows).to_have_count(3, timeout=30_000)
    for run in (alpha, hostile):
        view.locator(f'input[data-select="{run["id"]}"]').check()
    compare_button = view.locator('[data-field="compare"]')
    expect(compare_button).to_have_text("Compare (2)")
    expect(compare_button).not_to_have_attribute("aria-disabled", "true")
    compare_button.click()
    expect(page).to_have_url(re.compile(re.escape(f"compare?ids={alpha['id']},{hostile['id']}")))

    headers = view.get_by_test_id("compare-runs").locator(".compare-run")
    expect(headers).to_have_count(2)
    expect(headers.nth(1).locator(".compare-run__name")).to_have_text(HOSTILE)
    # Only the differing settings: learning_rate is one, highlighted; gamma (same) is not shown.
    diff = view.get_by_test_id("config-diff")
    lr = diff.locator('tr[data-key="learning_rate"]')
    expect(lr.locator("td.is-different")).to_have_count(2)
    expect(lr).to_contain_text("0.001")
    expect(lr).to_contain_text("0.0005")
    expect(diff.locator('tr[data-key="gamma"]')).to_have_count(0)
    view.locator('[data-field="show-all"]').check()
    expect(diff.locator('tr[data-key="gamma"]')).to_have_count(1)
    expect(diff.locator('tr[data-key="gamma"] td.is-different')).to_have_count(0)

    # One line per run on the loss chart (uPlot's legend: x plus two series, named after the runs).
    loss = view.locator('[data-chart-title="Loss"]')
    expect(loss.locator("canvas")).to_be_visible(timeout=20_000)
    legend = loss.locator(".u-legend .u-series")
    expect(legend).to_have_count(3)
    expect(legend.nth(2)).to_contain_text(HOSTILE)
    expect(view.get_by_test_id("compare-metrics")).to_contain_text("Mean reward")
    assert page.evaluate("() => window.__pwned") is None
    _shoot(page, artifacts_dir, "compare")

    # Add the third run, then remove it again.
    view.locator('[data-field="compare-add"]').select_option(runs["child"]["id"])
    expect(headers).to_have_count(3)
    expect(view.locator('[data-chart-title="Loss"] .u-legend .u-series')).to_have_count(4, timeout=20_000)
    headers.nth(2).locator(".compare-run__remove").click()
    expect(headers).to_have_count(2)

    # Live: a run started elsewhere appears in the open table and its status follows, no reload.
    view.locator('[data-screen="compare"] .experiment-back').click()
    expect(rows).to_have_count(3)
    child = _api(server, "POST", f"/experiments/{alpha['id']}/continue", 201, json={"additional_timesteps": 256})
    new_row = view.locator(f'tr[data-run-id="{child["experiment"]["id"]}"]')
    expect(rows).to_have_count(4, timeout=30_000)
    expect(new_row.locator('[data-cell="status"]')).to_have_text("Completed", timeout=120_000)
    expect(new_row.locator('[data-cell="steps"]')).to_contain_text("1,")
