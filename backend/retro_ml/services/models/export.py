"""Export one model version: `POST /api/models/<id>/export {format: sb3|onnx|hf, dest}` → a job.

- sb3: the .zip, named `<game>-<algo>-<steps>.zip` in the folder.
- hf: the Hugging Face / RL Zoo folder `model.share` writes (services/export/model_share.py),
  for this version (its file, steps and evaluation) rather than the run's final model.
- onnx: a folder `<game>-<algo>-<steps>-onnx` with model.onnx, metadata.json and README.md,
  made by the `model-export` subprocess, which also plays the real game and checks that
  onnxruntime picks SB3's action on every frame; the job's `result` says how many agreed.
  A check that fails fails the job and keeps nothing.

A request problem is an AppError at once (4xx, no job): unknown format or field, a destination
that is not a writable folder, an unknown model (404), a model file that is missing or not an SB3
model (422). Once a job exists, every failure ends in the job (`failed`, with a message); files
are written as export_formats.py says (nothing half-written is ever left). Events:
`model.export.progress|complete|failed` `{"job": {...}}`, progress at most 4 a second per job.
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from retro_ml.errors import Conflict, InvalidInput, reject_unknown_fields
from retro_ml.run_contract import MODEL_EXPORT_COMPLETE, MODEL_EXPORT_FAILED, MODEL_EXPORT_PROGRESS
from retro_ml.services.events import EventBus
from retro_ml.services.export.base import ExportCancelled, ExportFailed, user_message
from retro_ml.services.export.service import Lane, parse_destination
from retro_ml.services.job_board import JobBoard
from retro_ml.services.models.export_formats import Written, write_hf, write_onnx, write_sb3
from retro_ml.services.models.export_job import FORMATS, ModelExportJob, check_model_file
from retro_ml.services.models.registry import ModelRegistry
from retro_ml.services.videos import VideoRegistry
from retro_ml.services.workers.process import app_command
from retro_ml.store.entities import ModelVersion, utc_now
from retro_ml.store.model_store import ModelFilter
from retro_ml.store.video_store import VideoFilter

log = logging.getLogger(__name__)

ONNX_ALGORITHMS = ("PPO", "DQN")
REQUEST_FIELDS = frozenset({"format", "dest", "destination"})
PROGRESS_INTERVAL_S = 0.25
KEEP_FINISHED_JOBS = 100
CANCEL_WAIT_S = 10.0
CHECK_FRAMES = 200  # game steps the ONNX file is checked on


class ModelExportService:
    def __init__(
        self,
        models: ModelRegistry,
        videos: VideoRegistry,
        bus: EventBus,
        check_frames: int = CHECK_FRAMES,
        command: Callable[..., list[str]] = app_command,
    ) -> None:
        self._models = models
        self._videos = videos
        self._bus = bus
        self._check_frames = check_frames
        self._command = command
        self._board: JobBoard[ModelExportJob] = JobBoard("model export job", KEEP_FINISHED_JOBS, PROGRESS_INTERVAL_S)
        self._lock = self._board.lock
        self._lanes = {"onnx": Lane(1), "copy": Lane(2)}  # torch takes every core: one ONNX export at a time

    # ---- jobs ---------------------------------------------------------------------------
    def jobs(self) -> list[ModelExportJob]:
        """Newest first."""
        return self._board.jobs()

    def get(self, job_id: str) -> ModelExportJob:
        return self._board.get(job_id)

    def cancel(self, job_id: str) -> ModelExportJob:
        """Stop the job (its subprocess killed) and wait briefly until its temporary files are gone."""
        job = self._board.unfinished(job_id, "This export")
        job.stop()
        self._board.wait(job_id, CANCEL_WAIT_S)
        return job

    def shutdown(self, timeout: float = 15.0) -> None:
        """Stop every unfinished job (no export process outlives the app) and wait for their threads."""
        self._board.close(lambda job: job.stop(), timeout)

    # ---- starting -----------------------------------------------------------------------
    def export(self, model_id: str, payload: Any) -> ModelExportJob:
        model = self._models.get(model_id)  # 404 (400 for a malformed id) first: the URL names it
        export_format, destination = self._parse(payload, model)
        source = self._models.model_file(model_id)  # 422 model_file_missing
        check_model_file(source)  # 422 model_file_corrupt
        try:
            needed = source.stat().st_size * 2  # the copy (an ONNX file is smaller) with room to spare
            free = shutil.disk_usage(destination).free
        except OSError as error:
            raise Conflict(f"The export could not be prepared ({error.strerror or error}): try again.") from None
        if needed > free:
            raise InvalidInput(
                f"Not enough free space in {destination}: the export needs about {needed / 1e6:,.1f} MB and "
                f"{free / 1e6:,.1f} MB are free.",
                field="dest",
            )
        label = f"{model.name or model.game} · {model.algorithm} · {model.num_timesteps:,} steps"
        job = ModelExportJob(model.id, model.experiment_id, export_format, str(destination), label)
        thread = threading.Thread(target=self._run, args=(job, model, source), name=f"model-export-{job.id}")
        thread.daemon = True
        self._board.add(job, thread)
        thread.start()
        return job

    @staticmethod
    def _parse(payload: Any, model: ModelVersion) -> tuple[str, Path]:
        if not isinstance(payload, dict):
            raise InvalidInput('Send {"format": "sb3" | "onnx" | "hf", "dest": "/absolute/folder"}.')
        reject_unknown_fields(payload, REQUEST_FIELDS)
        export_format = payload.get("format")
        if export_format not in FORMATS:
            raise InvalidInput(
                f"Unknown format '{export_format}': use sb3 (the model zip), onnx (the policy network) "
                "or hf (the Hugging Face folder).",
                field="format",
            )
        if export_format == "onnx" and model.algorithm.upper() not in ONNX_ALGORITHMS:
            raise InvalidInput(
                f"ONNX export takes PPO and DQN models; this one is {model.algorithm}: export it as sb3 or hf.",
                field="format",
            )
        try:
            destination = parse_destination(payload.get("dest", payload.get("destination")))
        except InvalidInput as error:
            raise InvalidInput(error.message, field="dest") from None
        except OSError as error:  # a name too long for the file system, a path through a file...
            raise InvalidInput(f"That folder cannot be used ({error.strerror or error}).", field="dest") from None
        return str(export_format), destination

    # ---- the job thread -------------------------------------------------------------------
    def _run(self, job: ModelExportJob, model: ModelVersion, source: Path) -> None:
        lane = self._lanes["onnx" if job.format == "onnx" else "copy"]
        if not lane.acquire(job.id, job.cancelled):
            self._finish(job, "cancelled", "Cancelled before it started: nothing was written.")
            return
        try:
            if job.cancelled():
                raise ExportCancelled()
            with self._lock:
                job.status, job.started, job.stage = "running", utc_now(), "starting"
            self._emit_progress(job, force=True)
            paths, result = self._write(job, model, source)
            with self._lock:
                job.output_paths, job.result, job.progress, job.stage = [str(p) for p in paths], result, 1.0, "done"
            self._finish(job, "completed")
        except ExportCancelled:
            self._finish(job, "cancelled", "Cancelled: nothing was written.")
        except ExportFailed as error:
            self._finish(job, "failed", str(error))
        except OSError as error:
            self._finish(job, "failed", user_message(error, Path(job.destination)))
        except Exception as error:  # noqa: BLE001 - a job's failure is reported in the job, never raised
            log.exception("model export %s (%s) failed", job.id, job.format)
            self._finish(job, "failed", f"The export failed unexpectedly ({type(error).__name__}: {error}).")
        finally:
            lane.release()

    def _write(self, job: ModelExportJob, model: ModelVersion, source: Path) -> Written:
        def progress(fraction: float, stage: str) -> None:
            self._on_progress(job, fraction, stage)

        if job.format == "sb3":
            return write_sb3(job, model, source, progress)
        if job.format == "hf":
            versions = self._models.list(ModelFilter(experiment_id=model.experiment_id))
            others = {v.evaluation.video_id for v in versions if v.id != model.id and v.evaluation is not None}
            videos = tuple(self._videos.list(VideoFilter(experiment_id=model.experiment_id)))
            return write_hf(job, model, source, progress, self._models.experiment_of(model), videos, others)
        command = self._command(
            "model-export",
            *("--algorithm", model.algorithm.upper(), "--env-id", model.env_id, "--game", model.game),
            *("--steps", str(model.num_timesteps), "--frames", str(self._check_frames)),
        )
        return write_onnx(job, model, source, progress, command)

    # ---- progress and the end -----------------------------------------------------------------
    def _on_progress(self, job: ModelExportJob, fraction: float, stage: str) -> None:
        with self._lock:
            job.progress = max(job.progress, min(0.99, fraction))
            job.stage = stage
        self._emit_progress(job)

    def _emit_progress(self, job: ModelExportJob, force: bool = False) -> None:
        if not self._board.progress_due(job.id, force):
            return
        with self._lock:
            payload = {"job": job.to_dict()}
        self._bus.publish(MODEL_EXPORT_PROGRESS, payload)

    def _finish(self, job: ModelExportJob, status: str, error: str | None = None) -> None:
        with self._lock:
            job.status, job.error, job.finished = status, error, utc_now()
            payload = {"job": job.to_dict()}
        self._bus.publish(MODEL_EXPORT_COMPLETE if status == "completed" else MODEL_EXPORT_FAILED, payload)
