"""Evaluation and comparison jobs: `retro-ml model-job` subprocesses, followed from a thread each.

A request is checked first (job_requests.py: a problem is a 4xx and no job exists). Then the
model files are copied into the job's work folder, `<run>/videos/.model-job-<job id>/`, at
once, in the request: a checkpoint that its still-training run prunes a second later is still
evaluated, and the run is not disturbed. The subprocess (training/model_job.py) plays the games
there and renames its video into `<run>/videos/` at the very end; the work folder always goes
when the job ends. Up to `RUNNING_JOBS` subprocesses run at once (the others wait, `queued`).

The job table lives in memory. Each change is an event: `model.evaluation.*` or
`model.comparison.*` with `{"job": job.to_dict()}`, progress at most 4 times a second. Cancel
(and the app's shutdown) terminates the subprocess (SIGTERM: it drops its half-recorded video),
kills it if it does not end in time, and removes the work folder and any file of this job. A work
folder left by a killed app goes when the next job starts in that videos/ folder.
A finished job becomes its result (job_results.py): the evaluation stored on the version, the
videos registered as VideoArtifacts.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retro_ml.errors import AppError
from retro_ml.run_contract import VIDEOS_DIR
from retro_ml.services.events import EventBus
from retro_ml.services.export.service import Lane
from retro_ml.services.job_board import JobBoard
from retro_ml.services.models.job_requests import (
    GamesRequest,
    checked_model_file,
    label_of,
    parse_compare,
    parse_evaluate,
    same_game,
)
from retro_ml.services.models.job_results import JobResults
from retro_ml.services.models.registry import ModelRegistry
from retro_ml.services.workers.process import app_command, start_job_process
from retro_ml.store.entities import ModelVersion, new_experiment_id, utc_now

log = logging.getLogger(__name__)

JOB_KINDS = ("evaluation", "comparison")
FINISHED_STATUSES = frozenset({"completed", "failed", "cancelled"})
PROGRESS_INTERVAL_S = 0.25  # at most 4 progress events a second per job
RUNNING_JOBS = 2
STOP_WAIT_S = 10.0
KEEP_FINISHED_JOBS = 200
WORK_DIR_PREFIX = ".model-job-"
RECORDING_SHARE = 0.15  # of the progress bar, when the job films its games
LOG_TAIL_LINES = 8


@dataclass
class ModelJob:
    kind: str  # "evaluation" | "comparison"
    model_ids: list[str]
    games: GamesRequest
    experiment_id: str  # whose run folder gets the video (a comparison: the first model's)
    id: str = field(default_factory=new_experiment_id)
    status: str = "queued"
    stage: str = "queued"  # queued, playing, recording, done
    progress: float = 0.0
    games_done: int = 0
    games_total: int = 0
    result: dict[str, Any] | None = None
    error: str | None = None
    created: str = field(default_factory=utc_now)
    started: str | None = None
    finished: str | None = None
    cancel_requested: threading.Event = field(default_factory=threading.Event, repr=False)
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "model_ids": list(self.model_ids),
            "experiment_id": self.experiment_id,
            **self.games.to_dict(),
            "status": self.status,
            "stage": self.stage,
            "progress": round(self.progress, 4),
            "games_done": self.games_done,
            "games_total": self.games_total,
            "result": self.result,
            "created": self.created,
            "started": self.started,
            "finished": self.finished,
        }
        if self.error is not None:
            body["error"] = self.error
        return body


class ModelJobs:
    def __init__(self, registry: ModelRegistry, results: JobResults, bus: EventBus, videos_fallback: Path) -> None:
        self._registry = registry
        self._results = results
        self._bus = bus
        self._videos_fallback = videos_fallback  # for a model whose experiment has no run folder
        self._board: JobBoard[ModelJob] = JobBoard("model job", KEEP_FINISHED_JOBS, PROGRESS_INTERVAL_S)
        self._lane = Lane(RUNNING_JOBS)

    # ---- the job table -----------------------------------------------------------------
    def jobs(self) -> list[ModelJob]:
        """Newest first."""
        return self._board.jobs()

    def get(self, job_id: str) -> ModelJob:
        return self._board.get(job_id)

    def cancel(self, job_id: str) -> ModelJob:
        """Stop the job and wait (briefly) until its process is gone and its files removed."""
        job = self._board.get(job_id)
        self._board.unfinished(job_id, f"This {job.kind}")
        self._stop(job)
        self._board.wait(job_id, STOP_WAIT_S + 5)
        return job

    def shutdown(self, timeout: float = 15.0) -> None:
        """Cancel every unfinished job and wait for them: no job process outlives the app."""
        self._board.close(self._stop, timeout)

    # ---- starting ----------------------------------------------------------------------
    def evaluate(self, model_id: str, payload: Any) -> ModelJob:
        model = self._registry.get(model_id)
        games = parse_evaluate(payload)
        return self._start("evaluation", [model], games)

    def compare(self, payload: Any) -> ModelJob:
        ids, games = parse_compare(payload)
        models = [self._registry.get(model_id) for model_id in ids]
        same_game(models)
        return self._start("comparison", models, games)

    def _start(self, kind: str, models: list[ModelVersion], games: GamesRequest) -> ModelJob:
        sources = [checked_model_file(self._registry, model) for model in models]
        owner = models[0]
        job = ModelJob(
            kind=kind,
            model_ids=[m.id for m in models],
            games=games,
            experiment_id=owner.experiment_id,
            games_total=games.episodes * len(models),
        )
        destination = self._videos_dir(owner)
        self._remove_stale_work_dirs(destination)
        work_dir = destination / f"{WORK_DIR_PREFIX}{job.id}"
        try:
            work_dir.mkdir(parents=True)
            copies = [self._copy(source, work_dir / f"model_{index}.zip") for index, source in enumerate(sources)]
        except BaseException:
            shutil.rmtree(work_dir, ignore_errors=True)
            raise
        video_name = f"evaluation_{owner.id}_{job.id}" if kind == "evaluation" else f"comparison_{job.id}"
        spec = {
            "kind": "evaluate" if kind == "evaluation" else "compare",
            "env_id": owner.env_id,
            "models": [
                {"path": str(copy), "algorithm": model.algorithm, "label": label_of(model)}
                for copy, model in zip(copies, models, strict=True)
            ],
            **games.to_dict(),
            "work_dir": str(work_dir),
            "destination": str(destination),
            "video_name": f"{video_name}.mp4",
            "thumbnail_name": f"{video_name}.png",
        }
        (work_dir / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
        thread = threading.Thread(
            target=self._run, args=(job, models, work_dir, spec), daemon=True, name=f"model-job-{job.id}"
        )
        try:
            self._board.add(job, thread)
        except AppError:  # the app is closing
            shutil.rmtree(work_dir, ignore_errors=True)
            raise
        self._publish(job, "progress", force=True)
        thread.start()
        return job

    def _videos_dir(self, model: ModelVersion) -> Path:
        run_dir = self._registry.experiment_of(model).run_dir
        return Path(run_dir) / VIDEOS_DIR if run_dir else self._videos_fallback

    def _remove_stale_work_dirs(self, destination: Path) -> None:
        """Work folders no job of this process owns: left by an app that was killed mid-job (its job
        process stops by itself once its parent is gone). Only one main process serves a data dir."""
        live = {f"{WORK_DIR_PREFIX}{job.id}" for job in self._board.jobs() if not job.is_finished}
        for folder in destination.glob(f"{WORK_DIR_PREFIX}*"):
            if folder.name not in live and folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)

    @staticmethod
    def _copy(source: Path, target: Path) -> Path:
        try:
            shutil.copyfile(source, target)
        except FileNotFoundError:
            raise AppError(
                "model_file_missing", f"The model file {source} was removed just now (a pruned checkpoint?).", 422
            ) from None
        except OSError as exc:
            raise AppError(
                "model_copy_failed", f"Could not copy {source} for the job: {exc.strerror or exc}.", 507
            ) from exc
        return target

    # ---- running -----------------------------------------------------------------------
    def _run(self, job: ModelJob, models: list[ModelVersion], work_dir: Path, spec: dict[str, Any]) -> None:
        outcome: dict[str, Any] | None = None
        message: str | None = None
        try:
            if not self._lane.acquire(job.id, job.cancel_requested.is_set):
                return
            try:
                outcome, message = self._follow(job, work_dir)
            finally:
                self._lane.release()
            if job.cancel_requested.is_set():
                return
            if outcome is not None:
                job.stage = "saving"
                job.result = self._results.finish(job.kind, job.experiment_id, models, job.games, outcome)
        except AppError as error:
            message = error.message
        except Exception as exc:  # noqa: BLE001 - a job ends failed with a message, never silently
            log.exception("model job %s failed", job.id)
            message = f"{type(exc).__name__}: {exc}"
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)
            self._end(job, spec, message if job.result is None else None)

    def _follow(self, job: ModelJob, work_dir: Path) -> tuple[dict[str, Any] | None, str | None]:
        """Start the subprocess, turn its lines into progress; (its result, or None and why it failed)."""
        log_path = work_dir / "job.log"
        with log_path.open("wb") as log_file:
            command = app_command("model-job", str(work_dir / "spec.json"))
            process = start_job_process(command, log_file, cwd=work_dir, new_session=True)
        job.process = process
        job.status, job.stage, job.started = "running", "playing", utc_now()
        if job.cancel_requested.is_set():  # cancelled while it started
            self._terminate(process)
        self._publish(job, "progress", force=True)
        result: dict[str, Any] | None = None
        failure: str | None = None
        assert process.stdout is not None
        for raw in process.stdout:
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            if not isinstance(line, dict):
                continue
            if line.get("type") == "progress":
                self._progress(job, line)
            elif line.get("type") == "result":
                result = line
            elif line.get("type") == "failed":
                failure = str(line.get("message") or "The job failed.")
        code = process.wait()
        if result is None and failure is None:
            failure = f"The job's process ended unexpectedly (exit code {code}).{_log_tail(log_path)}"
        return result, failure

    def _progress(self, job: ModelJob, line: dict[str, Any]) -> None:
        total = max(1, int(line.get("total") or job.games_total))
        job.games_done = int(line.get("done") or 0)
        played = job.games_done / total
        if line.get("stage") == "recording":
            job.stage = "recording"
        job.progress = played * (1 - RECORDING_SHARE) if job.games.record else played
        if job.stage == "recording":
            job.progress = 1 - RECORDING_SHARE
        self._publish(job, "progress")

    def _stop(self, job: ModelJob) -> None:
        job.cancel_requested.set()
        if job.process is not None and job.process.poll() is None:
            threading.Thread(target=self._terminate, args=(job.process,), daemon=True).start()

    @staticmethod
    def _terminate(process: subprocess.Popen[bytes]) -> None:
        process.terminate()
        try:
            process.wait(STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _end(self, job: ModelJob, spec: dict[str, Any], message: str | None) -> None:
        job.finished = utc_now()
        if job.cancel_requested.is_set() and job.result is None:
            job.status, job.stage = "cancelled", "done"
            for name in (spec["video_name"], spec["thumbnail_name"]):  # renamed in just before it stopped
                Path(spec["destination"], name).unlink(missing_ok=True)
            self._publish(job, "failed", force=True)
        elif job.result is not None:
            job.status, job.stage, job.progress = "completed", "done", 1.0
            self._publish(job, "complete", force=True)
        else:
            job.status, job.stage, job.error = "failed", "done", message or "The job failed."
            self._publish(job, "failed", force=True)

    def _publish(self, job: ModelJob, what: str, force: bool = False) -> None:
        if not self._board.progress_due(job.id, force):
            return
        self._bus.publish(f"model.{job.kind}.{what}", {"job": job.to_dict()})


def _log_tail(path: Path) -> str:
    try:
        lines = [line for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return (" It said: " + " / ".join(lines[-LOG_TAIL_LINES:])) if lines else ""
