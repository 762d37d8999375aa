"""An SB3 logger output that appends every dump to the run folder's `metrics.jsonl`.

Each line is `{"timestep": N, "time": t, "values": {"rollout/ep_rew_mean": ..., ...}}`.
The writer also keeps the latest value of every key, so progress reports can carry
SB3's training diagnostics (losses, KL, exploration rate...) without reading the file.
"""

from __future__ import annotations

import json
import numbers
import os
import threading
import time
from pathlib import Path
from typing import Any, TextIO, cast

from stable_baselines3.common.logger import KVWriter

from retro_ml.run_contract import ProgressMetrics
from retro_ml.training.reporting import json_safe

# SB3 logger key -> key in the `metrics` of progress reports (run_contract.ProgressMetrics).
REPORTED_SB3_KEYS: dict[str, str] = {
    "train/loss": "loss",
    "train/policy_gradient_loss": "policy_loss",
    "train/value_loss": "value_loss",
    "train/entropy_loss": "entropy_loss",
    "train/approx_kl": "approx_kl",
    "train/clip_fraction": "clip_fraction",
    "train/explained_variance": "explained_variance",
    "train/learning_rate": "learning_rate",
    "rollout/exploration_rate": "exploration_rate",
}


def numeric_values(key_values: dict[str, Any]) -> dict[str, float | int | None]:
    """The numbers among logged values (NaN/inf become None); strings, videos, figures... are skipped."""
    numbers_only: dict[str, float | int | None] = {}
    for key, value in key_values.items():
        if hasattr(value, "item") and getattr(value, "size", 1) == 1:
            value = value.item()  # numpy / torch scalars
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            numbers_only[key] = json_safe(value)
    return numbers_only


class MetricsWriter(KVWriter):
    """Appends each SB3 logger dump to a JSON-lines file, flushed per line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: TextIO = path.open("a", encoding="utf-8")
        self._lock = threading.Lock()
        self._latest: dict[str, float | int | None] = {}

    def write(self, key_values: dict[str, Any], key_excluded: dict[str, tuple[str, ...]], step: int = 0) -> None:
        values = numeric_values(key_values)
        if not values:
            return
        record = {"timestep": int(step), "time": time.time(), "values": values}
        line = json.dumps(record, allow_nan=False) + "\n"
        with self._lock:
            self._latest.update(values)
            self._file.write(line)
            self._file.flush()
            os.fsync(self._file.fileno())

    def latest_values(self) -> dict[str, float | int | None]:
        """The most recent value of every key dumped so far, under SB3's names."""
        with self._lock:
            return dict(self._latest)

    def reported_metrics(self) -> ProgressMetrics:
        """The latest SB3 diagnostics under the names progress reports use; absent until logged."""
        latest = self.latest_values()
        return cast(ProgressMetrics, {name: latest[key] for key, name in REPORTED_SB3_KEYS.items() if key in latest})

    def close(self) -> None:
        with self._lock:
            if not self._file.closed:
                self._file.close()
