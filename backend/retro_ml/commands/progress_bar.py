"""A one-line terminal progress bar for `retro-ml train` and `retro-ml evaluate` (plain lines when not a terminal)."""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from typing import Any, TextIO

from retro_ml.formatting import format_duration

BAR_WIDTH = 28


def describe(progress: Mapping[str, Any]) -> str:
    pct = float(progress.get("progress_pct") or 0.0)
    done = int(BAR_WIDTH * min(pct, 100.0) / 100)
    metrics = progress.get("metrics") or {}
    parts = [
        f"[{'#' * done}{'-' * (BAR_WIDTH - done)}] {pct:5.1f}%",
        f"{int(progress.get('timestep') or 0):,}/{int(progress.get('total_timesteps') or 0):,} steps",
        f"{int(metrics.get('episodes') or 0)} episodes",
    ]
    if metrics.get("mean_reward") is not None:
        parts.append(f"reward {metrics['mean_reward']:.1f}")
    if metrics.get("fps"):
        parts.append(f"{metrics['fps']:.0f} steps/s")
    if metrics.get("eta_seconds") is not None:
        parts.append(f"ETA {format_duration(metrics['eta_seconds'])}")
    return " · ".join(parts)


class ProgressPrinter:
    def __init__(self, stream: TextIO = sys.stdout, plain_every_seconds: float = 5.0) -> None:
        self.stream = stream
        self.interactive = stream.isatty()
        self.plain_every = plain_every_seconds
        self._last_plain = 0.0
        self._open_line = False

    def progress(self, progress: Mapping[str, Any]) -> None:
        self.show(describe(progress), finished=float(progress.get("progress_pct") or 0) >= 100)

    def show(self, line: str, finished: bool = False) -> None:
        """`line` in place of the last one (a terminal), or as a new line every few seconds and when `finished`."""
        if self.interactive:
            self.stream.write("\r" + line.ljust(110))
            self._open_line = True
        elif time.monotonic() - self._last_plain >= self.plain_every or finished:
            self._last_plain = time.monotonic()
            self.stream.write(line + "\n")
        self.stream.flush()

    def message(self, text: str) -> None:
        if self._open_line:
            self.stream.write("\n")
            self._open_line = False
        self.stream.write(text + "\n")
        self.stream.flush()
