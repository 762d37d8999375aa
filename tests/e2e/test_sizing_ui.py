"""Sizing from the hardware as a user sees it, against the real `retro-ml serve` and Chromium: the
New Training dialog's Performance group says why its recommended values fit this machine and
follows the Game engine field; the estimate says what it is based on; Settings → Resources says
what "auto" means here. Values come from this machine's sizing (`recommend(…, this_machine())`)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from retro_ml.services.experiments.presets import load_presets
from retro_ml.services.experiments.sizing import recommend, this_machine
from tests.helpers.server import LiveServer, start_server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("sizing-ui") / "data")
    try:
        yield live
    finally:
        code = live.stop()
        assert code == 0, f"server exited with {code}:\n{live.log_text()}"


def test_the_dialog_and_settings_show_this_machines_sizing(server: LiveServer, page: Page) -> None:
    machine = this_machine()
    python, native = recommend("ppo", machine, "python"), recommend("ppo", machine, "native")

    page.goto(server.login_url)
    page.get_by_role("link", name="Training").click()
    view = page.get_by_test_id("training-view")
    view.locator(".training__head").get_by_role("button", name="New Training").click()
    dialog = page.get_by_test_id("new-training-dialog")
    expect(dialog).to_be_visible()

    # The estimate before any run here: the source note, then its basis from the server.
    _speed, basis = load_presets().reference_estimate("ppo", machine)
    expect(dialog.locator('[data-field="nt-estimate"]')).to_contain_text(
        re.compile(rf"\(rough estimate until the first run\) · {re.escape(basis)} · 250,000 steps")
    )

    performance = dialog.locator("details.nt-group[data-group='performance']")
    performance.locator("summary").click()
    expect(performance.locator("[data-field='sizing-note']")).to_contain_text(
        f"Recommended for this machine: {native.why}."
    )
    n_envs = performance.locator("[data-config-field='n_envs']")
    threads = performance.locator("[data-config-field='torch_threads']")
    expect(n_envs).to_contain_text(f"Recommended: {native.n_envs}")
    expect(threads).to_contain_text(f"Recommended: {native.torch_threads}")
    expect(n_envs.locator("input")).to_have_value(str(native.n_envs))

    # The python engine re-sizes the untouched games and rollout, as the server will.
    performance.locator("[data-config-field='env_backend'] select").select_option("python")
    expect(n_envs).to_contain_text(f"Recommended: {python.n_envs}")
    expect(n_envs.locator("input")).to_have_value(str(python.n_envs))
    n_steps = dialog.locator("[data-config-field='n_steps']")
    expect(n_steps.locator("input")).to_have_value(str(python.n_steps))
    expect(dialog.locator("[data-field='performance-changed']")).to_have_text("1 changed")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    page.goto(f"{server.base_url}/#/settings/advanced")
    auto = page.get_by_test_id("resources-auto")
    expect(auto).to_contain_text(
        f"0 / auto means: PPO {native.n_envs} parallel games, DQN 1; {native.torch_threads} CPU threads"
    )
    expect(auto).to_contain_text(machine.describe())
