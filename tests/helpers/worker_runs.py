"""Runs the training worker for real (`python -m retro_ml worker --run-dir DIR`) without a server, as
the process manager does, and reads back what it writes in its run folder (docs/CONTRACT.md)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

WORKER_TIMEOUT_SECONDS = 180

EPISODE_METRIC_KEYS = {
    "episodes",
    "mean_reward",
    "best_reward",
    "last_reward",
    "mean_episode_length",
    "fps",
    "elapsed_seconds",
    "eta_seconds",
}


def make_run_dir(
    tmp_path: Path,
    game: str,
    env_id: str,
    algorithm: str,
    config: dict[str, Any],
    experiment_id: str = "exp123",
    **top_level: Any,
) -> Path:
    """A run folder holding config.json, as the main process writes it before starting a worker."""
    run_dir = tmp_path / "runs" / experiment_id
    run_dir.mkdir(parents=True)
    run_config = {
        "experiment_id": experiment_id,
        "game": game,
        "env_id": env_id,
        "algorithm": algorithm,
        "config": config,
        **top_level,
    }
    (run_dir / "config.json").write_text(json.dumps(run_config), encoding="utf-8")
    return run_dir


def start_worker(run_dir: Path) -> subprocess.Popen[bytes]:
    """Start the worker the way the process manager does: output to worker.log."""
    with (run_dir / "worker.log").open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "retro_ml", "worker", "--run-dir", str(run_dir)],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=run_dir,
        )


@contextmanager
def running_worker(run_dir: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A started worker, killed on the way out if the test left it running (a failure, a timeout)."""
    process = start_worker(run_dir)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def run_worker_to_end(run_dir: Path) -> int:
    with running_worker(run_dir) as process:
        return process.wait(timeout=WORKER_TIMEOUT_SECONDS)


def read_events(run_dir: Path) -> list[dict[str, Any]]:
    path = run_dir / "events.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def read_metrics(run_dir: Path) -> list[dict[str, Any]]:
    lines = (run_dir / "metrics.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def reports_of(events: list[dict[str, Any]], report_type: str) -> list[dict[str, Any]]:
    return [event for event in events if event["type"] == report_type]


def wait_for_reports(
    process: subprocess.Popen[bytes], run_dir: Path, report_type: str, count: int, timeout: float = 120
) -> list[dict[str, Any]]:
    """Poll events.jsonl until it holds `count` reports of `report_type`; returns all of them."""
    deadline = time.monotonic() + timeout
    while len(found := reports_of(read_events(run_dir), report_type)) < count:
        assert process.poll() is None, worker_log(run_dir)
        assert time.monotonic() < deadline, f"fewer than {count} {report_type} reports in time"
        time.sleep(0.1)
    return found


def stop_and_wait(process: subprocess.Popen[bytes], run_dir: Path) -> int:
    (run_dir / "STOP").touch()
    return process.wait(timeout=60)


def worker_log(run_dir: Path) -> str:
    return (run_dir / "worker.log").read_text(encoding="utf-8", errors="replace")


def assert_finished_run(
    run_dir: Path, exit_code: int, final_type: str, start_timesteps: int = 0
) -> list[dict[str, Any]]:
    """Exit 0, started → progress/checkpoint... → `final_type`, every line well formed; returns the events."""
    assert exit_code == 0, worker_log(run_dir)
    events = read_events(run_dir)
    types = [event["type"] for event in events]
    assert types[0] == "started", types
    assert types[-1] == final_type, types
    assert "progress" in types[1:-1], types
    assert set(types[1:-1]) <= {"progress", "checkpoint"}, types
    assert all(isinstance(event["time"], float) for event in events)
    started, final = events[0], events[-1]
    assert started["device"] in {"cpu", "cuda"}
    assert started["num_timesteps"] == start_timesteps
    assert final["model_path"] == "model.zip"
    assert EPISODE_METRIC_KEYS <= set(final["final_metrics"])
    assert not (run_dir / "model.tmp.zip").exists()
    return events
