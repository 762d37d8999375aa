"""The Settings tab's API against the real server: settings that persist across a restart,
the runs folder and resource defaults used by a real new run, disk usage, and cleanup
(preview, then files really gone or in the trash), the doctor and About."""

from __future__ import annotations

import time
from pathlib import Path

import psutil
import requests

from tests.helpers.api_client import call, create, fetch, status_of
from tests.helpers.run_configs import TINY_PPO
from tests.helpers.server import start_server

# One 2 s milestone clip at the end; checkpoints every 10% (the default, 3 kept).
FILMED = {**TINY_PPO, "milestone_every_pct": 100, "milestone_max_seconds": 2}


def _wait_finished(server, experiment_id: str, timeout: float = 240) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = status_of(server, experiment_id)
        if status not in ("queued", "running"):
            return status
        time.sleep(0.5)
    raise AssertionError("the run did not finish in time")


def _wait_no_workers(server, timeout: float = 60) -> None:
    """A completed run's worker may still be exiting; its folder must not go before it."""

    def alive() -> bool:
        for child in psutil.Process(server.process.pid).children(recursive=True):
            try:
                if child.status() != psutil.STATUS_ZOMBIE and "worker" in child.cmdline():
                    return True
            except psutil.Error:
                continue
        return False

    deadline = time.monotonic() + timeout
    while alive() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not alive()


def test_invalid_settings_are_400_with_the_field(live_server) -> None:
    for body, field in [
        ({"runs_dir": "relative/runs"}, "settings.runs_dir"),
        ({"export_dir": "/proc/not-here"}, "settings.export_dir"),
        ({"default_game": "not-a-game"}, "settings.default_game"),
        ({"default_preset": "forever"}, "settings.default_preset"),
        ({"default_device": "tpu"}, "settings.default_device"),
        ({"default_n_envs": 100}, "settings.default_n_envs"),
    ]:
        error = call(live_server, "PUT", "/settings", 400, json=body)["error"]
        assert error["field"] == field, body
        assert error["message"]


def test_settings_survive_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = start_server(data)
    changes = {"theme": "light", "accent": "green", "default_game": "pong", "notify_video_generated": False}
    try:
        call(server, "PUT", "/settings", json=changes)
    finally:
        assert server.stop() == 0
    again = start_server(data)
    try:
        values = call(again, "GET", "/settings")["settings"]
        assert {k: values[k] for k in changes} == changes
    finally:
        assert again.stop() == 0


def test_runs_folder_defaults_storage_and_cleanup(tmp_path: Path) -> None:
    runs = tmp_path / "elsewhere" / "runs"
    server = start_server(tmp_path / "data", env={"XDG_DATA_HOME": str(tmp_path / "xdg")})  # a private trash
    try:
        call(
            server,
            "PUT",
            "/settings",
            json={"runs_dir": str(runs), "default_torch_threads": 1, "default_device": "cpu"},
        )
        experiment = create(server, game="pong", name="Moved", config=FILMED)
        # The resolved config shows the defaults; the run's own n_envs (2) wins over none set.
        assert experiment["config"]["torch_threads"] == 1 and experiment["config"]["device"] == "cpu"
        assert experiment["config"]["n_envs"] == 2
        assert Path(experiment["run_dir"]).parent == runs.resolve()
        assert _wait_finished(server, experiment["id"]) == "completed"
        _wait_no_workers(server)
        run_dir = Path(experiment["run_dir"])
        assert (run_dir / "model.zip").is_file() and (run_dir / "metrics.jsonl").is_file()
        checkpoints = sorted((run_dir / "checkpoints").glob("*.zip"))
        assert checkpoints
        assert not (tmp_path / "data" / "runs" / experiment["id"]).exists()

        # Its video is served although it lives outside the data folder.
        [video] = call(server, "GET", f"/videos?experiment_id={experiment['id']}")["videos"]
        assert Path(video["path"]).is_relative_to(runs.resolve())
        response = requests.get(
            f"{server.base_url}/api/videos/{video['id']}/file", headers=server.auth_headers, timeout=30
        )
        assert response.status_code == 200 and len(response.content) > 1000

        usage = call(server, "GET", "/storage")
        [row] = usage["runs"]
        assert row["experiment_id"] == experiment["id"]
        assert row["models"] > 0 and row["checkpoints"] == sum(p.stat().st_size for p in checkpoints)
        assert row["videos"] > 0 and usage["totals"]["total"] == row["total"] and usage["free_bytes"] > 0

        body = {"checkpoints": True, "videos_older_than_days": 0, "keep_favorites": True}
        call(server, "PATCH", f"/videos/{video['id']}", json={"favorite": True})
        preview = call(server, "POST", "/storage/cleanup", json={**body, "dry_run": True})
        assert {Path(f["path"]) for f in preview["files"]} == set(checkpoints)  # the favourite video stays
        assert all(p.exists() for p in checkpoints)
        call(server, "PATCH", f"/videos/{video['id']}", json={"favorite": False})
        preview = call(server, "POST", "/storage/cleanup", json={**body, "dry_run": True})
        assert video["path"] in {f["path"] for f in preview["files"]}

        done = call(server, "POST", "/storage/cleanup", json={**body, "dry_run": False})
        assert done["errors"] == [] and done["freed_bytes"] == preview["total_bytes"] > 0
        assert not any(p.exists() for p in checkpoints) and not Path(video["path"]).exists()
        assert (run_dir / "model.zip").is_file()  # never the final model
        assert list((tmp_path / "xdg" / "Trash" / "files").iterdir())  # the video went to the trash
        assert call(server, "GET", f"/videos?experiment_id={experiment['id']}")["videos"] == []
        assert call(server, "GET", "/storage")["runs"][0]["checkpoints"] == 0

        # Deleting the run removes its folder in the runs folder.
        call(server, "DELETE", f"/experiments/{experiment['id']}")
        assert not run_dir.exists()
    finally:
        assert server.stop() == 0


def test_resource_defaults_and_n_envs(live_server) -> None:
    call(live_server, "PUT", "/settings", json={"default_n_envs": 2})
    no_envs = {k: v for k, v in TINY_PPO.items() if k not in ("n_envs", "n_steps", "batch_size")}
    experiment = create(live_server, game="pong", config=no_envs)
    assert experiment["config"]["n_envs"] == 2
    # The preset's batch (256) shrank to one rollout of 2 games × 128 steps.
    assert experiment["config"]["batch_size"] == experiment["config"]["n_steps"] * 2
    call(live_server, "POST", f"/experiments/{experiment['id']}/stop", expect=None)
    _wait_finished(live_server, experiment["id"])
    assert fetch(live_server, experiment["id"])["config"]["n_envs"] == 2


def test_doctor_and_about(live_server) -> None:
    doctor = call(live_server, "GET", "/system/doctor")
    ids = {c["id"] for c in doctor["checks"]}
    assert {"roms", "torch", "cuda", "ffmpeg", "notifications", "clipboard", "reveal", "disk"} <= ids
    assert doctor["status"] in ("ok", "warning", "error")
    about = call(live_server, "GET", "/about")
    assert about["version"] and any(p["name"].lower() == "flask" for p in about["python_packages"])
    assert any(p["name"] == "uplot" and p["license"] == "MIT" for p in about["npm_packages"])
