"""Finished MP4 files, with the bundled ffmpeg: describing one (`probe`, as there is no ffprobe)
and joining complete segments into one video without re-encoding (`concat_segments`).

Joining follows encoder.py's final-name rule: ffmpeg writes a hidden `.part` file that only an
exit status of 0 renames to the final name.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from retro_ml.media.ffmpeg import DURATION_RE, FPS_RE, VIDEO_STREAM_RE, ffmpeg_exe
from retro_ml.training.video.encoder import (
    CLOSE_TIMEOUT_S,
    VideoEncoderError,
    ffmpeg_error,
    partial_path_for,
    unlink_quietly,
)

_PROBE_TIMEOUT_S = 120.0

_FRAME_RE = re.compile(r"^frame=(\d+)\s*$", re.MULTILINE)


def probe(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Describe the first video stream of `path` with the bundled ffmpeg (it ships no ffprobe).

    Returns {"codec", "pix_fmt", "width", "height", "fps", "duration", "frames"}: codec/pix_fmt
    as ffmpeg names them ("h264", "yuv420p"), fps as a float, duration in seconds (the container's,
    else frames/fps), frames counted by demuxing the stream (`-c copy -f null`, no decoding).
    """
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"no such video file: {file}")
    cmd = [
        ffmpeg_exe(),
        "-hide_banner",
        "-nostats",
        "-nostdin",
        "-progress",
        "pipe:1",
        "-i",
        str(file),
        "-map",
        "0:v:0",
        "-c",
        "copy",
        "-f",
        "null",
        "-",
    ]
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=_PROBE_TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        raise VideoEncoderError(f"probing {file} took over {_PROBE_TIMEOUT_S:.0f} s") from exc
    if result.returncode != 0:
        raise ffmpeg_error(f"could not read {file}", result.returncode, result.stderr.splitlines())
    video = VIDEO_STREAM_RE.search(result.stderr)
    if video is None:
        raise ffmpeg_error(f"no video stream found in {file}", result.returncode, result.stderr.splitlines())
    stream_line = result.stderr[video.start() :].splitlines()[0]
    fps_match = FPS_RE.search(stream_line)
    fps = float(fps_match.group(1)) * (1000 if fps_match.group(2) else 1) if fps_match else 0.0
    frame_counts = _FRAME_RE.findall(result.stdout)
    frames = int(frame_counts[-1]) if frame_counts else 0
    duration_match = DURATION_RE.search(result.stderr)
    if duration_match:
        hours, minutes, seconds = duration_match.groups()
        duration = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    else:
        duration = frames / fps if fps else 0.0
    return {
        "codec": video.group("codec"),
        "pix_fmt": video.group("pix_fmt"),
        "width": int(video.group("width")),
        "height": int(video.group("height")),
        "fps": fps,
        "duration": duration,
        "frames": frames,
    }


def _concat_list_line(path: Path) -> str:
    # concat demuxer syntax: single-quoted, a literal quote written as '\''
    quoted = str(path.resolve()).replace("'", "'\\''")
    return f"file '{quoted}'\n"


def concat_segments(paths: Sequence[str | os.PathLike[str]], out_path: str | os.PathLike[str]) -> Path:
    """Join complete MP4 segments (same codec, size, fps) into `out_path` without re-encoding.

    Uses ffmpeg's concat demuxer with `-c copy`; same temporary-name-then-rename rule as VideoWriter (encoder.py).
    """
    if not paths:
        raise ValueError("concat_segments needs at least one segment")
    segments = [Path(p) for p in paths]
    for segment in segments:
        if not segment.is_file():
            raise FileNotFoundError(f"no such segment: {segment}")
    out = Path(out_path)
    if not out.parent.is_dir():
        raise FileNotFoundError(f"folder does not exist: {out.parent}")
    if any(segment.resolve() == out.resolve() for segment in segments):
        raise ValueError(f"out_path {out} is also one of the segments")
    temp = partial_path_for(out)
    list_file = out.parent / f"{temp.name}.txt"
    try:
        list_file.write_text("".join(_concat_list_line(s) for s in segments), encoding="utf-8")
        cmd = [
            ffmpeg_exe(),
            "-hide_banner",
            "-nostats",
            "-nostdin",
            "-loglevel",
            "error",
            "-f",
            "concat",
            "-safe",
            "0",
            "-i",
            str(list_file),
            "-map",
            "0",
            "-c",
            "copy",
            "-movflags",
            "+faststart",
            "-f",
            "mp4",
            "-y",
            str(temp),
        ]
        try:
            result = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=CLOSE_TIMEOUT_S)
        except subprocess.TimeoutExpired as exc:
            raise VideoEncoderError(f"concatenating into {out.name} took over {CLOSE_TIMEOUT_S:.0f} s") from exc
        if result.returncode != 0:
            raise ffmpeg_error(f"concatenating into {out.name} failed", result.returncode, result.stderr.splitlines())
        os.replace(temp, out)
        return out
    finally:
        unlink_quietly(list_file)
        unlink_quietly(temp)
