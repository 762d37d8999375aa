"""Runs the real `retro-ml` command line (`python -m retro_ml ...`) in a subprocess for tests."""

from __future__ import annotations

import subprocess
import sys


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`retro-ml ARGS`, its output captured as text, no stdin."""
    return subprocess.run(
        [sys.executable, "-m", "retro_ml", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
