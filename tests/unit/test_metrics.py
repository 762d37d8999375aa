"""Reading `metrics.jsonl` files: series, defaults, downsampling and the incremental cache, on real files."""

from __future__ import annotations

import json
import math
import os
import random
from pathlib import Path
from typing import Any

import pytest

from retro_ml.services.experiments.metrics import DEFAULT_KEYS, MetricsReader, downsample


def line(step: int, **values: Any) -> str:
    return json.dumps({"timestep": step, "time": 1_700_000_000.0 + step, "values": values}) + "\n"


def ppo_lines(start: int, count: int) -> str:
    return "".join(
        line(
            step,
            **{
                "rollout/ep_rew_mean": -21.0 + step / 10_000,
                "rollout/ep_len_mean": 800.0,
                "time/fps": 140,
                "time/iterations": step // 1024,
                "train/loss": None if step == 1024 else 0.5 / (1 + step / 1024),
            },
        )
        for step in range(1024 * (start + 1), 1024 * (start + count + 1), 1024)
    )


@pytest.fixture
def metrics_file(tmp_path: Path) -> Path:
    path = tmp_path / "metrics.jsonl"
    path.write_text(ppo_lines(0, 100))
    return path


def test_default_keys_are_the_common_ones_the_file_has(metrics_file: Path) -> None:
    result = MetricsReader().read_scalars(metrics_file)
    assert result["keys_available"] == [
        "rollout/ep_len_mean",
        "rollout/ep_rew_mean",
        "time/fps",
        "time/iterations",
        "train/loss",
    ]
    assert list(result["series"]) == [k for k in DEFAULT_KEYS if k in result["keys_available"]]
    reward = result["series"]["rollout/ep_rew_mean"]
    assert reward["steps"][:2] == [1024, 2048] and len(reward["steps"]) == 100
    assert reward["values"][0] == pytest.approx(-21.0 + 0.1024)
    loss = result["series"]["train/loss"]
    assert len(loss["steps"]) == 99 and loss["steps"][0] == 2048  # the null value carries no point


def test_asked_keys_in_order_and_unknown_ones_empty(metrics_file: Path) -> None:
    result = MetricsReader().read_scalars(metrics_file, ["time/iterations", "train/not_logged_yet"])
    assert list(result["series"]) == ["time/iterations", "train/not_logged_yet"]
    assert result["series"]["time/iterations"]["values"][-1] == 100.0
    assert result["series"]["train/not_logged_yet"] == {"steps": [], "values": []}


def test_a_run_without_metrics_yet_is_empty(tmp_path: Path) -> None:
    assert MetricsReader().read_scalars(tmp_path / "metrics.jsonl") == {"keys_available": [], "series": {}}


def test_unfinished_and_broken_lines_are_skipped_until_complete(tmp_path: Path) -> None:
    path = tmp_path / "metrics.jsonl"
    complete = line(1, a=1.0) + "not json at all\n" + line(2, a=float("nan"), b=True) + line(3, a=3)
    path.write_text(complete + '{"timestep": 4, "values": {"a": 4')  # the worker is mid-write
    reader = MetricsReader()
    assert reader.read_scalars(path, ["a"])["series"]["a"] == {"steps": [1, 3], "values": [1.0, 3.0]}
    with path.open("a") as handle:
        handle.write(".0}}\n")
    assert reader.read_scalars(path, ["a"])["series"]["a"] == {"steps": [1, 3, 4], "values": [1.0, 3.0, 4.0]}


def test_later_calls_parse_only_the_appended_bytes(metrics_file: Path) -> None:
    reader = MetricsReader()
    first = reader.read_scalars(metrics_file, ["time/fps"])
    assert first["series"]["time/fps"]["values"][0] == 140.0
    # Overwrite the first line in place (same length): a reader that re-parsed would see 999.
    text = metrics_file.read_text()
    first_line = text.split("\n", 1)[0]
    with metrics_file.open("r+") as handle:
        handle.write(first_line.replace('"time/fps": 140', '"time/fps": 999'))
    with metrics_file.open("a") as handle:
        handle.write(ppo_lines(100, 5))
    again = reader.read_scalars(metrics_file, ["time/fps"])["series"]["time/fps"]
    assert len(again["steps"]) == 105 and again["steps"][-1] == 105 * 1024
    assert 999.0 not in again["values"]
    # A different reader (no cache) does see the edited line: the cache was what skipped it.
    assert MetricsReader().read_scalars(metrics_file, ["time/fps"])["series"]["time/fps"]["values"][0] == 999.0


def test_a_replaced_file_is_read_from_the_start(metrics_file: Path) -> None:
    reader = MetricsReader()
    assert len(reader.read_scalars(metrics_file)["series"]["time/fps"]["steps"]) == 100
    replacement = metrics_file.with_name("new.jsonl")
    replacement.write_text(ppo_lines(0, 3))
    os.replace(replacement, metrics_file)
    assert len(reader.read_scalars(metrics_file)["series"]["time/fps"]["steps"]) == 3
    metrics_file.unlink()
    assert reader.read_scalars(metrics_file)["keys_available"] == []


def test_downsample_keeps_first_last_and_extremes() -> None:
    rng = random.Random(7)
    steps = list(range(0, 10_000 * 1024, 1024))
    values, level = [], 0.0
    for _ in steps:
        level += rng.gauss(0, 1)
        values.append(level)
    values[4321] = 1e6  # one spike a chart must not lose
    for limit in (2, 3, 5, 100, 500, 999):
        got_steps, got_values = downsample(steps, values, limit)
        assert len(got_steps) == len(got_values) <= limit
        assert (got_steps[0], got_steps[-1]) == (steps[0], steps[-1])
        assert got_steps == sorted(got_steps) and len(set(got_steps)) == len(got_steps)
        if limit >= 4:
            assert max(got_values) == 1e6 and min(got_values) == min(values)
    assert downsample(steps[:10], values[:10], 500) == (steps[:10], values[:10])


def test_downsample_through_the_reader_on_a_long_run(tmp_path: Path) -> None:
    path = tmp_path / "metrics.jsonl"
    path.write_text("".join(line(i * 1024, r=math.sin(i / 300)) for i in range(10_000)))
    series = MetricsReader().read_scalars(path, ["r"], downsample=500)["series"]["r"]
    assert len(series["steps"]) <= 500 and series["steps"][0] == 0 and series["steps"][-1] == 9_999 * 1024
    assert max(series["values"]) == pytest.approx(1.0, abs=1e-4) and min(series["values"]) == pytest.approx(-1.0)


def test_downsample_out_of_range_is_refused(metrics_file: Path) -> None:
    with pytest.raises(ValueError, match="downsample"):
        MetricsReader().read_scalars(metrics_file, downsample=1)


def test_the_cache_drops_old_files_over_its_point_budget(tmp_path: Path) -> None:
    reader = MetricsReader(max_cached_points=600)
    paths = []
    for name in "abc":
        path = tmp_path / f"{name}.jsonl"
        path.write_text(ppo_lines(0, 100))  # ~500 points each
        paths.append(path)
        reader.read_scalars(path)
    for path in paths:  # evicted files are simply parsed again
        assert len(reader.read_scalars(path)["series"]["time/fps"]["steps"]) == 100


def test_long_series_use_block_extremes_and_stay_right_after_appends(tmp_path: Path) -> None:
    path = tmp_path / "metrics.jsonl"
    rng = random.Random(3)
    path.write_text("".join(line(i, r=rng.random()) for i in range(70_000)))  # past the block threshold
    reader = MetricsReader()
    first = reader.read_scalars(path, ["r"], downsample=500)["series"]["r"]
    assert len(first["steps"]) <= 500 and (first["steps"][0], first["steps"][-1]) == (0, 69_999)
    with path.open("a") as handle:
        handle.write(line(70_000, r=-5.0) + line(70_001, r=0.5) + line(70_002, r=9.0) + line(70_003, r=0.25))
    after = reader.read_scalars(path, ["r"], downsample=500)["series"]["r"]
    assert len(after["steps"]) <= 500 and after["steps"] == sorted(set(after["steps"]))
    assert (after["steps"][0], after["steps"][-1]) == (0, 70_003)
    assert min(after["values"]) == -5.0 and max(after["values"]) == 9.0  # tail extremes, not yet in a block
