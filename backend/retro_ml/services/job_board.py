"""The in-memory table of one service's background jobs (video exports, model exports, model
evaluations and comparisons): each job with its thread, listed newest first, found by id,
waited for when cancelled, stopped at shutdown; the finished ones beyond a limit forgotten, and
progress events at most every `progress_interval_s` per job.

The board's `lock` also guards the jobs' own fields: a service changes a job under it, so a
reader never sees a half-made change.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from retro_ml.errors import AppError, Conflict, InvalidInput, NotFound
from retro_ml.store.entities import validate_experiment_id

CLOSING_MESSAGE = "Retro ML Trainer is closing: start it again after the app restarts."


class BoardJob(Protocol):
    id: str
    created: str
    status: str

    @property
    def is_finished(self) -> bool: ...


J = TypeVar("J", bound=BoardJob)


class JobBoard(Generic[J]):
    def __init__(self, noun: str, keep_finished: int, progress_interval_s: float = 0.25) -> None:
        self.noun = noun  # "export job", "model job": in messages
        self.lock = threading.RLock()
        self._keep_finished = keep_finished
        self._progress_interval_s = progress_interval_s
        self._jobs: dict[str, J] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._last_emit: dict[str, float] = {}
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def jobs(self) -> list[J]:
        """Newest first."""
        with self.lock:
            return sorted(self._jobs.values(), key=lambda job: job.created, reverse=True)

    def get(self, job_id: str) -> J:
        try:
            validate_experiment_id(job_id)
        except InvalidInput:
            raise InvalidInput(f"'{job_id}' is not a valid {self.noun} id.", field="id") from None
        with self.lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFound(self.noun, job_id)
        return job

    def unfinished(self, job_id: str, what: str) -> J:
        """The job, or 409 when it has ended (`what`: "This export", "This comparison")."""
        job = self.get(job_id)
        if job.is_finished:
            raise Conflict(f"{what} has already {'been ' if job.status == 'cancelled' else ''}{job.status}.")
        return job

    def any(self, predicate: Callable[[J], bool]) -> bool:
        with self.lock:
            return any(predicate(job) for job in self._jobs.values())

    def refuse_when_closed(self) -> None:
        if self._closed:
            raise AppError("shutting_down", CLOSING_MESSAGE, 503)

    def add(self, job: J, thread: threading.Thread) -> None:
        """Keep the job and its (not yet started) thread; 503 once the app is closing."""
        with self.lock:
            self.refuse_when_closed()
            self._jobs[job.id] = job
            self._threads[job.id] = thread
            finished = sorted((j for j in self._jobs.values() if j.is_finished), key=lambda j: j.created)
            for old in finished[: max(0, len(finished) - self._keep_finished)]:
                self._jobs.pop(old.id, None)
                self._threads.pop(old.id, None)
                self._last_emit.pop(old.id, None)

    def wait(self, job_id: str, seconds: float) -> None:
        thread = self._threads.get(job_id)
        if thread is not None:
            thread.join(seconds)

    def progress_due(self, job_id: str, force: bool = False) -> bool:
        """Whether a progress event may go out now (at most one every `progress_interval_s`)."""
        now = time.monotonic()
        with self.lock:
            if not force and now - self._last_emit.get(job_id, 0.0) < self._progress_interval_s:
                return False
            self._last_emit[job_id] = now
            return True

    def close(self, stop: Callable[[J], object], timeout: float) -> None:
        """No new jobs; `stop` every unfinished one and wait up to `timeout` for all the threads."""
        with self.lock:
            self._closed = True
            jobs = [job for job in self._jobs.values() if not job.is_finished]
            threads = list(self._threads.values())
        for job in jobs:
            stop(job)
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
