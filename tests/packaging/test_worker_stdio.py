"""A windowed frozen build (RetroMLTrainer.exe on Windows) starts with sys.stdout/sys.stderr None;
the worker sub-command then logs into the run's worker.log instead of crashing in SB3's logger."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from retro_ml.cli import _ensure_stdio


def test_a_worker_without_stdio_writes_its_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    log = tmp_path / "worker.log"
    _ensure_stdio(log)
    assert sys.stdout is not None and sys.stderr is sys.stdout
    print("retro-ml worker started")
    print("warning: something", file=sys.stderr)
    sys.stdout.close()
    assert log.read_text().splitlines() == ["retro-ml worker started", "warning: something"]


def test_real_stdio_is_left_alone(tmp_path: Path) -> None:
    before = (sys.stdout, sys.stderr)
    _ensure_stdio(tmp_path / "worker.log")
    assert (sys.stdout, sys.stderr) == before
    assert not (tmp_path / "worker.log").exists()
