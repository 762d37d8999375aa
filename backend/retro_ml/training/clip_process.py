"""Milestone clips and the evaluation beside training: the clip recorder process, and the worker's handle on it.

Playing and recording a clip takes 5-15 s of CPU. With spare cores (`clips_beside_training`)
the worker does not stop training for it: at a milestone it saves the current policy to a
hidden temporary file in `videos/` (written, fsync'ed, renamed) and hands the clip to ONE
recorder process, `retro-ml worker --run-dir DIR --clips` (the app's own executable when
frozen), started at the first milestone and kept for the run. The recorder loads the policy
(same algorithm, on the CPU), plays and records the clip exactly as the worker would
(training/milestones.py, training/episodes.py), deletes the temporary file and sends the
report back; the worker writes it to events.jsonl, whose only writer it stays. Clips are
recorded one at a time, in order: a later milestone waits its turn, none is skipped. At the
end of a completed run the 100% clip and the evaluation (training/evaluation.py) follow the
queued clips in the same process when it is up, and the worker waits for them before it
reports `completed`. On a 2-core machine the clips stay in the worker, training paused: a
second process there only takes the cores training needs and adds its own start-up.

The channel is the recorder's stdin and stdout: one JSON job a line in (`milestone`,
`evaluation`, then `finish`: do what is queued and exit), one `{"report": ...}` line out
per job (null when a stop request cut the job short). Its stderr, and everything else it
prints, goes to worker.log. stdin closing without `finish` means stop now: the worker
stopped, or died (kill -9 closes the pipe too; on POSIX the recorder also notices its
parent is gone). While the worker is paused (suspended), the recorder waits too.
`RETRO_ML_CLIP_RECORDER=process|inline` overrides the choice by cores (tests, benchmarks).
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from retro_ml.run_contract import VIDEOS_DIR, Report, VideoFailedReport, clip_model_file_name
from retro_ml.training.reporting import ReportWriter, json_safe

CLIP_RECORDER_ENV = "RETRO_ML_CLIP_RECORDER"  # "process" | "inline"; absent or "auto": by cores
MIN_CPUS_BESIDE_TRAINING = 4
STOP_WAIT_SECONDS = 10.0
PARENT_CHECK_SECONDS = 0.5


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def clips_beside_training(settings: dict[str, Any]) -> bool:
    """Record clips in the recorder process (spare cores) or in the worker (see the module doc)."""
    choice = os.environ.get(CLIP_RECORDER_ENV, "auto").strip().lower()
    if choice in ("process", "inline"):
        return choice == "process"
    torch_threads = int(settings.get("torch_threads") or 2)
    return available_cpus() >= max(MIN_CPUS_BESIDE_TRAINING, torch_threads + 2)


def clip_recorder_command(run_dir: Path) -> list[str]:
    """`retro-ml worker --run-dir DIR --clips`: this executable when frozen (it has the
    sub-commands and is no Python interpreter), else this Python with `-m retro_ml`."""
    args = ["worker", "--run-dir", str(run_dir), "--clips"]
    if getattr(sys, "frozen", False):
        return [sys.executable, *args]
    return [sys.executable, "-m", "retro_ml", *args]


def remove_clip_models(run_dir: Path) -> None:
    """Temporary policies no recorder will read any more."""
    for path in (run_dir / VIDEOS_DIR).glob(clip_model_file_name("*")):
        try:
            path.unlink()
        except OSError:
            pass


class ClipRecorderProcess:
    """The worker's side: starts the recorder at the first job, queues jobs, writes their reports."""

    def __init__(self, run_dir: Path, reporter: ReportWriter) -> None:
        self.run_dir = run_dir
        self.reporter = reporter
        self._process: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None
        self._pending: deque[dict[str, Any]] = deque()
        self._lock = threading.Lock()
        self._stopping = False

    @property
    def started(self) -> bool:
        return self._process is not None

    def submit_current_policy(self, model: Any, pct: float, timestep: int, seed: int) -> None:
        """Save `model` under a temporary name the recorder deletes when done, and queue its clip."""
        from retro_ml.training.checkpoints import save_model_file
        from retro_ml.training.milestones import pct_label

        directory = self.run_dir / VIDEOS_DIR
        directory.mkdir(exist_ok=True)
        label = pct_label(pct)
        final = directory / clip_model_file_name(label)
        save_model_file(model, final, directory / clip_model_file_name(f"{label}.saving"))
        job = {"kind": "milestone", "model": str(final), "pct": pct, "timestep": timestep, "seed": seed}
        self._submit({**job, "temporary": True})

    def submit_milestone(self, model_path: Path, pct: float, timestep: int, seed: int) -> None:
        self._submit({"kind": "milestone", "model": str(model_path), "pct": pct, "timestep": timestep, "seed": seed})

    def submit_evaluation(self, model_path: Path, timestep: int) -> None:
        self._submit({"kind": "evaluation", "model": str(model_path), "timestep": timestep})

    def _submit(self, job: dict[str, Any]) -> None:
        process = self._ensure_started()
        assert process.stdin is not None
        with self._lock:
            self._pending.append(job)
        try:
            process.stdin.write((json.dumps(job) + "\n").encode("utf-8"))
            process.stdin.flush()
        except OSError:
            with self._lock:
                self._pending.remove(job)
            raise

    def _ensure_started(self) -> subprocess.Popen[bytes]:
        if self._process is not None and self._process.poll() is None:
            return self._process
        if self._process is not None:  # it died: what it had is reported lost; start a fresh one
            self._join()
        from retro_ml.training.video.encoder import lower_priority

        self._process = subprocess.Popen(
            clip_recorder_command(self.run_dir),
            cwd=self.run_dir,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,  # the reports; its stderr (inherited) is worker.log
        )
        lower_priority(self._process.pid)  # training first; clips take the time it leaves
        assert self._process.stdout is not None
        self._reader = threading.Thread(target=self._read_reports, args=(self._process,), daemon=True)
        self._reader.start()
        print(f"clip recorder process {self._process.pid} started", flush=True)
        return self._process

    def _read_reports(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        stream = process.stdout
        for raw in stream:
            try:
                report = json.loads(raw)["report"]
            except (ValueError, KeyError, TypeError):
                print(f"clip recorder: {raw.decode('utf-8', 'replace').rstrip()}", flush=True)
                continue
            with self._lock:
                if self._pending:
                    self._pending.popleft()
            if report is not None:
                self.reporter.write(report)
        stream.close()
        with self._lock:
            lost, self._pending = list(self._pending), deque()
        if self._stopping or not lost:
            return
        try:
            returncode: int | None = process.wait(timeout=STOP_WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            returncode = None
        for job in lost:
            reason = f"the clip recorder process exited (code {returncode}) before it was done"
            self.reporter.write(lost_job_report(job, reason))

    def finish(self, stop_requested: Callable[[], bool]) -> None:
        """Wait until every queued job is done and the recorder has exited; stop it when asked to."""
        process = self._process
        if process is None:
            return
        try:  # stdin stays open: closing it would mean "stop now"
            assert process.stdin is not None
            process.stdin.write(b'{"kind": "finish"}\n')
            process.stdin.flush()
        except OSError:
            pass  # it is gone already: the reader reports what it lost
        while process.poll() is None:
            if stop_requested():
                self.stop()
                return
            time.sleep(0.1)
        self._join()

    def stop(self) -> None:
        """End the recorder now (what it was recording is dropped), then forget the temporary models."""
        self._stopping = True
        process = self._process
        if process is not None:
            try:
                assert process.stdin is not None
                process.stdin.close()  # EOF without `finish`: stop now
            except OSError:
                pass
            try:
                process.wait(timeout=STOP_WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            self._join()
        remove_clip_models(self.run_dir)

    def _join(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.wait()
        if self._reader is not None:
            self._reader.join(timeout=STOP_WAIT_SECONDS)


def lost_job_report(job: dict[str, Any], reason: str) -> VideoFailedReport:
    """The `video_failed` report of a job the recorder could not do, with its warning in worker.log."""
    if job.get("kind") == "evaluation":
        print(f"warning: Evaluation video failed: {reason}", file=sys.stderr, flush=True)
        message = f"Evaluation video failed: {reason}"
        return VideoFailedReport(
            type="video_failed", video_type="evaluation", message=message, timestep=int(job["timestep"])
        )
    from retro_ml.training.milestones import clip_failed

    return clip_failed(float(job["pct"]), int(job["timestep"]), RuntimeError(reason))


# ---- the recorder process ---------------------------------------------------------------


class _Jobs:
    """Jobs read from stdin by a thread; `cut_off` once stdin closes (the worker stops us, or died)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.cut_off = threading.Event()
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._waiting: list[dict[str, Any]] = []
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream: IO[bytes]) -> None:
        for raw in stream:
            self._queue.put(json.loads(raw))
        self.cut_off.set()  # also after `finish`: the worker keeps stdin open until it is done
        self._queue.put(None)

    def next(self, parent_gone: Callable[[], bool]) -> dict[str, Any] | None:
        """The next job; None when there is none to do any more (finish, stop, parent gone)."""
        while True:
            if self.cut_off.is_set() or parent_gone():
                return None
            try:
                job = self._queue.get(timeout=PARENT_CHECK_SECONDS)
            except queue.Empty:
                continue
            return None if job is None or job.get("kind") == "finish" else job

    def drop_the_rest(self) -> None:
        """Temporary models of jobs never done."""
        while True:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                return
            if job and job.get("temporary"):
                Path(job["model"]).unlink(missing_ok=True)


class _Parent:
    """The worker, watched from the recorder: gone (POSIX: we were re-parented), or suspended (paused)."""

    def __init__(self) -> None:
        self.pid = os.getppid()

    def gone(self) -> bool:
        if os.name != "nt":
            return os.getppid() != self.pid
        try:
            import psutil

            return not psutil.pid_exists(self.pid)
        except ImportError:
            return False

    def wait_while_suspended(self, give_up: Callable[[], bool]) -> None:
        try:
            import psutil

            parent = psutil.Process(self.pid)
            while parent.status() == psutil.STATUS_STOPPED and not give_up():
                time.sleep(PARENT_CHECK_SECONDS)
        except Exception:  # noqa: BLE001 - psutil missing or the parent gone: nothing to wait for
            return


def run_clip_recorder(run_dir: Path) -> int:
    """The recorder process's main: do the jobs from stdin, one report line each on stdout."""
    run_dir = Path(run_dir)
    # The report channel is the original stdout; everything printed goes to worker.log.
    results = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)
    print(f"retro-ml clip recorder pid {os.getpid()} in {run_dir}", flush=True)
    jobs = _Jobs(sys.stdin.buffer)
    parent = _Parent()
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as in the worker, before torch loads OpenMP
    import torch

    from retro_ml.training.algorithms import ALGORITHM_CLASSES
    from retro_ml.training.episodes import stop_requested
    from retro_ml.training.worker import read_run_config

    torch.set_num_threads(1)  # predicting one frame a step: more threads would only take training's
    run_config = read_run_config(run_dir)
    algorithm = ALGORITHM_CLASSES[str(run_config["algorithm"]).lower()]

    def stopping() -> bool:
        parent.wait_while_suspended(give_up=lambda: jobs.cut_off.is_set() or parent.gone())
        return jobs.cut_off.is_set() or parent.gone() or stop_requested(run_dir, None)

    try:
        while (job := jobs.next(parent.gone)) is not None:
            model_path = Path(job["model"])
            try:
                report = do_job(job, algorithm, run_dir, run_config, stopping)
            finally:
                if job.get("temporary"):
                    model_path.unlink(missing_ok=True)
            try:
                results.write(json.dumps({"report": json_safe(report)}) + "\n")
            except OSError:  # the worker is gone
                return 0
    finally:
        jobs.drop_the_rest()
    return 0


def do_job(
    job: dict[str, Any], algorithm: Any, run_dir: Path, run_config: dict[str, Any], stopping: Callable[[], bool]
) -> Report | None:
    from dataclasses import replace

    from retro_ml.training.evaluation import record_evaluation
    from retro_ml.training.milestones import ClipSettings, clip_failed, record_clip

    settings: dict[str, Any] = run_config["config"]
    env_id = str(run_config["env_id"])
    if job["kind"] == "evaluation":
        try:
            model = algorithm.load(job["model"], device="cpu")
        except Exception as exc:  # noqa: BLE001 - like any evaluation failure
            return lost_job_report(job, f"{type(exc).__name__}: {exc}")
        return record_evaluation(model, run_dir, env_id, settings, stopping)
    pct, timestep = float(job["pct"]), int(job["timestep"])
    try:
        model = algorithm.load(job["model"], device="cpu")
    except Exception as exc:  # noqa: BLE001 - like any clip failure
        return clip_failed(pct, timestep, exc)
    clip = replace(ClipSettings.from_settings(run_dir, env_id, settings), seed=int(job["seed"]))
    return record_clip(model, clip, pct, timestep, stopping)
