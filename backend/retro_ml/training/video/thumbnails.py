"""Thumbnails: a representative frame of a recording, kept with bounded memory, saved as PNG."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from retro_ml.run_contract import TEMPORARY_SUFFIX

THUMBNAIL_SAMPLES = 64  # raw frames kept to pick the thumbnail from (~100 kB each)


class ThumbnailPicker:
    """Keeps a bounded, evenly spaced sample of frames to pick one at a given fraction.

    Every `stride`-th frame is copied; when `capacity` copies are held, every other one is
    dropped and the stride doubles, so memory stays bounded however long the recording is.
    """

    def __init__(self, capacity: int = THUMBNAIL_SAMPLES) -> None:
        self.capacity = max(2, capacity)
        self.stride = 1
        self.count = 0
        self.samples: list[tuple[int, NDArray[np.uint8]]] = []

    def offer(self, frame: NDArray[np.uint8]) -> None:
        if self.count % self.stride == 0:
            self.samples.append((self.count, frame.copy()))
            if len(self.samples) >= self.capacity:
                self.samples = self.samples[::2]
                self.stride *= 2
        self.count += 1

    def pick(self, fraction: float = 1 / 3) -> NDArray[np.uint8] | None:
        if not self.samples:
            return None
        target = (self.count - 1) * fraction
        return min(self.samples, key=lambda sample: abs(sample[0] - target))[1]


def write_png_atomically(path: Path, rgb: NDArray[np.uint8]) -> None:
    import cv2

    ok, encoded = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    if not ok:
        raise RuntimeError(f"OpenCV could not encode the thumbnail {path.name}")
    temporary = path.with_name(f".{path.name}{TEMPORARY_SUFFIX}")
    try:
        temporary.write_bytes(encoded.tobytes())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
