"""Exporting a model version through the real server (`POST /api/models/<id>/export`): the ONNX folder
checked by onnxruntime against SB3 on real frames, the SB3 zip that PPO.load reads, the Hugging Face
folder of a checkpoint; a cancelled or failed export leaves nothing in the folder; bad requests are
4xx with the field at fault, and a missing or damaged model file a 422."""

from __future__ import annotations

import json
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime
import psutil
import pytest
from stable_baselines3 import PPO

from tests.helpers.api_client import call, create, fetch
from tests.helpers.run_configs import TINY_PPO
from tests.helpers.server import LiveServer, kill_workers_under, start_server
from tests.helpers.socket_events import RecordingClient

pytestmark = pytest.mark.training

# 4 checkpoints (every 20%; none at the end, where the final model is), all kept:
# with the final model, 5 versions to export, break and delete.
CHECKPOINTED = {**TINY_PPO, "checkpoint_every_pct": 20, "checkpoint_every_minutes": 0, "keep_checkpoints": 5}


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, RecordingClient, list[Any]]]:
    """A server with one finished tiny PPO run, a Socket.IO recorder, and the run's versions (final first)."""
    data_dir = tmp_path_factory.mktemp("exports") / "data"
    server = start_server(data_dir)
    client = RecordingClient()
    client.connect(server.base_url, auth={"token": server.token})
    try:
        experiment = create(server, game="breakout", algorithm="ppo", config=CHECKPOINTED)
        client.wait_for("training.complete", lambda d: d["experiment_id"] == experiment["id"], 300)
        client.wait_for("models.changed", lambda d: d["experiment_id"] == experiment["id"] and d["added"], 30)
        listed = call(server, "GET", f"/models?experiment_id={experiment['id']}")["models"]
        checkpoints = sorted((v for v in listed if v["kind"] == "checkpoint"), key=lambda v: v["num_timesteps"])
        versions = [v for v in listed if v["kind"] == "final"] + checkpoints
        assert [v["kind"] for v in versions] == ["final", "checkpoint", "checkpoint", "checkpoint", "checkpoint"]
        assert fetch(server, experiment["id"])["metadata"]["status"] == "completed"
        yield server, client, versions
    finally:
        client.close()
        assert server.stop() == 0, server.log_text()
        kill_workers_under(data_dir.parent)


def export(server: LiveServer, model_id: str, expect: int = 202, **body: Any) -> dict[str, Any]:
    return call(server, "POST", f"/models/{model_id}/export", expect, json=body)


def wait_finished(server: LiveServer, job_id: str, timeout: float = 180) -> dict[str, Any]:
    """The job once it has ended, read back with GET /api/models/exports/<id>."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = call(server, "GET", f"/models/exports/{job_id}")["job"]
        if job["finished"]:
            return job
        time.sleep(0.2)
    raise AssertionError(f"export {job_id} did not finish in {timeout} s")


def files_in(folder: Path) -> list[str]:
    """Everything in the folder, hidden temporary names included."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_onnx_export_is_checked_against_sb3_on_real_frames(trained, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server, client, versions = trained
    final = versions[0]
    job = export(server, final["id"], format="onnx", dest=str(tmp_path))["job"]
    assert (job["format"], job["model_id"]) == ("onnx", final["id"]) and job["status"] in ("queued", "running")

    done = wait_finished(server, job["id"])
    assert done["status"] == "completed", done
    folder = tmp_path / f"breakout-ppo-{final['num_timesteps']}-onnx"
    assert done["output_paths"] == [str(folder)]
    assert files_in(tmp_path) == [folder.name, f"{folder.name}/README.md", f"{folder.name}/metadata.json",
                                  f"{folder.name}/model.onnx"]  # fmt: skip
    result = done["result"]
    assert (result["frames_checked"], result["actions_agree"]) == (200, "200/200")
    assert result["max_abs_logit_diff"] < 1e-3 and result["output_name"] == "action_logits"
    metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    assert (metadata["env_id"], metadata["algorithm"], metadata["num_timesteps"]) == (
        "ALE/Breakout-v5",
        "PPO",
        final["num_timesteps"],
    )
    assert metadata["action_meanings"] == ["NOOP", "FIRE", "RIGHT", "LEFT"]

    # The events said how it went: progress with stages, then complete with the same job.
    progress = [d["job"] for d in client.of("model.export.progress") if d["job"]["id"] == job["id"]]
    assert progress and all(p["status"] == "running" for p in progress)
    complete = client.wait_for("model.export.complete", lambda d: d["job"]["id"] == job["id"], 10)["job"]
    assert complete == done

    # The file is an ONNX policy: PPO's deterministic action on any stacked frames (here: random ones).
    frames = np.random.default_rng(0).integers(0, 256, (8, 4, 84, 84), dtype=np.uint8)
    session = onnxruntime.InferenceSession(str(folder / "model.onnx"), providers=["CPUExecutionProvider"])
    model = PPO.load(final["path"], device="cpu")
    expected, _ = model.predict(frames, deterministic=True)
    assert session.run(None, {"obs": frames})[0].argmax(axis=1).tolist() == expected.tolist()


def test_sb3_export_is_the_zip_under_a_name_never_taken_twice(trained, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server, client, versions = trained
    version = versions[1]
    stem = f"breakout-ppo-{version['num_timesteps']}"
    first = wait_finished(server, export(server, version["id"], format="sb3", dest=str(tmp_path))["job"]["id"])
    second = wait_finished(server, export(server, version["id"], format="sb3", dest=str(tmp_path))["job"]["id"])
    assert first["status"] == second["status"] == "completed"
    assert first["output_paths"] == [str(tmp_path / f"{stem}.zip")]
    assert second["output_paths"] == [str(tmp_path / f"{stem} (2).zip")]
    assert files_in(tmp_path) == [f"{stem} (2).zip", f"{stem}.zip"]
    assert (tmp_path / f"{stem}.zip").read_bytes() == Path(version["path"]).read_bytes()
    assert PPO.load(str(tmp_path / f"{stem} (2).zip"), device="cpu").num_timesteps == version["num_timesteps"]


def test_hf_export_of_a_checkpoint_is_model_shares_folder_for_that_version(trained, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server, client, versions = trained
    version = versions[1]
    done = wait_finished(server, export(server, version["id"], format="hf", dest=str(tmp_path))["job"]["id"])
    assert done["status"] == "completed", done
    folder = tmp_path / "ppo-ALE-Breakout-v5"
    assert done["output_paths"] == [str(folder)]
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md",
        "config.json",
        "config.yml",
        "ppo-ALE-Breakout-v5.zip",
        "results.json",
    ]
    assert (folder / "ppo-ALE-Breakout-v5.zip").read_bytes() == Path(version["path"]).read_bytes()
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    assert (results["source"], results["mean_reward"]) == ("none", None)  # a checkpoint nobody evaluated yet
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert f"for {version['num_timesteps']:,} steps" in card and "not been evaluated yet" in card
    assert f"n_timesteps: {version['num_timesteps']}" in (folder / "config.yml").read_text(encoding="utf-8")


def test_a_cancelled_onnx_export_stops_its_process_and_leaves_nothing(trained, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server, client, versions = trained
    final = versions[0]
    job = export(server, final["id"], format="onnx", dest=str(tmp_path))["job"]
    client.wait_for(
        "model.export.progress",
        lambda d: d["job"]["id"] == job["id"] and d["job"]["stage"] == "exporting the policy network",
        120,
    )
    children = psutil.Process(server.process.pid).children(recursive=True)
    exporting = [p for p in children if "model-export" in p.cmdline()]
    assert len(exporting) == 1

    cancelled = call(server, "POST", f"/models/exports/{job['id']}/cancel")["job"]
    assert cancelled["status"] == "cancelled" and "nothing was written" in cancelled["error"]
    assert files_in(tmp_path) == []
    assert not exporting[0].is_running() or exporting[0].status() == psutil.STATUS_ZOMBIE
    assert call(server, "POST", f"/models/exports/{job['id']}/cancel", 409)["error"]["code"] == "conflict"


def test_a_model_that_does_not_load_fails_the_job_and_leaves_nothing(trained, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A zip with SB3's entries but junk inside passes the request's check; the export process fails it."""
    server, client, versions = trained
    version = versions[2]
    with zipfile.ZipFile(version["path"], "w") as archive:
        archive.writestr("data", "{}")
        archive.writestr("policy.pth", b"not a torch file")
    done = wait_finished(server, export(server, version["id"], format="onnx", dest=str(tmp_path))["job"]["id"])
    assert done["status"] == "failed"
    assert "could not be loaded as a PPO model" in done["error"]
    assert files_in(tmp_path) == []
    assert client.wait_for("model.export.failed", lambda d: d["job"]["id"] == done["id"], 10)["job"] == done


def test_bad_requests_are_4xx_with_the_field_at_fault(trained, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server, _, versions = trained
    model_id = versions[0]["id"]
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("x")
    cases = [
        ({"format": "tflite", "dest": str(tmp_path)}, "format"),
        ({"dest": str(tmp_path)}, "format"),
        ({"format": "onnx"}, "dest"),
        ({"format": "onnx", "dest": "relative/folder"}, "dest"),
        ({"format": "onnx", "dest": str(tmp_path / "missing")}, "dest"),
        ({"format": "onnx", "dest": str(a_file)}, "dest"),
        ({"format": "sb3", "dest": "/proc"}, "dest"),  # a folder nobody may write in, even root
        ({"format": "sb3", "dest": "/" + "x" * 5000}, "dest"),  # a name too long for the file system
        ({"format": "sb3", "dest": str(tmp_path), "overwrite": True}, "overwrite"),
    ]
    for body, field in cases:
        error = export(server, model_id, 400, **body)["error"]
        assert (error["code"], error["field"]) == ("invalid_input", field), body
        assert error["message"]
    assert export(server, "0123456789ab", 404, format="sb3", dest=str(tmp_path))["error"]["code"] == "not_found"
    assert export(server, "NOT-AN-ID", 400, format="sb3", dest=str(tmp_path))["error"]["code"] == "invalid_input"
    assert call(server, "GET", "/models/exports/0123456789ab", 404)["error"]["code"] == "not_found"
    assert files_in(tmp_path) == ["a-file.txt"]


def test_a_missing_or_damaged_model_file_is_a_422_saying_what_is_wrong(trained, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server, _, versions = trained
    damaged, missing = versions[3], versions[4]
    Path(damaged["path"]).write_bytes(Path(damaged["path"]).read_bytes()[:3000])  # cut short
    error = export(server, damaged["id"], 422, format="onnx", dest=str(tmp_path))["error"]
    assert error["code"] == "model_file_corrupt" and "not a readable SB3 model" in error["message"]

    Path(missing["path"]).unlink()
    error = export(server, missing["id"], 422, format="sb3", dest=str(tmp_path))["error"]
    assert error["code"] == "model_file_missing" and missing["path"] in error["message"]
    assert files_in(tmp_path) == []
