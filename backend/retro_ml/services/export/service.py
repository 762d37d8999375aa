"""The export service: validates export requests, runs each job in its own thread, keeps a job
table in memory and tells every client how jobs go (`export.progress`, `.complete`, `.failed`).

A request problem (unknown exporter, bad folder, unknown video, a taken name with
on_conflict "fail") is an `AppError` at once, so the API answers with a 4xx and no job exists.
Once a job exists every failure ends in the job (`failed` with a message), never in a 500.
Re-encoding jobs run one at a time (ffmpeg uses every core already); copies two at a time.
A cancelled job kills its ffmpeg and removes its temporary files before it reports.
"""

from __future__ import annotations

import collections
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from retro_ml.errors import AppError, Conflict, InvalidInput, NotFound, reject_unknown_fields
from retro_ml.run_contract import EVALUATION_VIDEO
from retro_ml.services.events import EXPORT_COMPLETE, EXPORT_FAILED, EXPORT_PROGRESS, EventBus
from retro_ml.services.export.base import (
    ExportCancelled,
    Exporter,
    ExportFailed,
    ExportRequest,
    user_message,
)
from retro_ml.services.export.copy import VideoCopyExporter
from retro_ml.services.export.jobs import ExportJob
from retro_ml.services.export.model_share import ModelShareExporter
from retro_ml.services.export.twitter import TwitterExporter
from retro_ml.services.export.youtube import YouTubeExporter
from retro_ml.services.job_board import JobBoard
from retro_ml.services.videos import VideoLibrary, VideoRegistry
from retro_ml.services.videos.library import parse_ids
from retro_ml.store.entities import Experiment, VideoArtifact, utc_now
from retro_ml.store.experiment_store import ExperimentStore
from retro_ml.store.video_store import VideoFilter

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.25  # at most 4 export.progress events a second per job
KEEP_FINISHED_JOBS = 200
CANCEL_WAIT_S = 10.0
REQUEST_FIELDS = frozenset({"exporter", "destination", "dest", "options"})


def default_exporters() -> list[Exporter]:
    return [VideoCopyExporter(), YouTubeExporter(), TwitterExporter(), ModelShareExporter()]


def parse_destination(value: Any) -> Path:
    """An existing folder this process can write in, given as an absolute path."""
    where = "destination"
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("Choose a destination folder (its absolute path).", field=where)
    if "\x00" in value:
        raise InvalidInput("The destination folder path contains a NUL character.", field=where)
    path = Path(value)
    if not path.is_absolute():
        raise InvalidInput(
            f"'{value}' is not an absolute folder path (like C:\\Users\\you\\Videos or /home/you/Videos).", field=where
        )
    try:
        exists = path.exists()
    except OSError as error:  # e.g. a name too long for the file system
        raise InvalidInput(f"The folder '{value}' cannot be used ({error.strerror}).", field=where) from None
    if not exists:
        raise InvalidInput(f"The folder '{value}' does not exist: create it first or choose another.", field=where)
    if not path.is_dir():
        raise InvalidInput(f"'{value}' is a file, not a folder.", field=where)
    try:  # a real write: os.access is unreliable with Windows ACLs and read-only mounts
        handle, probe = tempfile.mkstemp(dir=path, prefix=".retro-ml-write-test-")
        os.close(handle)
        os.unlink(probe)
    except OSError:
        raise InvalidInput(
            f"Retro ML Trainer may not write in '{value}': choose another folder.", field=where
        ) from None
    return path.resolve()


class Lane:
    """Slots for jobs, given out first come, first served (a Semaphore wakes waiters in any order)."""

    def __init__(self, slots: int) -> None:
        self._free = slots
        self._waiting: collections.deque[str] = collections.deque()
        self._changed = threading.Condition()

    def acquire(self, job_id: str, cancelled: Callable[[], bool]) -> bool:
        """Wait for a slot and this job's turn; False if it was cancelled while waiting."""
        with self._changed:
            self._waiting.append(job_id)
            try:
                while not (self._free > 0 and self._waiting[0] == job_id):
                    if cancelled():
                        return False
                    self._changed.wait(0.2)
                self._waiting.popleft()
                self._free -= 1
                return True
            finally:
                if job_id in self._waiting:  # cancelled: the next in line may go
                    self._waiting.remove(job_id)
                    self._changed.notify_all()

    def release(self) -> None:
        with self._changed:
            self._free += 1
            self._changed.notify_all()


class ExportService:
    def __init__(
        self,
        registry: VideoRegistry,
        library: VideoLibrary,
        experiments: ExperimentStore,
        bus: EventBus,
        exporters: Sequence[Exporter] | None = None,
        heavy_slots: int = 1,
        light_slots: int = 2,
    ) -> None:
        self._registry = registry
        self._library = library
        self._experiments = experiments
        self._bus = bus
        self._exporters = {e.id: e for e in (exporters if exporters is not None else default_exporters())}
        self._board: JobBoard[ExportJob] = JobBoard("export job", KEEP_FINISHED_JOBS, PROGRESS_INTERVAL_S)
        self._lock = self._board.lock
        self._lanes = {True: Lane(heavy_slots), False: Lane(light_slots)}
        library.add_guard(self._busy_reason)

    # ---- catalogue and jobs ----------------------------------------------------------
    def catalog(self) -> list[dict[str, Any]]:
        return [exporter.to_dict() for exporter in self._exporters.values()]

    def jobs(self) -> list[ExportJob]:
        """Newest first."""
        return self._board.jobs()

    def get(self, job_id: str) -> ExportJob:
        return self._board.get(job_id)

    def cancel(self, job_id: str) -> ExportJob:
        """Ask the job to stop and wait (briefly) until it has: ffmpeg killed, partial files removed."""
        job = self._board.unfinished(job_id, "This export")
        job.cancel_requested.set()
        self._board.wait(job_id, CANCEL_WAIT_S)
        return job

    def shutdown(self, timeout: float = 15.0) -> None:
        """Cancel every unfinished job and wait for their threads (no ffmpeg outlives the app)."""
        self._board.close(lambda job: job.cancel_requested.set(), timeout)

    # ---- starting exports ------------------------------------------------------------
    def export_video(self, video_id: str, payload: Any) -> ExportJob:
        exporter, destination, options = self._parse(payload, "video")
        return self._start_video(video_id, exporter, destination, options)

    def export_videos(self, payload: Any) -> tuple[list[ExportJob], list[dict[str, Any]]]:
        """A batch: one job per video. Request problems are a 4xx; a bad id is listed in the errors."""
        if not isinstance(payload, dict):
            raise InvalidInput('Send {"ids": [...], "exporter": "video.copy", "destination": "/folder"}.')
        ids = parse_ids(payload.get("ids"))
        exporter, destination, options = self._parse({k: v for k, v in payload.items() if k != "ids"}, "video")
        jobs: list[ExportJob] = []
        errors: list[dict[str, Any]] = []
        for video_id in ids:
            try:
                jobs.append(self._start_video(video_id, exporter, destination, options))
            except AppError as error:
                errors.append({"id": video_id, "error": error.to_dict()})
        return jobs, errors

    def export_experiment(self, experiment_id: str, payload: Any) -> ExportJob:
        exporter, destination, options = self._parse(payload, "experiment")
        experiment = self._experiments.get(experiment_id)
        # The run's own end-of-run evaluation, never one of a checkpoint's (Models tab) evaluations.
        videos = tuple(
            v
            for v in self._registry.list(VideoFilter(experiment_id=experiment_id))
            if v.type != "evaluation" or Path(v.path).name == EVALUATION_VIDEO
        )
        request = ExportRequest(destination, options, experiment=experiment, videos=videos)
        self._check(exporter, request)
        return self._add(
            ExportJob(
                exporter.id,
                str(destination),
                options,
                request,
                experiment_id=experiment_id,
                name=experiment.name,
            ),
            exporter,
        )

    def _start_video(self, video_id: str, exporter: Exporter, destination: Path, options: dict[str, Any]) -> ExportJob:
        # Under the video's lock: a rename or delete cannot slip in between reading its path and the
        # job being listed (from then on the library's guard refuses them until the job ends).
        with self._library.locked(video_id):
            video = self._registry.get(video_id)
            source = self._registry.file_of(video_id)
            experiment = self._experiment_or_none(video.experiment_id)
            videos = tuple(self._registry.list(VideoFilter(experiment_id=video.experiment_id)))
            request = ExportRequest(
                destination, options, video=video, source=source, experiment=experiment, videos=videos
            )
            self._check(exporter, request)
            job = ExportJob(exporter.id, str(destination), options, request, video_id=video_id, name=video.name)
            return self._add(job, exporter)

    def _parse(self, payload: Any, target: str) -> tuple[Exporter, Path, dict[str, Any]]:
        if not isinstance(payload, dict):
            raise InvalidInput('Send {"exporter": "video.copy", "destination": "/absolute/folder"}.')
        reject_unknown_fields(payload, REQUEST_FIELDS)
        exporter_id = payload.get("exporter")
        exporter = self._exporters.get(exporter_id) if isinstance(exporter_id, str) else None
        if exporter is None:
            choices = ", ".join(e.id for e in self._exporters.values() if e.target == target)
            raise InvalidInput(f"Unknown exporter '{exporter_id}': use one of {choices}.", field="exporter")
        if exporter.target != target:
            where = (
                "POST /api/experiments/<id>/export"
                if exporter.target == "experiment"
                else "POST /api/videos/<id>/export"
            )
            raise InvalidInput(f"'{exporter.id}' exports an {exporter.target}: use {where}.", field="exporter")
        options = exporter.parse_options(payload.get("options"))
        destination = parse_destination(payload.get("destination", payload.get("dest")))
        return exporter, destination, options

    def _check(self, exporter: Exporter, request: ExportRequest) -> None:
        self._board.refuse_when_closed()
        reason = exporter.accepts(request)
        if reason:
            raise Conflict(reason)
        exporter.check_free(request)
        try:
            needed = exporter.bytes_needed(request)
            free = shutil.disk_usage(request.destination).free
        except OSError as error:  # a file or the folder vanished since it was checked
            raise Conflict(f"The export could not be prepared ({error.strerror or error}): try again.") from None
        if needed > free:
            raise InvalidInput(
                f"Not enough free space in {request.destination}: the export needs {needed / 1e6:,.1f} MB and "
                f"{free / 1e6:,.1f} MB are free.",
                field="destination",
            )

    def _experiment_or_none(self, experiment_id: str) -> Experiment | None:
        try:
            return self._experiments.get(experiment_id)
        except NotFound:
            return None

    def _add(self, job: ExportJob, exporter: Exporter) -> ExportJob:
        thread = threading.Thread(target=self._run, args=(job, exporter), name=f"export-{job.id}", daemon=True)
        self._board.add(job, thread)
        thread.start()
        return job

    def _busy_reason(self, video: VideoArtifact) -> str | None:
        """The library's guard: no rename or delete while an export reads the video."""
        if self._board.any(lambda j: j.video_id == video.id and not j.is_finished):
            return f"'{video.name}' is being exported: wait for the export to finish or cancel it, then try again."
        return None

    # ---- the job thread --------------------------------------------------------------
    def _run(self, job: ExportJob, exporter: Exporter) -> None:
        lane = self._lanes[exporter.heavy]
        if not lane.acquire(job.id, job.cancel_requested.is_set):
            self._finish(job, "cancelled", "Cancelled before it started: nothing was written.")
            return
        try:
            if job.cancel_requested.is_set():
                self._finish(job, "cancelled", "Cancelled before it started: nothing was written.")
                return
            with self._lock:
                job.status, job.started = "running", utc_now()
            self._emit_progress(job, force=True)
            paths = exporter.run(job.request, lambda f: self._on_progress(job, f), job.cancel_requested.is_set)
            with self._lock:
                job.output_paths = [str(p) for p in paths]
                job.progress = 1.0
            self._finish(job, "completed")
        except ExportCancelled:
            self._finish(job, "cancelled", "Cancelled: the partial files were removed.")
        except ExportFailed as error:
            self._finish(job, "failed", str(error))
        except OSError as error:
            self._finish(job, "failed", user_message(error, job.request.destination))
        except Exception as error:  # noqa: BLE001 - a job's failure is reported in the job, never raised
            log.exception("export %s (%s) failed", job.id, job.exporter)
            self._finish(job, "failed", f"The export failed unexpectedly ({type(error).__name__}: {error}).")
        finally:
            lane.release()

    def _on_progress(self, job: ExportJob, fraction: float) -> None:
        with self._lock:
            job.progress = max(job.progress, min(1.0, fraction))
        self._emit_progress(job)

    def _emit_progress(self, job: ExportJob, force: bool = False) -> None:
        if not self._board.progress_due(job.id, force):
            return
        with self._lock:
            payload = {"job": job.to_dict()}
        self._bus.publish(EXPORT_PROGRESS, payload)

    def _finish(self, job: ExportJob, status: str, error: str | None = None) -> None:
        with self._lock:
            job.status, job.error, job.finished = status, error, utc_now()
            payload = {"job": job.to_dict()}
        self._bus.publish(EXPORT_COMPLETE if status == "completed" else EXPORT_FAILED, payload)
