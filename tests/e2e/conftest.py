"""Playwright (sync API) driving Debian's Chromium; the server comes from tests/conftest.py.

Never runs `playwright install`: the browser is the system one at /usr/bin/chromium.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.chromium import CHROMIUM, CHROMIUM_ARGS, VIEWPORT

ARTIFACTS_DIR = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    # No skip: a missing browser must fail CI, not hide the UI tests.
    assert shutil.which(CHROMIUM) or Path(CHROMIUM).exists(), (
        f"Chromium not found at {CHROMIUM}: run scripts/setup.sh dev (apt-get install -y chromium)"
    )
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(browser):
    """Opens pages in fresh contexts (own cookies), closed after the test."""
    contexts = []

    def open_page():
        context = browser.new_context(viewport=VIEWPORT, locale="en-US")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        # Surface front-end errors in the test output instead of failing silently.
        page.on("pageerror", lambda error: print(f"[page error] {error}"))
        page.on("console", lambda msg: msg.type == "error" and print(f"[console] {msg.text}"))
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR
