"""The Watch player's parts without a server: its frames carry the step count, score, game and game frame
that the main process reads back (jpeg_info); the pace follows the speed on a clock; the folder's
LIVE_VIEW and SPEED say who watches and how fast."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from retro_ml.run_contract import LIVE_VIEW_FILE, LIVE_VIEW_WATCH_TIMEOUT_SECONDS, MODEL_PLAY_SPEED_FILE
from retro_ml.services.workers.live_view import jpeg_info
from retro_ml.training.live_view import encode_screen
from retro_ml.training.model_player import Pacer, WatchFiles, add_comments, read_speed


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def screen() -> np.ndarray:
    return np.random.default_rng(0).integers(0, 255, (210, 160, 3), dtype=np.uint8)


def test_a_frame_says_the_step_score_game_and_game_frame() -> None:
    jpeg = add_comments(encode_screen(screen(), 1024), {"score": "-3", "game": 2, "game_frame": 1840})
    assert jpeg_info(jpeg) == {
        "width": 320,
        "height": 420,
        "timestep": 1024,
        "score": -3.0,
        "game": 2,
        "game_frame": 1840,
    }


def test_comments_that_are_not_ours_or_not_numbers_are_ignored() -> None:
    fields = {"score": "nan", "game": "-1", "game_frame": "1.5", "other": 7}
    assert jpeg_info(add_comments(encode_screen(screen(), 5), fields)) == {"width": 320, "height": 420, "timestep": 5}


def test_the_pace_is_60_frames_a_second_times_the_speed() -> None:
    clock = Clock()
    pacer = Pacer(1, clock)
    assert pacer.delay(60) == 1.0  # a second of game is a second of wall time
    pacer.restart(60, speed=4)
    assert pacer.delay(300) == 1.0  # 240 frames at 4×
    clock.now += 1.0  # it waited
    assert pacer.delay(300) == 0.0
    clock.now += 5  # far behind (a slow machine): no rush to catch up, the pace starts again
    assert pacer.delay(304) == 0.0
    assert abs(pacer.delay(308) - 4 / 240) < 1e-9


def test_the_folder_says_who_watches_and_how_fast(tmp_path: Path) -> None:
    clock = Clock()
    assert read_speed(tmp_path / MODEL_PLAY_SPEED_FILE, 1) == 1  # none yet
    for text, expected in (("4", 4), ("3", 4), ("fast", 4), ("2\n", 2)):
        (tmp_path / MODEL_PLAY_SPEED_FILE).write_text(text)
        assert read_speed(tmp_path / MODEL_PLAY_SPEED_FILE, 4 if expected == 4 else 1) == expected

    files = WatchFiles(tmp_path, clock)
    files.check()
    assert (files.fps, files.speed, files.abandoned) == (0.0, 2, False)
    (tmp_path / LIVE_VIEW_FILE).write_text("12")
    clock.now += 1
    files.check()
    assert (files.fps, files.abandoned) == (12.0, False)

    stale = time.time() - LIVE_VIEW_WATCH_TIMEOUT_SECONDS - 1  # a crashed app stopped touching it
    os.utime(tmp_path / LIVE_VIEW_FILE, (stale, stale))
    clock.now += 1
    files.check()
    assert (files.fps, files.abandoned) == (0.0, False)
    clock.now += LIVE_VIEW_WATCH_TIMEOUT_SECONDS
    assert files.abandoned
