"""A full disk under a training run (issue 14): the run fails with a message that says so, the
server keeps answering, what it could not store is stored once space returns, the queue moves on
and Delete works. And before that: a warning when a run may not fit, a pause when space runs low.

The data folder is a real small file system: a tmpfs mounted here (root only, as in CI's
container); without one the tests skip and say why.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.api_client import call, create, fetch, status_of
from tests.helpers.run_configs import LONG_PPO, TINY_PPO
from tests.helpers.server import LiveServer, start_server

DISK_FULL = re.compile(
    r"^The disk is full \(\d+ MB free in .+\): free space, then continue from the last checkpoint\.$"
)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 MB tmpfs: room for a run's first checkpoint (a PPO model is ~20 MB), not for many."""
    folder = tmp_path / "small-disk"
    folder.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system (tmpfs) needs root; run as root (CI's container does)")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(folder)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"no small file system can be made here (mount -t tmpfs: {mounted.stderr.strip()})")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@contextmanager
def disk_kept_full(folder: Path) -> Iterator[Path]:
    """What another program does: write until the disk refuses, and keep taking whatever space
    comes back (a dying worker's files), so the app meets a full disk at every write meanwhile."""
    filler = folder / "filler.bin"
    stop = threading.Event()

    def keep_full() -> None:
        with filler.open("wb", buffering=0) as handle:
            while not stop.is_set():
                try:
                    handle.write(b"\0" * 65536)
                except OSError:
                    stop.wait(0.002)

    thread = threading.Thread(target=keep_full, daemon=True)
    thread.start()
    try:
        wait_for(lambda: filler.exists() and filler.stat().st_size > 0, "the disk to fill", 30)
        yield filler
    finally:
        stop.set()
        thread.join(10)
        filler.unlink(missing_ok=True)


def wait_for(condition, what: str, timeout: float = 120.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"not within {timeout:.0f}s: {what}")


def settings_without_guard(server: LiveServer) -> None:
    """No warning, no pause: this test is about a disk that fills before anyone acts."""
    call(server, "PUT", "/settings", json={"low_disk_warning_mb": 0, "low_disk_pause_mb": 0})


@pytest.fixture
def restartable_server(small_disk: Path) -> Iterator[list[LiveServer]]:
    """The servers a test started on the small disk (the last one is current); all stopped after it."""
    servers = [start_server(small_disk / "data")]
    try:
        yield servers
    finally:
        for server in servers:
            code = server.stop()
            assert code == 0, f"server exited with {code}:\n{server.log_text()}"


def failed_while_full(server: LiveServer, filling: dict[str, Any], queued: dict[str, Any], run_dir: Path) -> None:
    """While the disk stays full: the run failed with the message, the app answers, the queue waits."""
    failed = wait_for(
        lambda: (e := fetch(server, filling["id"]))["metadata"]["status"] != "running" and e, "the run to end"
    )
    assert failed["metadata"]["status"] == "failed", failed["metadata"]
    log = (run_dir / "worker.log").read_text(errors="replace")[-3000:]
    assert DISK_FULL.match(failed["metadata"]["status_message"]), (failed["metadata"]["status_message"], log)
    # The server answers; the queued run waits for room rather than failing on the full disk.
    listed = call(server, "GET", "/experiments")["experiments"]
    assert {e["id"] for e in listed} >= {filling["id"], queued["id"]}
    assert status_of(server, queued["id"]) == "queued"
    assert "Waiting for disk space" in fetch(server, queued["id"])["metadata"]["status_message"]
    # Nothing half-written is listed: only finished checkpoints.
    files = call(server, "GET", f"/experiments/{filling['id']}/artifacts")
    names = json.dumps(files)
    assert ".tmp" not in names and ".part" not in names, names


def test_a_run_on_a_full_disk_fails_with_a_message_and_the_app_goes_on(
    small_disk: Path, restartable_server: list[LiveServer]
) -> None:
    server = restartable_server[0]
    settings_without_guard(server)
    filling = create(
        server,
        game="breakout",
        algorithm="ppo",
        config={**LONG_PPO, "checkpoint_every_pct": 0.2, "keep_checkpoints": 1},
    )
    queued = create(
        server,
        game="breakout",
        algorithm="ppo",
        config={**TINY_PPO, "checkpoint_every_pct": 0, "checkpoint_every_minutes": 0},
    )
    run_dir = Path(filling["run_dir"])
    wait_for(lambda: list((run_dir / "checkpoints").glob("step_*.zip")), "a first checkpoint", timeout=180)
    with disk_kept_full(small_disk):
        failed_while_full(server, filling, queued, run_dir)
    # The user freed space: the queued run starts and completes.
    done = wait_for(
        lambda: (status := status_of(server, queued["id"])) not in ("queued", "running") and status,
        "the queued run to start and finish",
        timeout=240,
    )
    assert done == "completed", fetch(server, queued["id"])["metadata"]
    # What the full disk held back was stored once there was room: a restart reads it.
    server.stop()
    server = start_server(small_disk / "data")
    restartable_server.append(server)
    stored = fetch(server, filling["id"])["metadata"]
    assert stored["status"] == "failed" and DISK_FULL.match(stored["status_message"]), stored

    call(server, "DELETE", f"/experiments/{filling['id']}", expect=200)
    call(server, "GET", f"/experiments/{filling['id']}", expect=404)
    assert not run_dir.exists()


def test_a_run_pauses_when_free_space_gets_critical_and_resumes_after(
    small_disk: Path, restartable_server: list[LiveServer]
) -> None:
    """64 MB disk (63 MB free): low under 70 MB at once; the first checkpoint (~20 MB) crosses
    the pause at 50 MB."""
    server = restartable_server[0]
    call(server, "PUT", "/settings", json={"low_disk_warning_mb": 70, "low_disk_pause_mb": 50})
    answer = call(
        server,
        "POST",
        "/experiments",
        201,
        json={"game": "breakout", "algorithm": "ppo", "config": {**LONG_PPO, "checkpoint_every_pct": 0.2}},
    )
    # Estimated: a checkpoint or three and the final model, ~20 MB each, do not fit 64 MB: a warning.
    assert answer["warning"] and "free in" in answer["warning"], answer
    run = answer["experiment"]
    space = call(server, "GET", "/storage/space")
    assert space["level"] == "low" and space["warning_mb"] == 70, space

    paused = wait_for(
        lambda: (e := fetch(server, run["id"]))["metadata"]["status"] not in ("queued", "running") and e,
        "the run to pause",
        180,
    )
    assert paused["metadata"]["status"] == "paused", paused["metadata"]
    assert paused["metadata"]["status_message"].startswith("Paused: the disk is almost full ("), paused["metadata"]
    assert "then resume" in paused["metadata"]["status_message"]
    assert call(server, "GET", "/storage/space")["level"] == "critical"

    # The user makes room (here: a lower threshold) and resumes; the run goes on, then stops cleanly.
    call(server, "PUT", "/settings", json={"low_disk_pause_mb": 5})
    call(server, "POST", f"/experiments/{run['id']}/resume")
    assert status_of(server, run["id"]) == "running"
    call(server, "POST", f"/experiments/{run['id']}/stop", 202)
    ended = wait_for(lambda: (status := status_of(server, run["id"])) not in ("running", "paused") and status, "stop")
    assert ended in ("stopped", "failed"), fetch(server, run["id"])["metadata"]
