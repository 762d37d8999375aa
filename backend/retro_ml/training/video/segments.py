"""A long recording written as a series of complete, playable segment files.

The training thread hands raw screens to `SegmentedRecorder.put()`; a background thread
upscales them, adds the caption bar (`FrameComposer`) and streams them to ffmpeg as yuv420p. Every
`segment_frames` frames the current file is closed (renamed from its temporary name) and
`on_segment` is called with its description, so a crash loses at most the segment being
written, and memory stays flat: a bounded queue (a few seconds of raw 210×160 screens),
one reused canvas, bounded thumbnail samples.

When ffmpeg cannot keep up, the queue fills and `put()` waits: the recorder slows training
down a little rather than dropping frames or growing without bound.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from retro_ml.training.video.encoder import VideoWriter
from retro_ml.training.video.overlay import Caption, FrameComposer
from retro_ml.training.video.thumbnails import ThumbnailPicker, write_png_atomically

QUEUE_FRAMES = 240
PUT_POLL_SECONDS = 0.5


@dataclass
class Segment:
    """One finished segment file (paths relative to nothing: the caller decides)."""

    index: int
    path: Path
    thumbnail: Path
    frames: int
    fps: float
    width: int
    height: int
    first_timestep: int
    last_timestep: int
    scores: list[float] = field(default_factory=list)  # games that ended in this segment

    @property
    def duration(self) -> float:
        return self.frames / self.fps


class RecorderError(RuntimeError):
    """The background encoder failed; the message says why. Finished segments stay."""


@dataclass
class _Open:
    index: int
    writer: VideoWriter
    thumbnails: ThumbnailPicker
    first_timestep: int
    last_timestep: int = 0
    scores: list[float] = field(default_factory=list)


_STOP = object()


class SegmentedRecorder:
    def __init__(
        self,
        directory: Path,
        name_prefix: str,
        scale: int,
        fps: float,
        segment_frames: int,
        on_segment: Callable[[Segment], None],
        preset: str = "veryfast",
        queue_frames: int = QUEUE_FRAMES,
    ) -> None:
        self.directory = directory
        self.name_prefix = name_prefix
        self.scale = scale
        self.fps = fps
        self.segment_frames = max(1, int(segment_frames))
        self.on_segment = on_segment
        self.preset = preset
        self.segments: list[Segment] = []
        self.overall_thumbnails = ThumbnailPicker()
        self.frames = 0
        self.error: BaseException | None = None
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max(2, queue_frames))
        self._composer: FrameComposer | None = None
        self._open: _Open | None = None
        self._thread = threading.Thread(target=self._run, name="long-video-encoder", daemon=True)
        self._started = False
        self._finished = False
        self._abort_requested = False

    # -- training thread ------------------------------------------------------------------

    def put(self, frame: NDArray[np.uint8], caption: Caption) -> None:
        """Queue one raw screen (not copied: pass a fresh array) with its caption."""
        self._put(("frame", frame, caption))

    def game_ended(self, score: float) -> None:
        """A filmed game ended with `score` (counted in the segment being written)."""
        self._put(("game_end", score))

    def finish(self) -> list[Segment]:
        """Close the current segment and stop the thread; returns every finished segment."""
        if self._started and not self._finished:
            self._finished = True
            self._put_raw(_STOP)
            self._thread.join()
        if self.error is not None:
            raise RecorderError(str(self.error)) from self.error
        return self.segments

    def abort(self) -> None:
        """Stop without finishing the current segment (its temporary file is removed)."""
        self._finished = True
        if self._started:
            self._abort_requested = True
            self._put_raw(_STOP)
            self._thread.join(timeout=30)

    def _put(self, item: Any) -> None:
        if self.error is not None:
            raise RecorderError(str(self.error)) from self.error
        if self._finished:
            raise RuntimeError("the recorder is finished")
        if not self._started:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._started = True
            self._thread.start()
        self._put_raw(item)

    def _put_raw(self, item: Any) -> None:
        while True:
            try:
                self._queue.put(item, timeout=PUT_POLL_SECONDS)
                return
            except queue.Full:
                if self.error is not None or not self._thread.is_alive():
                    return

    # -- encoder thread -------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while True:
                item = self._queue.get()
                if item is _STOP:
                    break
                if item[0] == "frame":
                    self._write(item[1], item[2])
                elif item[0] == "game_end" and self._open is not None:
                    self._open.scores.append(float(item[1]))
            if self._open is not None:
                if self._abort_requested:
                    self._open.writer.abort()
                    self._open = None
                else:
                    self._close_segment()
        except BaseException as exc:  # noqa: BLE001 - handed to the training thread
            self.error = exc
            if self._open is not None:
                self._open.writer.abort()
                self._open = None
            self._drain()

    def _drain(self) -> None:
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return

    def _write(self, frame: NDArray[np.uint8], caption: Caption) -> None:
        if self._composer is None:
            self._composer = FrameComposer((frame.shape[0], frame.shape[1], 3), self.scale)
        if self._open is None:
            index = len(self.segments) + 1
            path = self.directory / f"{self.name_prefix}{index:04d}.mp4"
            writer = VideoWriter(
                path,
                self._composer.width,
                self._composer.height,
                fps=self.fps,
                preset=self.preset,
                low_priority=True,
                pixel_format="yuv420p",
            )
            self._open = _Open(index, writer.open(), ThumbnailPicker(), caption.timestep)
        current = self._open
        current.writer.write(self._composer(frame, caption))
        current.thumbnails.offer(frame)
        self.overall_thumbnails.offer(frame)
        current.last_timestep = caption.timestep
        self.frames += 1
        if current.writer.frames_written >= self.segment_frames:
            self._close_segment()

    def _close_segment(self) -> None:
        current = self._open
        assert current is not None and self._composer is not None
        self._open = None
        thumbnail = self.directory / f"{self.name_prefix}{current.index:04d}.png"
        picked = current.thumbnails.pick()
        if picked is not None:
            write_png_atomically(thumbnail, upscale(picked, self.scale))
        path = current.writer.close()
        segment = Segment(
            index=current.index,
            path=path,
            thumbnail=thumbnail,
            frames=current.writer.frames_written,
            fps=self.fps,
            width=current.writer.width,
            height=current.writer.height,
            first_timestep=current.first_timestep,
            last_timestep=current.last_timestep,
            scores=current.scores,
        )
        self.segments.append(segment)
        self.on_segment(segment)


def upscale(frame: NDArray[np.uint8], scale: int) -> NDArray[np.uint8]:
    import cv2

    height, width = frame.shape[:2]
    resized = cv2.resize(frame, (width * scale, height * scale), interpolation=cv2.INTER_NEAREST)
    return np.asarray(resized, dtype=np.uint8)
