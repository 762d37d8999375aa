"""Evaluating a model version through the real server (`POST /api/models/<id>/evaluate`): real ALE games
of a tiny PPO model on fixed seeds, the scores stored on the version, the best game filmed and probed,
the same seeds giving the same scores again, a cancel leaving no process and no file, a corrupt model
failing the job cleanly, a still-training run's checkpoint evaluated while it trains on, bad requests
answered 4xx."""

from __future__ import annotations

import shutil
import statistics
import time
import zipfile
from pathlib import Path
from typing import Any

import psutil
import pytest

from retro_ml.training.video import probe
from tests.helpers.api_client import call, create, fetch, status_of
from tests.helpers.run_configs import LONG_PPO
from tests.helpers.server import LiveServer, start_server
from tests.models.conftest import ModelLab

pytestmark = pytest.mark.training

SHORT = {"episodes": 3, "seed": 0, "max_seconds": 8}  # three games of at most 8 s of game time


def evaluate(server: LiveServer, model_id: str, expect: int = 202, **body: Any) -> dict[str, Any]:
    return call(server, "POST", f"/models/{model_id}/evaluate", expect, json=body)


def wait_finished(server: LiveServer, job_id: str, timeout: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = call(server, "GET", f"/models/jobs/{job_id}")["job"]
        if job["finished"]:
            return dict(job)
        time.sleep(0.2)
    raise AssertionError(f"model job {job_id} did not finish in {timeout} s")


def job_folders(videos: Path) -> list[str]:
    return sorted(p.name for p in videos.glob(".model-job-*")) if videos.exists() else []


def job_processes(server: LiveServer) -> list[psutil.Process]:
    children = psutil.Process(server.process.pid).children(recursive=True)
    return [p for p in children if "model-job" in p.cmdline()]


def test_an_evaluation_stores_the_scores_and_films_the_best_game(model_lab: ModelLab) -> None:
    server, client, model = model_lab.server, model_lab.client, model_lab.versions["ppo"]
    job = evaluate(server, model["id"], **SHORT)["job"]
    assert (job["kind"], job["model_ids"], job["episodes"], job["games_total"]) == ("evaluation", [model["id"]], 3, 3)
    assert job["status"] in ("queued", "running")

    done = wait_finished(server, job["id"])
    assert done["status"] == "completed", done
    result = done["result"]
    evaluation = result["evaluation"]
    scores = evaluation["scores"]
    assert len(scores) == len(evaluation["lengths"]) == 3 and result["seeds"] == [0, 1, 2]
    assert evaluation["mean_score"] == pytest.approx(statistics.fmean(scores))
    assert evaluation["std_score"] == pytest.approx(statistics.stdev(scores))
    assert (evaluation["max_score"], evaluation["min_score"]) == (max(scores), min(scores))
    assert all(0 < length <= 8 * 60 for length in evaluation["lengths"])  # agent steps, under the cap's frames
    assert "8 s of game time" in result["cap"]

    stored = call(server, "GET", f"/models/{model['id']}")["model"]["evaluation"]
    assert stored["scores"] == scores and stored["seed"] == 0 and stored["video_id"] == result["video_id"]

    video = call(server, "GET", f"/videos/{result['video_id']}")["video"]
    assert video["type"] == "evaluation" and video["experiment_id"] == model["experiment_id"]
    assert Path(video["path"]).name == f"evaluation_{model['id']}_{job['id']}.mp4"
    info = probe(video["path"])
    assert (info["codec"], info["fps"], info["width"], info["height"]) == ("h264", 60.0, 480, 630)
    assert 0 < info["frames"] <= 8 * 60
    assert Path(video["metadata"]["thumbnail_path"]).is_file()
    assert job_folders(Path(video["path"]).parent) == []  # the work folder (model copy, spec, log) is gone

    events = [e["job"] for e in client.of("model.evaluation.progress") if e["job"]["id"] == job["id"]]
    done_counts = [e["games_done"] for e in events]
    assert done_counts == sorted(done_counts) and done_counts[-1] >= 1
    complete = client.wait_for("model.evaluation.complete", lambda d: d["job"]["id"] == job["id"], 10)
    assert complete["job"]["result"]["video_id"] == result["video_id"]


def test_the_same_seeds_give_the_same_scores(model_lab: ModelLab) -> None:
    server, model = model_lab.server, model_lab.versions["dqn"]
    first = wait_finished(server, evaluate(server, model["id"], record=False, **SHORT)["job"]["id"])
    again = wait_finished(server, evaluate(server, model["id"], record=False, **SHORT)["job"]["id"])
    assert first["status"] == again["status"] == "completed"
    assert first["result"]["evaluation"]["scores"] == again["result"]["evaluation"]["scores"]
    assert first["result"]["evaluation"]["lengths"] == again["result"]["evaluation"]["lengths"]
    assert first["result"]["video_id"] is None  # record: false films nothing


def test_a_cancelled_evaluation_leaves_no_process_and_no_file(model_lab: ModelLab) -> None:
    server, client, model = model_lab.server, model_lab.client, model_lab.versions["ppo_checkpoint"]
    videos = Path(model["path"]).parent.parent / "videos"
    before = call(server, "GET", f"/models/{model['id']}")["model"]["evaluation"]
    job = evaluate(server, model["id"], episodes=200, max_seconds=60)["job"]
    client.wait_for("model.evaluation.progress", lambda d: d["job"]["id"] == job["id"] and d["job"]["games_done"], 120)
    assert job_folders(videos) == [f".model-job-{job['id']}"]

    cancelled = call(server, "POST", f"/models/jobs/{job['id']}/cancel", json={})["job"]
    assert cancelled["status"] == "cancelled" and cancelled["result"] is None
    assert job_processes(server) == []
    assert job_folders(videos) == [] and not list(videos.glob(f"*{job['id']}*"))
    assert call(server, "GET", f"/models/{model['id']}")["model"]["evaluation"] == before
    assert call(server, "POST", f"/models/jobs/{job['id']}/cancel", 409, json={})["error"]["code"] == "conflict"


def test_bad_requests_are_4xx_with_the_field_at_fault(model_lab: ModelLab) -> None:
    server, model = model_lab.server, model_lab.versions["ppo"]
    for body, field in (
        ({"episodes": 0}, "episodes"),
        ({"episodes": 10_000}, "episodes"),
        ({"episodes": 2.5}, "episodes"),
        ({"seed": -1}, "seed"),
        ({"record": "yes"}, "record"),
        ({"max_seconds": 0}, "max_seconds"),
        ({"games": 3}, "games"),
    ):
        error = evaluate(server, model["id"], 400, **body)["error"]
        assert (error["code"], error["field"]) == ("invalid_input", field) and error["message"], body
    assert call(server, "POST", f"/models/{model['id']}/evaluate", 400, json=[1])["error"]["code"] == "invalid_input"
    assert evaluate(server, "0123456789ab", 404)["error"]["code"] == "not_found"
    assert evaluate(server, "NOT-AN-ID", 400)["error"]["code"] == "invalid_input"
    assert call(server, "GET", "/models/jobs/0123456789ab", 404)["error"]["code"] == "not_found"


def test_a_damaged_model_file_is_refused_or_fails_the_job_cleanly(model_lab: ModelLab) -> None:
    server, model = model_lab.server, model_lab.versions["ppo_old_checkpoint"]
    path = Path(model["path"])
    videos = path.parent.parent / "videos"
    original = path.read_bytes()
    try:
        path.write_bytes(b"not a zip at all")  # the cheap check sees it: 422, no job
        error = evaluate(server, model["id"], 422, **SHORT)["error"]
        assert error["code"] == "model_file_corrupt" and path.name in error["message"]

        with zipfile.ZipFile(path, "w") as archive:  # SB3's "data" member, but no model: only loading tells
            archive.writestr("data", "{}")
        failed = wait_finished(server, evaluate(server, model["id"], **SHORT)["job"]["id"])
        assert failed["status"] == "failed" and "cannot be loaded as a PPO model" in failed["error"], failed
        assert failed["result"] is None and job_folders(videos) == []
        assert not list(videos.glob(f"evaluation_{model['id']}_*"))
    finally:
        path.write_bytes(original)


def test_a_checkpoint_of_a_run_still_training_is_evaluated_while_it_trains(model_lab: ModelLab) -> None:
    server, client = model_lab.server, model_lab.client
    config = {**LONG_PPO, "total_timesteps": 200_000, "checkpoint_every_pct": 1, "keep_checkpoints": 1000}
    experiment = create(server, game="breakout", algorithm="ppo", config=config, name="Still training")
    try:
        client.wait_for("models.changed", lambda d: d["experiment_id"] == experiment["id"] and bool(d["added"]), 120)
        checkpoint = call(server, "GET", f"/models?experiment_id={experiment['id']}")["models"][0]
        assert checkpoint["kind"] == "checkpoint"
        done = wait_finished(server, evaluate(server, checkpoint["id"], episodes=2, max_seconds=5)["job"]["id"])
        assert done["status"] == "completed", done
        assert len(done["result"]["evaluation"]["scores"]) == 2 and done["result"]["stored"]
        assert status_of(server, experiment["id"]) == "running"  # the run trained on meanwhile
        assert fetch(server, experiment["id"])["progress"]["timestep"] > checkpoint["num_timesteps"]
    finally:
        call(server, "POST", f"/experiments/{experiment['id']}/stop", 202, json={})
        stopped = {"experiment_id": experiment["id"], "status": "stopped"}
        client.wait_for("experiment.status", lambda d: stopped.items() <= d.items(), 120)


def test_closing_the_app_ends_its_jobs_and_their_files(model_lab: ModelLab, tmp_path: Path) -> None:
    model = model_lab.versions["ppo_checkpoint"]
    videos = Path(model["path"]).parent.parent / "videos"
    stale = videos / ".model-job-0123456789ab"  # left by an app killed mid-job: the next job sweeps it
    stale.mkdir(parents=True)
    (stale / "model_0.zip").write_bytes(b"old copy")
    copy = tmp_path / "data"  # the same records (and run folders) served by a second app
    shutil.copytree(model_lab.server.data_dir, copy, ignore=shutil.ignore_patterns("runs"))
    (copy / "server.json").unlink()
    server = start_server(copy)
    try:
        job = evaluate(server, model["id"], episodes=200, max_seconds=60)["job"]
        assert job_folders(videos) == [f".model-job-{job['id']}"]
        deadline = time.monotonic() + 60
        while not job_processes(server):
            assert time.monotonic() < deadline, "the job's process did not start"
            time.sleep(0.1)
        processes = job_processes(server)
    finally:
        assert server.stop() == 0, server.log_text()
    assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in processes)
    assert job_folders(videos) == [] and not list(videos.glob(f"*{job['id']}*"))
