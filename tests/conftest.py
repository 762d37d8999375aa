"""Shared fixtures: the real server in a temp data dir."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from tests.helpers.server import LiveServer, start_server  # noqa: E402


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = start_server(tmp_path / "data")
    try:
        yield server
    finally:
        code = server.stop()
        assert code == 0, f"server exited with {code}:\n{server.log_text()}"


@pytest.fixture(autouse=True)
def no_orphan_workers(tmp_path: Path) -> Iterator[None]:
    """Every worker a test started has ended with it; a leak is killed and fails the test."""
    yield
    leaked = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if "worker" in cmdline and any(arg.startswith(str(tmp_path)) for arg in cmdline):
            leaked.append(" ".join(cmdline))
            try:
                process.kill()
            except psutil.Error:
                pass
    assert not leaked, f"training workers outlived the test: {leaked}"
