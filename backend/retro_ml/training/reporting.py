"""The worker's report channel: one JSON object a line in the run folder's `events.jsonl`.

The main process tails that file, so every line is flushed and fsync'ed as soon as it is
written: a report that was written survives a crash of the worker or of the machine.
The shapes of the reports are fixed in retro_ml.run_contract (reports.py).
"""

from __future__ import annotations

import json
import math
import numbers
import os
import threading
import time
from pathlib import Path
from typing import Any, TextIO

from retro_ml.run_contract import Report


def json_safe(value: Any) -> Any:
    """`value` with numpy scalars turned into Python numbers and NaN/inf into None.

    JSON has no NaN, and the UI's `JSON.parse` rejects it; SB3 logs NaN for example as
    `train/explained_variance` while every return seen so far is equal.
    """
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    if isinstance(value, (bool, str)) or value is None:
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else None
    return value


class ReportWriter:
    """Appends reports (`{"type": ..., "time": ..., **fields}`) to an events file, stamping `time`.

    Thread-safe. Do not call `write` from a signal handler: the handler runs in the thread
    that may already hold the lock; set a flag there and report from normal code instead.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._file: TextIO | None = None

    def write(self, report: Report) -> dict[str, Any]:
        """Append one report and return it as written."""
        stamped: dict[str, Any] = {"type": report["type"], "time": time.time(), **json_safe(report)}
        line = json.dumps(stamped, allow_nan=False, default=str) + "\n"
        with self._lock:
            if self._file is None:
                self._file = self.path.open("a", encoding="utf-8")
            self._file.write(line)
            self._file.flush()
            os.fsync(self._file.fileno())
        return stamped

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def __enter__(self) -> ReportWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
