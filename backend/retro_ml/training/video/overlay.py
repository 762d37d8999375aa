"""The long video's caption bar: step, episode, score and best so far under the game.

Frames come out as I420 (yuv420p) for the encoder (training/video/yuv.py says why). At an even
scale (the default ×2) only the screen's luma is enlarged and its chroma is copied; at an odd
scale the frame is composed in RGB and converted whole. The bar is drawn with OpenCV (which
releases the GIL) only when its text changes, and converted once per change.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from retro_ml.training.video.yuv import I420Planes, put_upscaled_screen

BAR_HEIGHT_PER_SCALE = 16
LABEL_COLOUR = (150, 160, 185)
VALUE_COLOUR = (255, 255, 255)
BAR_COLOUR = (18, 20, 30)


@dataclass(frozen=True)
class Caption:
    timestep: int
    episode: int
    score: float
    best: float | None

    def cells(self) -> list[tuple[str, str]]:
        best = "-" if self.best is None else f"{max(self.best, self.score):g}"
        return [
            ("STEP", f"{self.timestep:,}"),
            ("EPISODE", f"{self.episode:,}"),
            ("SCORE", f"{self.score:g}"),
            ("BEST", best),
        ]


def bar_height(scale: int) -> int:
    return BAR_HEIGHT_PER_SCALE * max(1, scale)


class FrameComposer:
    """Upscales a raw (h, w, 3) screen by `scale`, puts the caption bar under it, gives I420."""

    def __init__(self, src_shape: tuple[int, int, int], scale: int) -> None:
        height, width, _ = src_shape
        self.scale = max(1, int(scale))
        self.game_height = height * self.scale
        self.width = width * self.scale + (width * self.scale) % 2
        total = self.game_height + bar_height(self.scale)
        self.height = total + total % 2
        # Even scale: every side is even and the screen goes straight to I420 (yuv.py).
        self._exact = self.scale % 2 == 0
        self._planes = I420Planes(self.width, self.height)
        self._planes.fill_black()
        self._bar: NDArray[np.uint8] = np.zeros((self.height - self.game_height, self.width, 3), dtype=np.uint8)
        self._canvas: NDArray[np.uint8] | None = None
        if not self._exact:
            self._canvas = np.zeros((self.height, self.width, 3), dtype=np.uint8)
        self._caption: Caption | None = None

    def __call__(self, frame: NDArray[np.uint8], caption: Caption) -> NDArray[np.uint8]:
        """The composed frame as one flat I420 buffer, reused by the next call."""
        if caption != self._caption:
            self._draw(caption)
            self._caption = caption
            if self._exact:
                self._planes.put_rgb(self._bar, self.game_height)
        if self._exact:
            put_upscaled_screen(self._planes, frame, self.scale)
        else:
            self._compose_rgb(frame)
        return self._planes.buffer

    def _compose_rgb(self, frame: NDArray[np.uint8]) -> None:
        import cv2

        assert self._canvas is not None
        game_width = frame.shape[1] * self.scale
        self._canvas[: self.game_height, :game_width] = cv2.resize(
            frame, (game_width, self.game_height), interpolation=cv2.INTER_NEAREST
        )
        self._canvas[self.game_height :] = self._bar
        self._planes.put_rgb(self._canvas, 0)

    def _draw(self, caption: Caption) -> None:
        import cv2

        bar = self._bar
        bar[:] = BAR_COLOUR
        cells = caption.cells()
        cell_width = self.width / len(cells)
        font = cv2.FONT_HERSHEY_SIMPLEX
        label_scale = 0.11 * self.scale
        value_scale = 0.16 * self.scale
        thickness = 1 if self.scale < 4 else 2
        label_y = int(bar.shape[0] * 0.38)
        value_y = int(bar.shape[0] * 0.85)
        for index, (label, value) in enumerate(cells):
            x = int(index * cell_width + 3 * self.scale)
            cv2.putText(bar, label, (x, label_y), font, label_scale, LABEL_COLOUR, 1, cv2.LINE_AA)
            cv2.putText(bar, value, (x, value_y), font, value_scale, VALUE_COLOUR, thickness, cv2.LINE_AA)
