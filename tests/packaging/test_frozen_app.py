"""The app built from build.spec (one-folder, Linux): it starts, serves the UI and trains a few
hundred steps through its own executable's `worker` sub-command (no Python installation involved).

Builds into build/frozen-test/ (or RETRO_ML_FROZEN_CACHE) and reuses the build while its inputs are
unchanged (tests/helpers/frozen_build.py). Timings and size go to test-artifacts/frozen-build.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import psutil
import pytest
import requests

from tests.helpers.frozen_build import ROOT, FrozenBuild, build
from tests.helpers.run_configs import TINY_PPO

pytestmark = pytest.mark.packaging

TOKEN = "frozen-test-token"
FROZEN_RUN = {**TINY_PPO, "total_timesteps": 512}  # a few rollouts are proof enough


@pytest.fixture(scope="module")
def frozen() -> FrozenBuild:
    made = build()
    assert made.cli.exists(), f"no {made.cli} after the build"
    return made


def _wait(check, timeout: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def test_frozen_app_serves_the_ui_and_trains_through_its_worker(frozen: FrozenBuild, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    log_path = tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RETRO_ML_", "PYTHON", "VIRTUAL_ENV"))}
    env["RETRO_ML_TOKEN"] = TOKEN
    if os.name != "nt":
        env["PATH"] = "/usr/bin:/bin"  # no venv on the PATH: the bundle must be enough
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    started = time.monotonic()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(frozen.cli), "serve", "--data-dir", str(data_dir)],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:

        def url() -> str:
            assert process.poll() is None, f"the frozen app exited: {log_path.read_text()}"
            lines = [ln for ln in log_path.read_text().splitlines() if "running at http" in ln]
            return lines[0].split("running at ", 1)[1].split("/?", 1)[0] if lines else ""

        base = _wait(url, 60, "the frozen app's URL")
        headers = {"Authorization": f"Bearer {TOKEN}", "Origin": base}
        _wait(lambda: requests.get(f"{base}/api/health", headers=headers, timeout=5).ok, 30, "/api/health")
        startup_s = time.monotonic() - started

        # the UI comes from the bundle (sys._MEIPASS/ui), its npm packages too
        session = requests.Session()
        page = session.get(f"{base}/?token={TOKEN}", timeout=10)
        assert page.status_code == 200 and "<title>Retro ML Trainer</title>" in page.text
        assert session.get(f"{base}/js/main.js", timeout=10).status_code == 200
        # The Dashboard's welcome is built by its view module: the bundle serves that too.
        welcome = session.get(f"{base}/js/dashboard/welcome.js", timeout=10)
        assert welcome.status_code == 200 and "Welcome to Retro ML Trainer" in welcome.text
        presets = requests.get(f"{base}/api/presets", headers=headers, timeout=10).json()
        assert presets, "presets.json is in the bundle"
        games = requests.get(f"{base}/api/games", headers=headers, timeout=10).json()["games"]
        assert any(g["id"] == "breakout" for g in games)

        response = requests.post(
            f"{base}/api/experiments",
            headers=headers,
            json={"game": "breakout", "algorithm": "ppo", "config": FROZEN_RUN},
            timeout=30,
        )
        assert response.status_code == 201, response.text
        experiment_id = response.json()["experiment"]["id"]
        train_started = time.monotonic()

        def worker_cmdline() -> list[str]:
            for child in psutil.process_iter(["cmdline"]):
                cmdline = child.info["cmdline"] or []
                if "worker" in cmdline and any(str(data_dir) in arg for arg in cmdline):
                    return cmdline
            return []

        def finished() -> dict | None:  # type: ignore[type-arg]
            experiment = requests.get(f"{base}/api/experiments/{experiment_id}", headers=headers, timeout=10).json()[
                "experiment"
            ]
            return experiment if experiment["metadata"]["status"] in ("completed", "failed", "stopped") else None

        command = _wait(worker_cmdline, 60, "the training worker")
        assert command[0] == str(frozen.cli) and command[1] == "worker", command  # the bundle's own executable
        experiment = _wait(finished, 240, "the run to finish")
        train_s = time.monotonic() - train_started
        run_dirs = list((data_dir / "runs").iterdir())
        worker_log = "\n".join((d / "worker.log").read_text(errors="replace") for d in run_dirs)
        assert experiment["metadata"]["status"] == "completed", worker_log
        assert any((d / "model.zip").stat().st_size > 100_000 for d in run_dirs)
        onnx_s = _export_onnx_through(base, headers, tmp_path / "exported")
        study_s = _run_a_one_trial_study(base, headers)
    finally:
        process.terminate()  # SIGTERM quits like Ctrl+C (Windows: TerminateProcess, exit code 1)
        code = process.wait(60)
    if os.name != "nt":
        assert code == 0, log_path.read_text()

    report = {
        "build_seconds": frozen.stamp.get("build_seconds"),
        "reused_build": frozen.build_seconds is None,
        "size_mib": round(frozen.size_bytes() / 2**20),
        "startup_seconds": round(startup_s, 2),
        "train_512_steps_seconds": round(train_s, 1),
        "onnx_export_seconds": round(onnx_s, 1),
        "one_trial_study_seconds": round(study_s, 1),
    }
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "frozen-build.json").write_text(json.dumps(report, indent=2))
    print(f"frozen build: {report}")


def _export_onnx_through(base: str, headers: dict[str, str], dest: Path) -> float:
    """The bundle's `model-export` sub-command: torch's ONNX exporter (onnxscript's op sources)
    and onnxruntime's check on real frames, all from the bundle."""
    started = time.monotonic()
    dest.mkdir()
    [final] = requests.get(f"{base}/api/models?kind=final", headers=headers, timeout=10).json()["models"]
    body = {"format": "onnx", "dest": str(dest)}
    answer = requests.post(f"{base}/api/models/{final['id']}/export", headers=headers, json=body, timeout=30)
    assert answer.status_code == 202, answer.text
    url = f"{base}/api/models/exports/{answer.json()['job']['id']}"

    def done() -> dict | None:  # type: ignore[type-arg]
        job = requests.get(url, headers=headers, timeout=10).json()["job"]
        return job if job["status"] in ("completed", "failed", "cancelled") else None

    job = _wait(done, 240, "the ONNX export")
    assert job["status"] == "completed", job
    assert any(p.name == "model.onnx" for p in dest.rglob("*")), list(dest.rglob("*"))
    return time.monotonic() - started


def _run_a_one_trial_study(base: str, headers: dict[str, str]) -> float:
    """Optuna and its RDB storage (SQLAlchemy, alembic's migrations) from the bundle, one trial run
    through the bundle's worker with its trial evaluations."""
    started = time.monotonic()
    tiny = {k: v for k, v in FROZEN_RUN.items() if k != "total_timesteps"}
    request = {
        "game": "breakout",
        "algorithm": "ppo",
        "n_trials": 1,
        "timesteps_per_trial": 1024,
        "sampler": "random",
        "pruner": "none",
        "params": {"learning_rate": {"low": 1e-5, "high": 1e-3, "log": True}},
        "config": {**tiny, "trial_eval_every_pct": 50, "trial_eval_episodes": 1, "trial_eval_max_seconds": 5},
    }
    answer = requests.post(f"{base}/api/studies", headers=headers, json=request, timeout=60)
    assert answer.status_code == 201, answer.text
    url = f"{base}/api/studies/{answer.json()['study']['id']}"

    def ended() -> dict | None:  # type: ignore[type-arg]
        study = requests.get(url, headers=headers, timeout=10).json()["study"]
        return study if study["status"] != "running" else None

    study = _wait(ended, 300, "the one-trial study")
    assert study["status"] == "completed" and study["trials"][0]["state"] == "complete", study
    return time.monotonic() - started


def test_frozen_doctor_checks_torch_through_its_own_executable(frozen: FrozenBuild, tmp_path: Path) -> None:
    """The bundle's executable is no Python interpreter: `doctor` asks its `torch-info` sub-command."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RETRO_ML_", "PYTHON", "VIRTUAL_ENV"))}
    env["RETRO_ML_DATA_DIR"] = str(tmp_path / "data")
    if os.name != "nt":
        env["PATH"] = "/usr/bin:/bin"
    done = subprocess.run([str(frozen.cli), "doctor"], env=env, capture_output=True, text=True, timeout=180)
    torch_line = next(line for line in done.stdout.splitlines() if "PyTorch" in line)
    assert torch_line.startswith("OK") and "torch 2." in torch_line, done.stdout + done.stderr
    assert "Atari ROMs" in done.stdout and "104 games" in done.stdout, done.stdout
