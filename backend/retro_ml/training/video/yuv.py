"""Frames handed to ffmpeg as yuv420p (I420) instead of rgb24: the long video's cheap path.

Why: the long video films every emulator frame of env 0 for most of a run (~280 frames/s of
game on a 2-core box). Sent as rgb24 at ×2, each frame cost ~2 ms of CPU: the Python upscale
and a 434 kB pipe write, then ffmpeg's rgb24 → yuv420p conversion at full size before x264
(bench/video_recorder.py). An Atari screen upscaled by an even factor needs none of that: its
4:2:0 chroma (one sample per 2×2 block) is exactly the small screen's own chroma, and its luma is
the small screen's luma upscaled. So the colour conversion runs once on the 160×210 screen,
only the luma plane is enlarged, the pipe carries half the bytes and ffmpeg converts nothing.

The numbers are BT.601 limited range (16-235), what ffmpeg's rgb24 → yuv420p conversion and
OpenCV's `COLOR_RGB2YUV_I420` produce, so the encoded video looks as before.

I420 layout (OpenCV's and ffmpeg's rawvideo yuv420p): the Y plane (h × w), then U (h/2 × w/2),
then V (h/2 × w/2), one flat uint8 buffer of h × w × 3/2 bytes.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

# RGB → Y'CbCr, BT.601, limited range: rows Y, Cb, Cr; the last column is the offset.
_BT601_LIMITED = np.array(
    [
        [65.481 / 255, 128.553 / 255, 24.966 / 255, 16.0],
        [-37.797 / 255, -74.203 / 255, 112.0 / 255, 128.0],
        [112.0 / 255, -93.786 / 255, -18.214 / 255, 128.0],
    ],
    dtype=np.float32,
)


def i420_size(width: int, height: int) -> int:
    """Bytes of one I420 frame (both sides even)."""
    return width * height * 3 // 2


class I420Planes:
    """Views of one flat I420 buffer: `y` (h × w), `u` and `v` (h/2 × w/2)."""

    def __init__(self, width: int, height: int) -> None:
        if width % 2 or height % 2:
            raise ValueError(f"I420 needs even sides, got {width}×{height}")
        self.width = width
        self.height = height
        self.buffer: NDArray[np.uint8] = np.zeros(i420_size(width, height), dtype=np.uint8)
        luma = width * height
        chroma = luma // 4
        self.y = self.buffer[:luma].reshape(height, width)
        self.u = self.buffer[luma : luma + chroma].reshape(height // 2, width // 2)
        self.v = self.buffer[luma + chroma :].reshape(height // 2, width // 2)

    def fill_black(self) -> None:
        self.y[:] = 16
        self.u[:] = 128
        self.v[:] = 128

    def put_rgb(self, rgb: NDArray[np.uint8], row: int) -> None:
        """Convert an RGB block of even height and this buffer's width into rows `row`... (row even)."""
        import cv2

        height = rgb.shape[0]
        block = np.asarray(cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2YUV_I420), dtype=np.uint8).ravel()
        luma = height * self.width
        chroma = luma // 4
        self.y[row : row + height] = block[:luma].reshape(height, self.width)
        half_row, half_height = row // 2, height // 2
        self.u[half_row : half_row + half_height] = block[luma : luma + chroma].reshape(half_height, self.width // 2)
        self.v[half_row : half_row + half_height] = block[luma + chroma :].reshape(half_height, self.width // 2)


def yuv444_of(rgb: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Per-pixel Y'CbCr (h × w × 3) of an RGB frame, BT.601 limited range, rounded."""
    import cv2

    return np.asarray(cv2.transform(rgb, _BT601_LIMITED), dtype=np.uint8)


def put_upscaled_screen(planes: I420Planes, screen: NDArray[np.uint8], scale: int) -> None:
    """Write `screen` (h × w × 3 RGB) enlarged `scale` times (even) at the top left of `planes`.

    Luma is enlarged by `scale`, chroma by `scale / 2` (a plain copy at ×2): exactly what
    converting the enlarged RGB frame would give, at a quarter of the work.
    """
    import cv2

    if scale < 2 or scale % 2:
        raise ValueError(f"the exact I420 upscale needs an even scale, got {scale}")
    height, width = screen.shape[:2]
    ycc = yuv444_of(screen)
    half = scale // 2
    big_h, big_w = height * scale, width * scale
    planes.y[:big_h, :big_w] = cv2.resize(ycc[:, :, 0], (big_w, big_h), interpolation=cv2.INTER_NEAREST)
    if half == 1:
        planes.u[:height, :width] = ycc[:, :, 1]
        planes.v[:height, :width] = ycc[:, :, 2]
    else:
        size = (width * half, height * half)
        planes.u[: height * half, : width * half] = cv2.resize(ycc[:, :, 1], size, interpolation=cv2.INTER_NEAREST)
        planes.v[: height * half, : width * half] = cv2.resize(ycc[:, :, 2], size, interpolation=cv2.INTER_NEAREST)
