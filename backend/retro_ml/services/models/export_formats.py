"""The three ways to write a model version: sb3 (the zip), hf (model.share's folder) and onnx.

Each writes under a hidden temporary name in the destination (`OutputSet`) and publishes under
a free name at the end (" (2)"...), so a failure or a cancel leaves nothing; each returns the
published paths and the job's `result`. ONNX is made by the `model-export` subprocess (torch
never loads in the app), from a private copy of the model (a running training may prune its
checkpoint meanwhile); its stdout is JSON lines (commands/model_export.py).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from retro_ml.errors import AppError
from retro_ml.services.export.base import (
    ExportCancelled,
    ExportFailed,
    ExportRequest,
    OutputSet,
    SharedModel,
    copy_file,
)
from retro_ml.services.export.model_share import ModelShareExporter
from retro_ml.services.models.export_job import ModelExportJob, check_model_file, output_stem
from retro_ml.services.workers.process import start_job_process
from retro_ml.store.entities import Experiment, ModelVersion, VideoArtifact

Progress = Callable[[float, str], None]
Written = tuple[list[Path], dict[str, Any]]

ONNX_TIMEOUT_S = 15 * 60.0
SOURCE_COPY = ".source.zip"
SUBPROCESS_LOG = ".model-export.log"


def write_sb3(job: ModelExportJob, model: ModelVersion, source: Path, progress: Progress) -> Written:
    out = OutputSet(Path(job.destination), output_stem(model), (".zip",), "rename")
    try:
        total, done = max(1, source.stat().st_size), 0

        def on_bytes(count: int) -> None:
            nonlocal done
            done += count
            progress(0.95 * done / total, "copying the model")

        copy_file(source, out.temp(".zip"), job.cancelled, on_bytes)
        try:
            check_model_file(out.temp(".zip"))
        except AppError as error:  # the copy is not a model: the file changed while it was read
            raise ExportFailed(error.message) from None
        published = out.publish()
    finally:
        out.discard()
    return published, {"file": str(published[0])}


def write_hf(
    job: ModelExportJob,
    model: ModelVersion,
    source: Path,
    progress: Progress,
    experiment: Experiment,
    videos: tuple[VideoArtifact, ...],
    others: set[str | None],
) -> Written:
    """model.share's Hugging Face folder for this version (`others`: other versions' evaluation videos)."""
    request = ExportRequest(
        Path(job.destination),
        {"zip": False, "on_conflict": "rename"},
        experiment=experiment,
        videos=videos_of_version(model, videos, others),
        model=SharedModel(source, model.num_timesteps, results_of_version(model)),
    )
    published = ModelShareExporter().run(
        request, lambda fraction: progress(fraction, "writing the Hugging Face folder"), job.cancelled
    )
    return published, {"folder": str(published[0])}


def write_onnx(
    job: ModelExportJob, model: ModelVersion, source: Path, progress: Progress, command: list[str]
) -> Written:
    """`command` is the model-export command line without --model and --out-dir."""
    out = OutputSet(Path(job.destination), f"{output_stem(model)}-onnx", ("",), "rename")
    folder = out.temp("")
    try:
        folder.mkdir()
        private = folder / SOURCE_COPY
        copy_file(source, private, job.cancelled, lambda _count: None)
        progress(0.05, "starting the export process")
        full = [*command, "--model", str(private), "--out-dir", str(folder)]
        metadata = run_export_process(job, full, folder / SUBPROCESS_LOG, progress)
        private.unlink()
        (folder / SUBPROCESS_LOG).unlink(missing_ok=True)
        published = out.publish()
    finally:
        out.discard()
    final = published[0]
    result = {
        **metadata["verification"],
        "onnx_file": str(final / "model.onnx"),
        "metadata_file": str(final / "metadata.json"),
        "output_name": metadata["output"]["name"],
        "exporter": metadata["exporter"],
    }
    return published, result


def run_export_process(job: ModelExportJob, command: list[str], log_path: Path, progress: Progress) -> dict[str, Any]:
    """Run model-export to its end; its metadata, or ExportFailed / ExportCancelled."""
    with log_path.open("w", encoding="utf-8") as log_file:
        process = start_job_process(command, log_file, text=True)
    job.process = process
    if job.cancelled():  # cancelled while it started: stop() saw no process yet
        process.kill()
    timed_out = threading.Event()

    def time_out() -> None:
        timed_out.set()
        process.kill()

    watchdog = threading.Timer(ONNX_TIMEOUT_S, time_out)
    watchdog.daemon = True
    watchdog.start()
    last: dict[str, Any] = {}
    try:
        assert process.stdout is not None
        for line in process.stdout:
            message = _parse_line(line)
            if message.get("type") == "progress":
                progress(0.05 + 0.9 * float(message.get("progress", 0.0)), str(message.get("stage", "")))
            elif message.get("type") in ("result", "error"):
                last = message
        process.wait()
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
        process.wait()
        job.process = None
    if job.cancelled():
        raise ExportCancelled()
    if last.get("type") == "result" and process.returncode == 0:
        return dict(last["metadata"])
    if last.get("type") == "error":
        raise ExportFailed(str(last.get("message")))
    if timed_out.is_set():
        reason = f"it was stopped after {ONNX_TIMEOUT_S / 60:.0f} minutes"
    else:
        reason = f"exit code {process.returncode}"
    raise ExportFailed(f"The ONNX export process ended without a result ({reason}).{_tail(log_path)}")


def _parse_line(line: str) -> dict[str, Any]:
    try:
        message = json.loads(line)
    except ValueError:
        return {}  # something a library printed: not ours
    return message if isinstance(message, dict) else {}


def _tail(log_path: Path, lines: int = 3) -> str:
    try:
        text = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return (" Its last words: " + " | ".join(text[-lines:])) if text else ""


def results_of_version(model: ModelVersion) -> dict[str, Any] | None:
    """results.json for the version: its own evaluation; a final model without one: None (the run's numbers)."""
    evaluation = model.evaluation
    if evaluation is not None:
        return {
            "mean_reward": evaluation.mean_score,
            "std_reward": evaluation.std_score,
            "is_deterministic": True,
            "n_eval_episodes": evaluation.episodes,
            "eval_datetime": evaluation.evaluated,
            "source": "evaluation",
        }
    if model.kind == "final":
        return None
    return {
        "mean_reward": None,
        "std_reward": None,
        "is_deterministic": True,
        "n_eval_episodes": 0,
        "eval_datetime": None,
        "source": "none",
    }


def videos_of_version(
    model: ModelVersion, videos: tuple[VideoArtifact, ...], others: set[str | None]
) -> tuple[VideoArtifact, ...]:
    """The replay candidates (model.share takes the newest evaluation video, else the newest milestone
    clip): never another version's evaluation video; its own if it has one; for a final model the
    run's videos, for another version the milestone clips filmed up to its step."""
    own = model.evaluation.video_id if model.evaluation is not None else None
    kept = [v for v in videos if v.id not in others]
    if own is not None and any(v.id == own for v in kept):
        kept = [v for v in kept if v.type != "evaluation" or v.id == own]
    if model.kind == "final":
        return tuple(kept)
    return tuple(
        v for v in kept if v.id == own or (v.type == "milestone" and (v.metadata.timestep or 0) <= model.num_timesteps)
    )
