"""Fixtures for the desktop-window tests: a roomy Xvfb screen (the window is 1280×800)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from tests.helpers.desktop import require  # noqa: E402


@pytest.fixture(scope="module")
def big_display() -> Iterator[str]:
    require("Xvfb")
    process = subprocess.Popen(
        ["Xvfb", "-displayfd", "1", "-nolisten", "tcp", "-screen", "0", "1600x1000x24"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    number = process.stdout.readline().strip().decode()
    if not number.isdigit():
        process.kill()
        pytest.fail(f"Xvfb did not start (exit status {process.wait()})")
    try:
        yield f":{number}"
    finally:
        process.terminate()
        process.wait(10)
