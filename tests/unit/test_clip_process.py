"""Where milestone clips are recorded (training/clip_process.py), and clip time left out of training time."""

from __future__ import annotations

import fnmatch
import time
from pathlib import Path

import pytest

from retro_ml.run_contract import PARTIAL_FILE_PATTERNS, clip_model_file_name
from retro_ml.training import clip_process
from retro_ml.training.callbacks import ActiveClock


@pytest.mark.parametrize(
    ("cpus", "torch_threads", "beside"),
    [(2, 2, False), (3, 2, False), (4, 2, True), (16, 2, True), (4, 4, False), (6, 4, True)],
)
def test_clips_go_beside_training_with_spare_cores(
    monkeypatch: pytest.MonkeyPatch, cpus: int, torch_threads: int, beside: bool
) -> None:
    monkeypatch.delenv(clip_process.CLIP_RECORDER_ENV, raising=False)
    monkeypatch.setattr(clip_process, "available_cpus", lambda: cpus)
    assert clip_process.clips_beside_training({"torch_threads": torch_threads}) is beside


@pytest.mark.parametrize(("choice", "beside"), [("process", True), ("inline", False), ("auto", False)])
def test_the_environment_variable_overrides_the_cores(
    monkeypatch: pytest.MonkeyPatch, choice: str, beside: bool
) -> None:
    monkeypatch.setattr(clip_process, "available_cpus", lambda: 2)
    monkeypatch.setenv(clip_process.CLIP_RECORDER_ENV, choice)
    assert clip_process.clips_beside_training({}) is beside


def test_a_temporary_policy_is_never_listed_and_is_tidied_like_a_partial_file() -> None:
    name = clip_model_file_name("050")
    assert name == ".milestone_050.model.tmp"
    assert any(fnmatch.fnmatch(name, pattern) for pattern in PARTIAL_FILE_PATTERNS)


def test_excluded_time_is_not_active_time(tmp_path: Path) -> None:
    clock = ActiveClock(tmp_path / "PAUSED_SECONDS")
    clock.start()
    with clock.excluded():
        time.sleep(0.3)
    assert clock.excluded_seconds >= 0.3
    assert clock.elapsed() < 0.1
    time.sleep(0.1)
    assert 0.1 <= clock.elapsed() < 0.2
