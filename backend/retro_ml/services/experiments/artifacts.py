"""What a run folder holds, for people: its files in groups, and the tail of its worker log.

Read-only. Nothing outside the run folder is ever listed or read: symlinks are skipped (a
link can point anywhere), and so are the half-written files a killed writer leaves.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from retro_ml.errors import InvalidInput
from retro_ml.run_contract import (
    CHECKPOINTS_DIR,
    CONFIG_FILE,
    EVENTS_FILE,
    METRICS_FILE,
    MODEL_FILE,
    PARTIAL_FILE_PATTERNS,
    TENSORBOARD_DIR,
    VIDEOS_DIR,
    WORKER_LOG,
)

GROUPS = ("model", "checkpoints", "videos", "metrics", "logs", "config", "other")
DEFAULT_TAIL = 200
MAX_TAIL = 5000
VIDEO_SUFFIXES = frozenset({".mp4", ".webm", ".mkv", ".avi", ".gif"})
_CHUNK = 64 * 1024


def _iso(timestamp: float) -> str:
    moment = datetime.fromtimestamp(timestamp, timezone.utc)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def group_of(relative: str) -> str:
    """The group a file (path relative to the run folder, `/`-separated) belongs to."""
    parts = relative.split("/")
    name = parts[-1]
    if len(parts) == 1:
        if name == MODEL_FILE:
            return "model"
        if name == METRICS_FILE:
            return "metrics"
        if name in (WORKER_LOG, EVENTS_FILE) or name.endswith(".log"):
            return "logs"
        if name == CONFIG_FILE:
            return "config"
        return "other"
    if parts[0] == CHECKPOINTS_DIR:
        return "checkpoints"
    if parts[0] == VIDEOS_DIR:
        return "videos"
    if parts[0] == TENSORBOARD_DIR:
        return "metrics"  # SB3's TensorBoard event files: the same scalars as metrics.jsonl
    return "other"


def _partial(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in PARTIAL_FILE_PATTERNS)


def parse_tail(raw: str | None) -> int:
    """`?tail=N`: how many lines from the end (default 200, 1..5000)."""
    if raw is None or raw == "":
        return DEFAULT_TAIL
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if not 1 <= value <= MAX_TAIL:
        raise InvalidInput(
            f"'tail' must be a whole number from 1 to {MAX_TAIL} (how many lines from the end of the log), "
            f"e.g. tail={DEFAULT_TAIL}.",
            field="tail",
        )
    return value


@dataclass(frozen=True)
class LogTail:
    lines: list[str]
    truncated: bool
    size: int

    def to_dict(self) -> dict[str, Any]:
        return {"lines": self.lines, "truncated": self.truncated, "size": self.size}


class RunArtifacts:
    """Lists one run folder; `run_dir` comes from the experiment's record."""

    def list(self, run_dir: Path) -> dict[str, Any]:
        groups: dict[str, list[dict[str, Any]]] = {name: [] for name in GROUPS}
        total = 0
        root = Path(run_dir)
        if root.is_symlink() or not root.is_dir():
            return {"groups": groups, "total_bytes": 0, "file_count": 0}
        for folder, dirs, files in os.walk(root, followlinks=False):
            here = Path(folder)
            # Never descend into linked folders (os.walk lists them in `dirs` but with
            # followlinks=False does not enter them; drop them so they aren't listed either).
            dirs[:] = sorted(d for d in dirs if not (here / d).is_symlink())
            for name in sorted(files):
                path = here / name
                if _partial(name):
                    continue
                try:
                    info = path.lstat()
                except OSError:
                    continue  # removed while we walked
                if path.is_symlink() or not os.path.isfile(path):
                    continue
                relative = path.relative_to(root).as_posix()
                group = group_of(relative)
                entry: dict[str, Any] = {
                    "name": name,
                    "path": relative,
                    "size_bytes": info.st_size,
                    "modified": _iso(info.st_mtime),
                }
                if group == "videos":
                    entry["kind"] = "video" if path.suffix.lower() in VIDEO_SUFFIXES else "thumbnail"
                groups[group].append(entry)
                total += info.st_size
        for entries in groups.values():
            entries.sort(key=lambda e: _natural(e["path"]))
        count = sum(len(entries) for entries in groups.values())
        return {"groups": groups, "total_bytes": total, "file_count": count}

    def log_tail(self, run_dir: Path, tail: int = DEFAULT_TAIL) -> LogTail:
        """The last `tail` lines of the run's worker log; no log yet: no lines."""
        path = Path(run_dir) / WORKER_LOG
        if path.is_symlink() or not path.is_file():
            return LogTail([], False, 0)
        try:
            with path.open("rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                data, reached_start = _read_tail(handle, size, tail)
        except OSError:
            return LogTail([], False, 0)
        text = data.decode("utf-8", errors="replace").replace("\r\n", "\n")
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()  # the file ends with a newline
        # A line cut by the chunk start is not whole: drop it unless it is the file's first.
        truncated = len(lines) > tail or not reached_start
        return LogTail(lines[-tail:], truncated, size)


def _read_tail(handle: Any, size: int, tail: int) -> tuple[bytes, bool]:
    """Read backwards until `tail` + 1 line breaks are in hand (or the file's start)."""
    position = size
    data = b""
    while position > 0 and data.count(b"\n") <= tail:
        step = min(_CHUNK, position)
        position -= step
        handle.seek(position)
        data = handle.read(step) + data
    if position > 0:
        # Drop the partial first line: it started before what we read.
        data = data[data.index(b"\n") + 1 :]
    return data, position == 0


def _natural(text: str) -> list[Any]:
    """`step_256.zip` before `step_1536.zip`."""
    out: list[Any] = []
    number = ""
    for char in text:
        if char.isdigit():
            number += char
            continue
        if number:
            out.append((0, int(number), ""))
            number = ""
        out.append((1, 0, char))
    if number:
        out.append((0, int(number), ""))
    return out
