"""The worker's LiveViewCallback on a real ALE Pong training env (no model needed)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import cv2
import numpy as np
import pytest

from retro_ml.services.workers.live_view import jpeg_info
from retro_ml.training.envs import make_training_env
from retro_ml.training.live_view import LiveViewCallback


@pytest.fixture(scope="module")
def env() -> Iterator[Any]:
    vec_env = make_training_env("ALE/Pong-v5", n_envs=2, seed=0, frame_stack=4)
    vec_env.reset()
    yield vec_env
    vec_env.close()


def callback_on(env: Any, run_dir: Path) -> LiveViewCallback:
    """The callback as `learn()` sets it up, with a stand-in for the model (only its env and steps count)."""
    callback = LiveViewCallback(run_dir)
    callback.model = SimpleNamespace(get_env=lambda: env, num_timesteps=4096)  # type: ignore[assignment]
    return callback


def step(env: Any, callback: LiveViewCallback, times: int = 1) -> None:
    for _ in range(times):
        env.step(np.array([env.action_space.sample() for _ in range(env.num_envs)]))
        assert callback.on_step() is True


def test_renders_only_while_live_view_is_fresh(env: Any, tmp_path: Path) -> None:
    callback = callback_on(env, tmp_path)
    step(env, callback, 5)
    assert not (tmp_path / "live.jpg").exists() and callback.frames_written == 0

    (tmp_path / "LIVE_VIEW").write_text("4")
    callback._next_check = float("-inf")  # don't wait for the next 0.5 s check
    step(env, callback)
    data = (tmp_path / "live.jpg").read_bytes()
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert image.shape == (420, 320, 3) and image.std() > 0  # Pong's screen, not a blank
    assert jpeg_info(data) == {"width": 320, "height": 420, "timestep": 4096}
    assert callback.fps == 4
    step(env, callback, 3)  # a few ms: within 1/4 s of the first frame, no new one
    assert callback.frames_written == 1

    old = time.time() - 20  # the app stopped touching it: nobody watches any more
    os.utime(tmp_path / "LIVE_VIEW", (old, old))
    callback._next_check = float("-inf")
    step(env, callback)
    assert callback.fps == 0 and not (tmp_path / "live.jpg").exists()


def test_training_end_removes_the_frame(env: Any, tmp_path: Path) -> None:
    callback = callback_on(env, tmp_path)
    (tmp_path / "LIVE_VIEW").write_text("99")
    step(env, callback)
    assert (tmp_path / "live.jpg").exists() and callback.fps == 15  # at most 15
    callback._on_training_end()
    assert not (tmp_path / "live.jpg").exists()


def test_an_unreachable_env_turns_the_live_view_off(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    callback = callback_on(object(), tmp_path)  # e.g. envs in subprocesses: out of reach
    (tmp_path / "LIVE_VIEW").write_text("8")
    assert callback.on_step() is True and callback.on_step() is True  # training goes on
    assert "live view turned off" in capsys.readouterr().out
    assert not (tmp_path / "live.jpg").exists() and callback.fps == 0
