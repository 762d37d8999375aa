"""Scalar series from a run's `metrics.jsonl`, downsampled for charts.

Like TensorBoard's data provider, the UI only asks for a few keys and at most N points per
series (`read_scalars(downsample=N)`). The file grows while a run trains, so each file is
parsed once and cached with its (inode, size, mtime); a later call parses only the bytes
appended since. Series are kept as compact `array`s (a 200k-line file is a few dozen MB,
not hundreds), and the last answers per file are cached until the file grows again.

Downsampling is min/max bucketing: the first and the last point are always kept, the
points between are cut into (N - 2) // 2 equal buckets and each bucket contributes its
lowest and its highest point, in step order. Spikes and dips (a reward jump, a loss blowing
up) survive, which averaging or striding would hide. On long series the buckets are made of
whole 64-point blocks whose extremes are precomputed, so they are equal to within a block.

Null values (SB3's NaN/inf, written as null by the worker) and non-numbers carry no point.
"""

from __future__ import annotations

import json
import os
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_KEYS = (
    "rollout/ep_rew_mean",
    "rollout/ep_len_mean",
    "rollout/exploration_rate",
    "train/loss",
    "train/value_loss",
    "train/policy_gradient_loss",
    "train/entropy_loss",
    "train/approx_kl",
    "train/learning_rate",
    "time/fps",
)
DEFAULT_DOWNSAMPLE = 1000
MIN_DOWNSAMPLE = 2  # the first and the last point
MAX_DOWNSAMPLE = 100_000
MAX_CACHED_POINTS = 8_000_000  # about 128 MB of arrays over every cached file
_ANSWERS_PER_FILE = 8
BLOCK = 64  # points per precomputed min/max block of a long series


def downsample(steps: Sequence[int], values: Sequence[float], limit: int) -> tuple[list[int], list[float]]:
    """At most `limit` points: first, last, and the min and max of each bucket between."""
    count = len(values)
    if count <= limit:
        return list(steps), list(values)
    if limit < MIN_DOWNSAMPLE:
        raise ValueError(f"downsample needs room for the first and last point (got {limit})")
    chosen = {0, count - 1}
    inner = count - 2
    buckets = (limit - 2) // 2
    for bucket in range(buckets):
        start = 1 + bucket * inner // buckets
        end = 1 + (bucket + 1) * inner // buckets
        chunk = values[start:end]  # a slice of an array: min/max/index then run in C
        chosen.add(start + chunk.index(min(chunk)))
        chosen.add(start + chunk.index(max(chunk)))
    return _points(steps, values, chosen)


def _points(steps: Sequence[int], values: Sequence[float], chosen: set[int]) -> tuple[list[int], list[float]]:
    order = sorted(chosen)
    return [steps[i] for i in order], [values[i] for i in order]


@dataclass
class Series:
    """One key's points, plus the min/max position of every complete block of `BLOCK` points.

    The block summaries grow with the series, so downsampling a long series after an append
    looks at a few thousand block extremes instead of every point again.
    """

    steps: array[int] = field(default_factory=lambda: array("q"))
    values: array[float] = field(default_factory=lambda: array("d"))
    block_lows: array[int] = field(default_factory=lambda: array("q"))
    block_highs: array[int] = field(default_factory=lambda: array("q"))

    def downsample(self, limit: int) -> tuple[list[int], list[float]]:
        """Like `downsample`, with buckets made of whole blocks when the series is long."""
        count, buckets = len(self.values), (limit - 2) // 2
        if count <= limit or count < 4 * BLOCK * buckets:  # short: every point is cheap enough
            return downsample(self.steps, self.values, limit)
        self._summarise()
        values, blocks = self.values, len(self.block_lows)
        by_value = values.__getitem__
        tail = range(blocks * BLOCK, count)  # points after the last complete block join the last bucket
        chosen = {0, count - 1}
        for bucket in range(buckets):
            start, end = bucket * blocks // buckets, (bucket + 1) * blocks // buckets
            lows, highs = list(self.block_lows[start:end]), list(self.block_highs[start:end])
            if bucket == buckets - 1:
                lows.extend(tail)
                highs.extend(tail)
            chosen.add(min(lows, key=by_value))
            chosen.add(max(highs, key=by_value))
        return _points(self.steps, values, chosen)

    def _summarise(self) -> None:
        values = self.values
        for start in range(len(self.block_lows) * BLOCK, len(values) - BLOCK + 1, BLOCK):
            chunk = values[start : start + BLOCK]
            self.block_lows.append(start + chunk.index(min(chunk)))
            self.block_highs.append(start + chunk.index(max(chunk)))


def _parse_lines(data: bytes) -> list[Any]:
    """Complete JSON lines; one C-speed parse of the whole chunk, line by line only if a line is bad."""
    body = data.strip()
    if not body:
        return []
    try:
        records = json.loads(b"[" + body.replace(b"\n", b",") + b"]")
        if isinstance(records, list):
            return records
    except ValueError:
        pass
    parsed = []
    for line in data.splitlines():
        try:
            parsed.append(json.loads(line))
        except ValueError:
            continue  # a line cut short by a crashed worker, or garbage
    return parsed


@dataclass
class _ParsedFile:
    inode: int = -1
    size: int = -1
    mtime_ns: int = -1
    offset: int = 0  # bytes consumed: always the end of a complete line
    points: int = 0
    series: dict[str, Series] = field(default_factory=dict)
    answers: OrderedDict[tuple[tuple[str, ...] | None, int], dict[str, Any]] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def refresh(self, path: Path) -> None:
        """Catch up with the file: nothing if unchanged, the appended bytes if it grew, all if replaced."""
        try:
            stat = path.stat()
        except FileNotFoundError:
            if self.offset or self.series:
                self._reset(-1)
            return
        if (stat.st_ino, stat.st_size, stat.st_mtime_ns) == (self.inode, self.size, self.mtime_ns):
            return
        if stat.st_ino != self.inode or stat.st_size < self.offset:
            self._reset(stat.st_ino)
        with path.open("rb") as handle:
            handle.seek(self.offset)
            data = handle.read(stat.st_size - self.offset)
        # mtime/size as of the read; a line being written is left for the next call.
        self.size, self.mtime_ns = self.offset + len(data), stat.st_mtime_ns
        end = data.rfind(b"\n") + 1
        if end:
            self.offset += end
            self._add(_parse_lines(data[:end]))

    def _reset(self, inode: int) -> None:
        self.inode, self.size, self.mtime_ns, self.offset, self.points = inode, -1, -1, 0, 0
        self.series = {}
        self.answers.clear()

    def _add(self, records: list[Any]) -> None:
        # The hot loop of a first read (10k-200k lines × ~16 keys): exact type tests and
        # bound `append`s instead of helpers, about twice as fast.
        appenders: dict[str, tuple[Callable[[int], None], Callable[[float], None]]] = {}
        added = 0
        for record in records:
            try:
                step, values = record["timestep"], record["values"]
            except (TypeError, KeyError):
                continue
            if type(step) is not int or type(values) is not dict:
                continue
            for key, value in values.items():
                kind = type(value)
                if kind is float:
                    if value - value != 0.0:  # NaN or ±inf
                        continue
                elif kind is not int:  # None, bool, text...
                    continue
                append = appenders.get(key)
                if append is None:
                    target = self.series.get(key)
                    if target is None:
                        target = self.series[key] = Series()
                    append = appenders[key] = (target.steps.append, target.values.append)
                append[0](step)
                append[1](value)
                added += 1
        self.points += added
        self.answers.clear()  # answers are cached until the series change

    def answer(self, keys: Sequence[str] | None, limit: int) -> dict[str, Any]:
        cache_key = (tuple(keys) if keys is not None else None, limit)
        cached = self.answers.get(cache_key)
        if cached is None:
            chosen = list(keys) if keys is not None else [k for k in DEFAULT_KEYS if k in self.series]
            series = {}
            for key in chosen:
                steps, values = (self.series.get(key) or Series()).downsample(limit)
                series[key] = {"steps": steps, "values": values}
            cached = {"keys_available": sorted(self.series), "series": series}
            self.answers[cache_key] = cached
            while len(self.answers) > _ANSWERS_PER_FILE:
                self.answers.popitem(last=False)
        self.answers.move_to_end(cache_key)
        return cached


class MetricsReader:
    """Reads `metrics.jsonl` files as downsampled series; safe to share between request threads.

    Returned dicts are shared with the cache: serialise them, do not change them.
    """

    def __init__(self, max_cached_points: int = MAX_CACHED_POINTS) -> None:
        self._max_points = max_cached_points
        self._files: OrderedDict[str, _ParsedFile] = OrderedDict()
        self._lock = threading.Lock()

    def read_scalars(
        self, path: Path, keys: Sequence[str] | None = None, downsample: int = DEFAULT_DOWNSAMPLE
    ) -> dict[str, Any]:
        """`{"keys_available": [...sorted], "series": {key: {"steps", "values"}}}`.

        `keys=None` means the `DEFAULT_KEYS` the file has; a requested key the file does not
        have (yet) comes back as an empty series.
        """
        if not MIN_DOWNSAMPLE <= downsample <= MAX_DOWNSAMPLE:
            raise ValueError(f"downsample must be from {MIN_DOWNSAMPLE} to {MAX_DOWNSAMPLE}, got {downsample}")
        name = os.path.abspath(path)
        with self._lock:
            parsed = self._files.get(name)
            if parsed is None:
                parsed = self._files[name] = _ParsedFile()
            self._files.move_to_end(name)
        with parsed.lock:
            parsed.refresh(Path(name))
            result = parsed.answer(keys, downsample)
        self._evict(keep=name)
        return result

    def _evict(self, keep: str) -> None:
        """Drop the least recently read files while the cache holds too many points."""
        with self._lock:
            total = sum(f.points for f in self._files.values())
            for name in list(self._files):
                if total <= self._max_points:
                    break
                if name != keep:
                    total -= self._files.pop(name).points
