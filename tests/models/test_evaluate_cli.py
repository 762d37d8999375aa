"""`retro-ml evaluate MODEL_ID`: through the running app's API (the job is the app's, its result stored on
the version), and with no app running (the command is the data folder's main process meanwhile); an
unknown id is refused with the API's message."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers.api_client import call
from tests.helpers.cli import run_cli
from tests.models.conftest import ModelLab

pytestmark = pytest.mark.training


def retro_ml(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, timeout=240)


def test_evaluate_through_the_running_app_prints_mean_std_max(model_lab: ModelLab) -> None:
    server, model = model_lab.server, model_lab.versions["dqn"]
    data_dir = str(server.data_dir)
    done = retro_ml("evaluate", model["id"], "--episodes", "2", "--seed", "7", "--max-seconds", "4", "--no-video",
                    "--data-dir", data_dir)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    evaluation = call(server, "GET", f"/models/{model['id']}")["model"]["evaluation"]
    assert (evaluation["episodes"], evaluation["seed"], evaluation["video_id"]) == (2, 7, None)
    assert "in the running app" in done.stdout and "2/2 games" in done.stdout
    assert f"mean {evaluation['mean_score']:.2f} · std {evaluation['std_score']:.2f} · max" in done.stdout
    assert [job["kind"] for job in call(server, "GET", "/models/jobs")["jobs"]][0] == "evaluation"

    refused = retro_ml("evaluate", "0123456789ab", "--data-dir", data_dir)
    assert refused.returncode == 2 and "No model with id '0123456789ab'" in refused.stdout


def test_evaluate_without_the_app_is_the_main_process_meanwhile(model_lab: ModelLab, tmp_path: Path) -> None:
    model = model_lab.versions["ppo"]
    copy = tmp_path / "data"
    shutil.copytree(model_lab.server.data_dir, copy, ignore=shutil.ignore_patterns("runs"))
    (copy / "server.json").unlink()  # the running server's handle: nobody serves the copy
    done = retro_ml("evaluate", model["id"], "--episodes", "2", "--max-seconds", "4", "--no-video",
                    "--data-dir", str(copy))  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "mean " in done.stdout and not (copy / "server.json").exists()
    listed = json.loads(retro_ml("models", "--data-dir", str(copy), "--json").stdout)
    evaluation = next(m for m in listed if m["id"] == model["id"])["evaluation"]
    assert evaluation["episodes"] == 2 and len(evaluation["scores"]) == 2
