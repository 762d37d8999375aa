"""Live view: env 0's game screen as `live.jpg` in the run folder, only while someone watches.

The main process keeps a `LIVE_VIEW` file in the run folder while at least one client
watches (content: the frames per second wanted) and re-touches it every ~2 s. This
callback looks at that file at most every 0.5 s (one `os.stat`); a file older than
`WATCH_TIMEOUT_SECONDS` counts as nobody watching, so a crashed app cannot keep the worker
rendering. While watched, at most `fps` times a second, it writes training env 0's current
screen (the raw 210×160 RGB emulator screen, upscaled ×2 nearest-neighbour, JPEG) to
`live.jpg` atomically (temporary name, then `os.replace`). The frame carries the model's
step count in a JPEG comment (`retro-ml timestep=N`). The protocol is in
retro_ml.run_contract (live_view.py) and docs/CONTRACT.md.

Unwatched, `_on_step` costs one monotonic clock read and a comparison. A live-view error
never fails training: it is printed once to worker.log and the live view turns itself off.
"""

from __future__ import annotations

import os
import struct
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from stable_baselines3.common.callbacks import BaseCallback

from retro_ml.run_contract import (
    LIVE_FRAME_FILE,
    LIVE_FRAME_TIMESTEP_PREFIX,
    LIVE_VIEW_DEFAULT_FPS,
    LIVE_VIEW_FILE,
    LIVE_VIEW_MAX_FPS,
    LIVE_VIEW_MIN_FPS,
    LIVE_VIEW_WATCH_TIMEOUT_SECONDS,
    TEMPORARY_LIVE_FRAME_FILE,
)

CHECK_INTERVAL_SECONDS = 0.5
SCALE = 2
JPEG_QUALITY = 80


class LiveViewCallback(BaseCallback):
    def __init__(self, run_dir: Path) -> None:
        super().__init__(verbose=0)
        self.watch_file = run_dir / LIVE_VIEW_FILE
        self.frame_file = run_dir / LIVE_FRAME_FILE
        self.temporary_file = run_dir / TEMPORARY_LIVE_FRAME_FILE
        self.fps = 0.0  # 0: nobody watches
        self.frames_written = 0
        self.render_seconds = 0.0  # time spent producing frames, for the curious (and tests)
        self._ale: Any = None
        self._disabled = False
        self._next_check = float("-inf")
        self._next_frame = float("-inf")
        self._watch_signature: tuple[int, int] | None = None

    def _on_step(self) -> bool:
        now = time.monotonic()
        if now >= self._next_check and not self._disabled:
            self._next_check = now + CHECK_INTERVAL_SECONDS
            self._check_watchers()
        if self.fps and now >= self._next_frame:
            self._next_frame = now + 1.0 / self.fps
            self._write_frame()
        return True

    def _on_training_end(self) -> None:
        self.fps = 0.0
        self._remove_frame()
        if self.frames_written:
            each_ms = 1000 * self.render_seconds / self.frames_written
            print(f"live view: {self.frames_written} frames, {each_ms:.2f} ms each", flush=True)

    def _check_watchers(self) -> None:
        try:
            stat = os.stat(self.watch_file)
        except OSError:
            stat = None
        if stat is None or time.time() - stat.st_mtime >= LIVE_VIEW_WATCH_TIMEOUT_SECONDS:
            if self.fps:
                self.fps = 0.0
                self._remove_frame()  # nobody watches: no stale picture left behind
            self._watch_signature = None
            return
        signature = (stat.st_mtime_ns, stat.st_size)
        if signature != self._watch_signature or not self.fps:
            self._watch_signature = signature
            self.fps = read_fps(self.watch_file)

    def _write_frame(self) -> None:
        started = time.perf_counter()
        try:
            if self._ale is None:
                self._ale = first_env_ale(self.training_env)
            jpeg = encode_screen(self._ale.getScreenRGB(), self.num_timesteps)
            self.temporary_file.write_bytes(jpeg)
            os.replace(self.temporary_file, self.frame_file)
            self.frames_written += 1
        except Exception as exc:  # noqa: BLE001 - the live view must never stop training
            print(f"warning: live view turned off ({type(exc).__name__}: {exc})", flush=True)
            self._disabled = True
            self.fps = 0.0
            self._remove_frame()
        self.render_seconds += time.perf_counter() - started

    def _remove_frame(self) -> None:
        for path in (self.frame_file, self.temporary_file):
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass


def read_fps(watch_file: Path) -> float:
    """The fps LIVE_VIEW asks for, within the contract's bounds; its default fps when unreadable."""
    try:
        fps = float(watch_file.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return float(LIVE_VIEW_DEFAULT_FPS)
    if not np.isfinite(fps):
        return float(LIVE_VIEW_DEFAULT_FPS)
    return min(float(LIVE_VIEW_MAX_FPS), max(float(LIVE_VIEW_MIN_FPS), fps))


def first_env_ale(vec_env: Any) -> Any:
    """The ALE interface of env 0 under any VecEnv wrappers (VecTransposeImage, VecFrameStack...).

    Only in-process envs (DummyVecEnv) can be reached; anything else raises TypeError.
    """
    inner = vec_env
    while hasattr(inner, "venv"):
        inner = inner.venv
    envs = getattr(inner, "envs", None)
    if not envs:
        raise TypeError(f"{type(inner).__name__} keeps its envs out of reach of the live view")
    return envs[0].unwrapped.ale


def encode_screen(rgb: np.ndarray, timestep: int) -> bytes:
    """210×160 RGB → 420×320 JPEG (nearest-neighbour ×2) with a `retro-ml timestep=N` comment."""
    height, width = rgb.shape[:2]
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    big = cv2.resize(bgr, (width * SCALE, height * SCALE), interpolation=cv2.INTER_NEAREST)
    ok, encoded = cv2.imencode(".jpg", big, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise ValueError("OpenCV could not encode the frame as JPEG")
    data = encoded.tobytes()
    comment = LIVE_FRAME_TIMESTEP_PREFIX + str(int(timestep)).encode()
    # A COM segment right after SOI: FF FE, then its length (2 bytes, counting itself).
    return data[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + data[2:]
