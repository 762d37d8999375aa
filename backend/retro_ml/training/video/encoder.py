"""Streaming H.264 encoding with the ffmpeg that the imageio-ffmpeg wheel ships (no system ffmpeg).

Frames go as raw rgb24 (or ready-made yuv420p: `pixel_format`) over a pipe to ffmpeg's own
process, so memory stays flat however long the video is and encoding runs in parallel with the
caller. Describing and joining finished
files (`probe`, `concat_segments`) is mp4.py; both use the error and temporary-file helpers here.

Final-name rule (VideoWriter and mp4.concat_segments): ffmpeg writes to a hidden temporary file in the
destination folder, `.{name}.{random}.part`, and only an ffmpeg exit status of 0 renames it to the
final name (`os.replace`, atomic on one file system). So a file under the final name is always
complete. On an error or an exception inside the `with` block the temporary file is removed. If
the writing process itself is killed (SIGKILL), nothing can remove it: ffmpeg sees its stdin
close, finalises the `.part` file (playable, the frames sent so far) and exits, and the `.part`
file stays behind. Whoever owns the folder may delete `.*.part` files that no live writer owns
(see `PARTIAL_SUFFIX`, from the run-folder contract).
"""

from __future__ import annotations

import collections
import os
import subprocess
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import IO

import numpy as np
from numpy.typing import NDArray

# One ffmpeg locator and one reading of its stream lines for the worker and the server.
from retro_ml.media.ffmpeg import ffmpeg_exe
from retro_ml.run_contract import PARTIAL_SUFFIX
from retro_ml.training.video.yuv import i420_size

# What `write()` takes: RGB frames (h, w, 3), or flat I420 buffers that need no conversion (yuv.py).
PIXEL_FORMATS = ("rgb24", "yuv420p")
PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")
_STDERR_TAIL_LINES = 20
CLOSE_TIMEOUT_S = 120.0  # also the limit of one concat run


class VideoEncoderError(RuntimeError):
    """ffmpeg failed (or could not be started); the message ends with ffmpeg's last stderr lines."""


def partial_path_for(final: Path) -> Path:
    fd, name = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=PARTIAL_SUFFIX)
    os.close(fd)
    return Path(name)


def unlink_quietly(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def lower_priority(pid: int) -> None:
    """Let the encoder run on the CPU time training leaves (nice 10 / below normal). Best effort."""
    try:
        import psutil

        priority = getattr(psutil, "BELOW_NORMAL_PRIORITY_CLASS", 10)  # the constant exists on Windows only
        psutil.Process(pid).nice(priority)
    except Exception:  # noqa: BLE001 - a normal-priority encoder still works
        pass


def ffmpeg_error(what: str, returncode: int | None, stderr_lines: Iterable[str]) -> VideoEncoderError:
    tail = [line.rstrip() for line in stderr_lines if line.strip()][-_STDERR_TAIL_LINES:]
    detail = "\n".join(f"  {line}" for line in tail) if tail else "  (ffmpeg printed nothing)"
    return VideoEncoderError(f"{what} (ffmpeg exit status {returncode}). ffmpeg said:\n{detail}")


class VideoWriter:
    """Stream RGB frames (height, width, 3) uint8 to an H.264 yuv420p MP4 at `path`.

    Use as a context manager (or call `open()` then `close()`/`abort()`):

        with VideoWriter(out, width=480, height=630, fps=60) as writer:
            for frame in frames:
                writer.write(frame)

    `close()` (a clean `with` exit) waits for ffmpeg and renames the temporary file to `path`;
    an exception inside the block aborts instead (ffmpeg is killed, the temporary file removed).
    Width and height must be even (a yuv420p requirement); `NearestUpscaler` pads to even sizes.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        width: int,
        height: int,
        fps: float = 60,
        crf: int = 23,
        preset: str = "veryfast",
        low_priority: bool = False,
        pixel_format: str = "rgb24",
    ) -> None:
        for name, value in (("width", width), ("height", height)):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
            if value % 2:
                raise ValueError(f"{name} must be even for H.264 yuv420p, got {value} (pad the frames)")
        if isinstance(fps, bool) or not isinstance(fps, int | float) or not fps > 0:
            raise ValueError(f"fps must be a positive number, got {fps!r}")
        if isinstance(crf, bool) or not isinstance(crf, int) or not 0 <= crf <= 51:
            raise ValueError(f"crf must be an integer from 0 to 51, got {crf!r}")
        if preset not in PRESETS:
            raise ValueError(f"preset must be one of {', '.join(PRESETS)}; got {preset!r}")
        if pixel_format not in PIXEL_FORMATS:
            raise ValueError(f"pixel_format must be one of {', '.join(PIXEL_FORMATS)}; got {pixel_format!r}")
        self.path = Path(path)
        self.width = width
        self.height = height
        self.fps = fps
        self.crf = crf
        self.preset = preset
        self.low_priority = low_priority
        self.pixel_format = pixel_format
        self.frames_written = 0
        self.temp_path: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._stdin: IO[bytes] | None = None
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=200)
        self._stderr_thread: threading.Thread | None = None
        self._finished = False

    @property
    def duration_seconds(self) -> float:
        return self.frames_written / self.fps

    @property
    def pid(self) -> int | None:
        """The ffmpeg process id while it runs (None before `open()`)."""
        return self._proc.pid if self._proc is not None else None

    def _command(self, output: Path) -> list[str]:
        return [
            ffmpeg_exe(),
            "-hide_banner",
            "-nostats",
            "-loglevel",
            "error",
            "-f",
            "rawvideo",
            "-pix_fmt",
            self.pixel_format,
            "-s",
            f"{self.width}x{self.height}",
            "-framerate",
            str(self.fps),
            "-i",
            "pipe:0",
            "-an",
            "-c:v",
            "libx264",
            "-preset",
            self.preset,
            "-crf",
            str(self.crf),
            "-pix_fmt",
            "yuv420p",
            "-movflags",
            "+faststart",
            "-f",
            "mp4",
            "-y",
            str(output),
        ]

    def open(self) -> VideoWriter:
        if self._proc is not None or self._finished:
            raise RuntimeError("a VideoWriter can be opened once")
        if not self.path.parent.is_dir():
            raise FileNotFoundError(f"folder does not exist: {self.path.parent}")
        self.temp_path = partial_path_for(self.path)
        try:
            self._proc = subprocess.Popen(
                self._command(self.temp_path),
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        except OSError as exc:
            unlink_quietly(self.temp_path)
            raise VideoEncoderError(f"could not start ffmpeg: {exc}") from exc
        if self.low_priority:
            lower_priority(self._proc.pid)
        assert self._proc.stdin is not None and self._proc.stderr is not None
        self._stdin = self._proc.stdin
        stderr = self._proc.stderr
        # Drain stderr continuously so a chatty ffmpeg can never block on a full pipe.
        self._stderr_thread = threading.Thread(target=self._drain_stderr, args=(stderr,), daemon=True)
        self._stderr_thread.start()
        return self

    def _drain_stderr(self, stream: IO[bytes]) -> None:
        for raw in stream:
            self._stderr_tail.append(raw.decode("utf-8", "replace"))
        stream.close()

    def write(self, frame: NDArray[np.uint8]) -> None:
        """Send one frame; it is copied into the pipe, so the caller may reuse its buffer at once."""
        if self._proc is None or self._stdin is None or self._finished:
            raise RuntimeError("VideoWriter is not open (use it as a context manager or call open())")
        if not isinstance(frame, np.ndarray):
            raise ValueError(f"frame must be a numpy array, got {type(frame).__name__}")
        if self.pixel_format == "rgb24":
            expected: tuple[int, ...] = (self.height, self.width, 3)
            if frame.shape != expected:
                raise ValueError(
                    f"frame shape {frame.shape} does not match the writer's {expected} (height, width, RGB)"
                )
        elif frame.size != (size := i420_size(self.width, self.height)):
            raise ValueError(f"an I420 frame of {self.width}x{self.height} has {size} bytes, not {frame.size}")
        if frame.dtype != np.uint8:
            raise ValueError(f"frame dtype must be uint8, got {frame.dtype}")
        data = np.ascontiguousarray(frame)
        try:
            self._stdin.write(data.data.cast("B"))
        except (BrokenPipeError, ValueError, OSError) as exc:
            # ffmpeg died (or closed its input): report what it said, leave nothing behind.
            returncode = self._kill_and_reap()
            self._cleanup_temp()
            raise ffmpeg_error(
                f"ffmpeg stopped accepting frames after {self.frames_written}", returncode, self._tail()
            ) from exc
        self.frames_written += 1

    def _tail(self) -> list[str]:
        if self._stderr_thread is not None:
            self._stderr_thread.join(timeout=5)
        return list(self._stderr_tail)

    def _kill_and_reap(self) -> int | None:
        self._finished = True
        proc = self._proc
        if proc is None:
            return None
        if self._stdin is not None:
            try:
                self._stdin.close()
            except OSError:
                pass
        if proc.poll() is None:
            proc.kill()
        return proc.wait()

    def _cleanup_temp(self) -> None:
        if self.temp_path is not None:
            unlink_quietly(self.temp_path)

    def close(self) -> Path:
        """Finish the stream, wait for ffmpeg, rename to the final name; returns `path`."""
        if self._proc is None or self._stdin is None:
            raise RuntimeError("VideoWriter was never opened")
        if self._finished:
            raise RuntimeError("VideoWriter is already closed")
        self._finished = True
        if self.frames_written == 0:
            self._kill_and_reap()
            self._cleanup_temp()
            raise VideoEncoderError(f"no frames were written; {self.path} was not created")
        try:
            self._stdin.close()
        except OSError:
            pass  # ffmpeg already gone: its exit status says why
        returncode: int | None
        try:
            returncode = self._proc.wait(timeout=CLOSE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            returncode = self._kill_and_reap()
            self._cleanup_temp()
            raise ffmpeg_error(
                f"ffmpeg did not finish within {CLOSE_TIMEOUT_S:.0f} s", returncode, self._tail()
            ) from None
        tail = self._tail()
        assert self.temp_path is not None
        if returncode != 0:
            self._cleanup_temp()
            raise ffmpeg_error(f"encoding {self.path.name} failed", returncode, tail)
        os.replace(self.temp_path, self.path)
        return self.path

    def abort(self) -> None:
        """Stop without producing `path`: kill ffmpeg and remove the temporary file. Idempotent."""
        self._kill_and_reap()
        self._cleanup_temp()

    def __enter__(self) -> VideoWriter:
        return self.open()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self.abort()
        elif not self._finished:
            self.close()
