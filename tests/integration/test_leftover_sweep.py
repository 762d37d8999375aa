"""At start the app removes crash leftovers (`.trash-*` folders, `.*.part`/`.*.tmp` videos,
`.step_*.tmp.zip` checkpoints) from every runs folder it knows: the data folder's, the one Settings
names, and an earlier custom one that only a run's record remembers; never in the folder of a run
whose worker is alive."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.helpers.api_client import call, create, status_of, worker_processes
from tests.helpers.run_configs import LONG_PPO, TINY_PPO
from tests.helpers.server import LiveServer, start_server

pytestmark = pytest.mark.training


def wait_for_status(server: LiveServer, experiment_id: str, wanted: str, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while (status := status_of(server, experiment_id)) != wanted:
        assert time.monotonic() < deadline, f"{experiment_id} is {status}, not {wanted}:\n{server.log_text()}"
        time.sleep(0.5)


def plant(path: Path, text: str = "half written") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def crash_leftovers(runs_folder: Path, run_dir: Path) -> list[Path]:
    """What a deletion, video writers and a checkpoint save cut short by a crash leave behind."""
    trash = plant(runs_folder / ".trash-0123456789ab-a1b2c3" / "model.zip").parent
    return [
        trash,
        plant(run_dir / "videos" / ".milestone_50.mp4.4f2a.part"),
        plant(run_dir / "videos" / "hour" / ".segment_0001.png.tmp"),
        plant(run_dir / "checkpoints" / ".step_4096.tmp.zip"),
    ]


def test_start_sweeps_every_runs_folder_but_not_a_live_workers_files(tmp_path: Path) -> None:
    data_dir, earlier, current = tmp_path / "data", tmp_path / "runs-earlier", tmp_path / "runs-now"
    server = start_server(data_dir, token="sweep-token")
    try:
        call(server, "PUT", "/settings", json={"runs_dir": str(earlier)})
        finished = create(server, game="pong", config=TINY_PPO)
        wait_for_status(server, finished["id"], "completed")
        call(server, "PUT", "/settings", json={"runs_dir": str(current)})
        live = create(server, game="pong", config=LONG_PPO)
        wait_for_status(server, live["id"], "running", 120)
        [worker] = worker_processes(server)
        server.process.send_signal(signal.SIGKILL)  # the app crashes; its worker trains on
        server.process.wait()
    finally:
        if server.process.poll() is None:
            server.process.kill()

    finished_dir, live_dir = Path(finished["run_dir"]), Path(live["run_dir"])
    assert finished_dir.parent == earlier and live_dir.parent == current
    swept = crash_leftovers(earlier, finished_dir)  # a folder only the finished run's record remembers
    swept.append(plant(current / ".trash-0fedcba98765-d4e5f6" / "model.zip").parent)  # Settings' runs folder
    swept.append(plant(data_dir / "runs" / ".trash-ba9876543210-0f0f0f" / "config.json").parent)
    owned = [
        plant(live_dir / "videos" / ".evaluation.mp4.77aa.part"),
        plant(live_dir / "checkpoints" / ".step_9.tmp.zip"),
    ]
    users_own = [plant(earlier / ".trash-notes" / "keep.txt"), plant(current / "holiday.mp4.part")]
    kept = [finished_dir / "model.zip", *finished_dir.glob("checkpoints/step_*.zip"), live_dir / "config.json"]
    assert all(path.exists() for path in kept)

    restarted = start_server(data_dir, token="sweep-token")
    try:
        assert worker.is_running() and status_of(restarted, live["id"]) == "running"  # reattached
        assert [str(p) for p in swept if p.exists()] == []
        assert all(path.exists() for path in owned + users_own + kept)
        call(restarted, "POST", f"/experiments/{live['id']}/stop", 202)
        wait_for_status(restarted, live["id"], "stopped", 120)
    finally:
        assert restarted.stop() == 0, restarted.log_text()
