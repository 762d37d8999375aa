"""`GET /api/experiments/<id>/artifacts` and `.../logs` on the real server, over a real worker's run folder."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.helpers.api_client import call, create, status_of
from tests.helpers.run_configs import TINY_PPO
from tests.helpers.server import LiveServer


def test_unknown_runs_and_bad_tails_are_json_errors(live_server: LiveServer) -> None:
    for path in ("/experiments/0123456789ab/artifacts", "/experiments/0123456789ab/logs"):
        body = call(live_server, "GET", path, 404)
        assert body["error"]["code"] == "not_found"
    for bad in ("0", "-3", "abc", "5001", "2.5"):
        body = call(live_server, "GET", f"/experiments/0123456789ab/logs?tail={bad}", 400)
        assert body["error"]["field"] == "tail", bad
    malformed = call(live_server, "GET", "/experiments/..%2F..%2Fetc/artifacts", None)
    assert "error" in malformed


@pytest.mark.training
def test_files_and_log_of_a_real_tiny_run(live_server: LiveServer) -> None:
    experiment = create(live_server, game="pong", algorithm="ppo", config={**TINY_PPO, "checkpoint_every_pct": 50})
    ident = experiment["id"]
    deadline = time.monotonic() + 240
    while status_of(live_server, ident) in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(1)
    assert status_of(live_server, ident) == "completed", live_server.log_text()
    run_dir = Path(call(live_server, "GET", f"/experiments/{ident}")["experiment"]["run_dir"])

    listing = call(live_server, "GET", f"/experiments/{ident}/artifacts")
    assert listing["experiment_id"] == ident
    groups = listing["groups"]
    assert set(groups) == {"model", "checkpoints", "videos", "metrics", "logs", "config", "other"}
    model = groups["model"][0]
    assert model["path"] == "model.zip" and model["size_bytes"] == (run_dir / "model.zip").stat().st_size > 0
    assert groups["checkpoints"], "checkpoint_every_pct=50 keeps checkpoints"
    for entry in groups["checkpoints"]:
        assert entry["path"].startswith("checkpoints/")
        assert entry["size_bytes"] == (run_dir / entry["path"]).stat().st_size
    metrics_paths = [e["path"] for e in groups["metrics"]]
    assert metrics_paths[0] == "metrics.jsonl"
    assert all(p.startswith("tensorboard/") for p in metrics_paths[1:]), metrics_paths
    assert "worker.log" in [e["name"] for e in groups["logs"]]
    assert [e["name"] for e in groups["config"]] == ["config.json"]
    listed = {e["path"]: e["size_bytes"] for entries in groups.values() for e in entries}
    on_disk = {p.relative_to(run_dir).as_posix(): p.stat().st_size for p in run_dir.rglob("*") if p.is_file()}
    assert listed == on_disk
    assert listing["total_bytes"] == sum(on_disk.values()) and listing["file_count"] == len(on_disk)

    log_lines = (run_dir / "worker.log").read_text(errors="replace").splitlines()
    assert len(log_lines) >= 3, "the worker writes its log"
    whole = call(live_server, "GET", f"/experiments/{ident}/logs")
    assert whole["size"] == (run_dir / "worker.log").stat().st_size
    assert whole["lines"] == log_lines[-200:] and whole["truncated"] == (len(log_lines) > 200)
    two = call(live_server, "GET", f"/experiments/{ident}/logs?tail=2")
    assert two["lines"] == log_lines[-2:] and two["truncated"] is True

    # A run folder without a log (deleted by hand): no lines, not an error.
    (run_dir / "worker.log").unlink()
    empty = call(live_server, "GET", f"/experiments/{ident}/logs?tail=10")
    assert empty["lines"] == [] and empty["truncated"] is False and empty["size"] == 0
