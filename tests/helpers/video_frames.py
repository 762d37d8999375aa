"""Reading frames back out of encoded videos, for tests that check what was filmed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import imageio_ffmpeg
import numpy as np


def decoded_frames(path: Path) -> Iterator[np.ndarray]:
    """The frames of `path` in order, as RGB (height, width, 3), decoded by the bundled ffmpeg."""
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    width, height = meta["size"]
    try:
        for raw in reader:
            yield np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 3)
    finally:
        reader.close()


def decoded_frame(path: Path, index: int) -> np.ndarray:
    """Frame `index` of `path` as RGB (height, width, 3)."""
    frames = decoded_frames(path)
    try:
        for number, frame in enumerate(frames):
            if number == index:
                return frame
    finally:
        frames.close()
    raise AssertionError(f"{path} has fewer than {index + 1} frames")


def assert_captioned_game_frame(frame: np.ndarray, game_height: int) -> None:
    """A long-video frame: the game above, white caption text on a dark bar below."""
    bar = frame[game_height:]
    assert bar.max() > 200 and (bar > 200).mean() < 0.3, "no caption text on a dark bar"
    assert frame[:game_height].std() > 5, "no game above the bar"
