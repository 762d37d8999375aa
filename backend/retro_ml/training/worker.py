"""Training worker: trains one experiment in its run folder and reports through events.jsonl.

Started by the process manager as `python -m retro_ml worker --run-dir DIR`, with stdout
and stderr going to DIR/worker.log. The run folder's files and the reports are fixed in
retro_ml.run_contract (docs/CONTRACT.md). The worker never opens the database: the folder is
all it knows.

Stopping: a `STOP` file in the run folder, or SIGTERM (SIGBREAK on Windows), makes the
worker leave training at the next step, save the model and report `stopped`.

A full disk (ENOSPC: a checkpoint, a report, TensorBoard's writer) fails the run with a message
that says so (run_contract/disk.py); when not even that report fits, the worker exits with
DISK_FULL_EXIT_CODE and the main process says it instead.

Along the way the worker saves periodic checkpoints (`checkpoints/step_<N>.zip`), writes
SB3's TensorBoard output to `tensorboard/`, and leaves paused time (PAUSED_SECONDS) out of
its elapsed time and ETA. At every `milestone_every_pct` percent it records one episode of
the current policy as `videos/milestone_<pct>.mp4` (training/milestones.py), beside training
in the clip recorder process where there are spare cores (training/clip_process.py). A completed
run ends with `eval_episodes` games of the final model, the best one recorded as
`videos/evaluation.mp4` (training/evaluation.py). Env 0 is filmed for the long "watch it
learn" video (`video_length_hours`, training/long_video.py), and its screen is shown live while
someone watches (training/live_view.py). A study's trial (`trial_eval_every_pct`) evaluates its
policy every k% (training/trial_evaluation.py) and ends as `pruned` when its study writes PRUNE. With
`resume_from` in config.json it continues the parent's model instead of starting a fresh
one, counting steps on from the parent's.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from retro_ml.run_contract import (
    CONFIG_FILE,
    DISK_FULL_EXIT_CODE,
    EVENTS_FILE,
    METRICS_FILE,
    MODEL_FILE,
    PAUSED_SECONDS_FILE,
    TEMPORARY_MODEL_FILE,
    TENSORBOARD_DIR,
    FinishedReport,
    StartedReport,
    is_disk_full,
)
from retro_ml.training.failures import close_quietly, first_line, report_failure, silence_output, write_log
from retro_ml.training.reporting import ReportWriter

STOP_SIGNAL_NAMES = ("SIGTERM", "SIGBREAK")
DEFAULT_N_ENVS = {"ppo": 8, "dqn": 1}


class RunFolderError(ValueError):
    """The run folder or its config.json is missing, broken or gone; the message says what to fix."""


def run_worker(run_dir: Path) -> int:
    """Train the run in `run_dir`; 0 when it completed or was stopped, 1 when it failed."""
    run_dir = Path(run_dir)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)  # worker.log follows along
    print(f"retro-ml worker pid {os.getpid()} in {run_dir}", flush=True)
    stop_signal = threading.Event()
    run_config: dict[str, Any] | None = None
    exit_code = 0
    try:
        with ReportWriter(run_dir / EVENTS_FILE) as reporter, stop_on_signals(stop_signal):
            try:
                run_config = read_run_config(run_dir)
                train(run_dir, run_config, reporter, stop_signal)
            except BaseException as exc:  # noqa: BLE001 - every failure must reach the UI
                report_failure(reporter, exc, run_config)
                exit_code = DISK_FULL_EXIT_CODE if is_disk_full(exc) else 1
    except OSError as exc:  # closing events.jsonl flushes what a full disk refused
        write_log(f"could not close {EVENTS_FILE}: {exc}\n")
        exit_code = DISK_FULL_EXIT_CODE if is_disk_full(exc) else 1
        if is_disk_full(exc):
            silence_output()
    return exit_code


def read_run_config(run_dir: Path) -> dict[str, Any]:
    path = run_dir / CONFIG_FILE
    try:
        run_config = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunFolderError(f"The run folder has no {CONFIG_FILE}: {path}") from None
    except json.JSONDecodeError as exc:
        raise RunFolderError(f"{path} is not valid JSON ({exc}).") from None
    for key in ("env_id", "algorithm", "config"):
        if not run_config.get(key):
            raise RunFolderError(f"{path} has no {key!r}: the run cannot start without it.")
    if not run_config["config"].get("total_timesteps"):
        raise RunFolderError(f"{path} has no config.total_timesteps: say how long to train.")
    return run_config


def train(run_dir: Path, run_config: dict[str, Any], reporter: ReportWriter, stop_signal: threading.Event) -> None:
    """Build the environments and the model, train, save model.zip, report the outcome."""
    # OpenMP threads that spin while waiting collapse throughput when the cores are shared
    # (another worker, the UI): PPO with 2 torch threads fell from ~180 to ~12 steps/s.
    # Must be set before torch loads OpenMP; an explicit setting from outside wins.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    # The training stack is imported here, not at module level, so that an import failure
    # (a broken torch install...) is reported as `failed` like any other error.
    import torch
    from stable_baselines3.common.callbacks import BaseCallback, CallbackList
    from stable_baselines3.common.logger import HumanOutputFormat, KVWriter, Logger

    from retro_ml.training.algorithms import build_model, load_model, read_saved_num_timesteps
    from retro_ml.training.callbacks import ActiveClock, TrainingProgressCallback
    from retro_ml.training.checkpoints import PeriodicCheckpointCallback
    from retro_ml.training.clip_process import ClipRecorderProcess, clips_beside_training
    from retro_ml.training.envs import make_training_env
    from retro_ml.training.episodes import stop_requested
    from retro_ml.training.evaluation import evaluation_episodes, record_evaluation
    from retro_ml.training.live_view import LiveViewCallback
    from retro_ml.training.long_video import GameTap, LongVideoCallback, target_seconds_of
    from retro_ml.training.metrics_writer import MetricsWriter
    from retro_ml.training.milestones import MilestoneVideoCallback
    from retro_ml.training.replay_memory import keeps_replay_memory, replay_memory_path, save_replay_memory
    from retro_ml.training.trial_evaluation import TrialEvaluationCallback

    algorithm = str(run_config["algorithm"]).lower()
    settings: dict[str, Any] = run_config["config"]
    additional_timesteps = int(settings["total_timesteps"])
    torch.set_num_threads(int(settings.get("torch_threads") or 2))
    # Checked before the environments are built: a wrong path fails in a fraction of a second.
    resume_path = resume_model_path(run_dir, run_config)
    saved_timesteps = 0
    if resume_path is not None:
        saved_timesteps = read_saved_num_timesteps(resume_path)
        print(f"continuing {resume_path} from step {saved_timesteps}", flush=True)

    long_video_seconds = target_seconds_of(settings)
    taps: list[GameTap] = []

    def tap_first_env(raw_env: Any) -> GameTap:
        taps.append(GameTap(raw_env))
        return taps[-1]

    env = make_training_env(
        run_config["env_id"],
        n_envs=int(settings.get("n_envs") or DEFAULT_N_ENVS.get(algorithm, 1)),
        seed=settings.get("seed"),
        frame_stack=int(settings.get("frame_stack") or 4),
        wrap_first_raw_env=tap_first_env if long_video_seconds > 0 else None,
        backend=str(settings.get("env_backend") or "native"),
    )
    long_video: LongVideoCallback | None = None
    side_recorder = ClipRecorderProcess(run_dir, reporter) if clips_beside_training(settings) else None
    metrics_writer = MetricsWriter(run_dir / METRICS_FILE)
    output_formats: list[KVWriter] = [HumanOutputFormat(sys.stdout), metrics_writer]
    tensorboard_output = make_tensorboard_output(run_dir / TENSORBOARD_DIR)
    if tensorboard_output is not None:
        output_formats.append(tensorboard_output)
    logger = Logger(folder=None, output_formats=output_formats)
    try:
        device = resolve_device(settings.get("device"))
        if resume_path is None:
            model = build_model(algorithm, settings, env, device, logger)
        else:
            model = load_model(
                algorithm, settings, env, device, logger, resume_path, saved_timesteps, replay_memory_path(run_config)
            )
        start_timesteps = model.num_timesteps
        total_timesteps = start_timesteps + additional_timesteps  # absolute, like every report's steps
        reporter.write(
            StartedReport(
                type="started",
                pid=os.getpid(),
                device=model.device.type,
                total_timesteps=total_timesteps,
                num_timesteps=start_timesteps,
            )
        )
        clock = ActiveClock(run_dir / PAUSED_SECONDS_FILE)
        trial_evaluations = TrialEvaluationCallback(
            reporter, run_dir, run_config["env_id"], additional_timesteps, settings, clock, stop_signal
        )
        progress = TrainingProgressCallback(
            reporter,
            total_timesteps=total_timesteps,
            run_dir=run_dir,
            stop_signal=stop_signal,
            sb3_metrics=metrics_writer.reported_metrics,
            progress_interval_seconds=float(settings.get("progress_interval_seconds") or 1.0),
            clock=clock,
            prune_file=trial_evaluations.prune_file if trial_evaluations.enabled else None,
        )
        checkpoints = PeriodicCheckpointCallback.from_settings(reporter, run_dir, additional_timesteps, clock, settings)
        milestones = MilestoneVideoCallback.from_settings(
            reporter, run_dir, run_config["env_id"], additional_timesteps, settings, clock, stop_signal, side_recorder
        )
        callback_list: list[BaseCallback] = [progress]
        if checkpoints.enabled:
            callback_list.append(checkpoints)
        if milestones.enabled:
            callback_list.append(milestones)
        if trial_evaluations.enabled:
            callback_list.append(trial_evaluations)
        if taps and additional_timesteps > 0:
            long_video = LongVideoCallback.from_settings(
                reporter, run_dir, taps[0], additional_timesteps, progress.episode_stats, settings
            )
            callback_list.append(long_video)
        callback_list.append(LiveViewCallback(run_dir))  # env 0's screen, only while someone watches
        callbacks = CallbackList(callback_list)
        model.learn(
            total_timesteps=additional_timesteps,
            callback=callbacks,
            log_interval=1,
            reset_num_timesteps=resume_path is None,
        )
        if progress.stop_reason == "run_dir_deleted":
            raise RunFolderError(f"The run folder {run_dir} was deleted during training; nothing was saved.")
        model_path = save_model_atomically(model, run_dir)
        if keeps_replay_memory(model, settings):
            save_replay_memory(model, run_dir)  # before `completed`: the record lists it
        if long_video is not None:
            long_video.finish()  # the parts joined into one video, also when stopped
        if progress.stop_reason is None:
            trial_evaluations.evaluate_final()  # a study's trial: its last value, of the final model

        def stopping() -> bool:
            return stop_requested(run_dir, stop_signal)

        if progress.stop_reason is None and milestones.enabled:
            milestones.record_final(model_path)  # the 100% clip, with the saved final model
        if progress.stop_reason is None and evaluation_episodes(settings) > 0:
            # N games of the final model, the best one recorded; before `completed`
            if side_recorder is not None and side_recorder.started:
                side_recorder.submit_evaluation(model_path, model.num_timesteps)  # after the clips still queued there
            elif (report := record_evaluation(model, run_dir, run_config["env_id"], settings, stopping)) is not None:
                reporter.write(report)
        if side_recorder is not None:
            if progress.stop_reason is None:
                side_recorder.finish(stop_requested=lambda: stop_signal.is_set())  # a STOP file: it stops itself
            side_recorder.stop()
        reporter.write(
            FinishedReport(
                type=finished_report_type(progress.stop_reason),
                timestep=model.num_timesteps,
                model_path=MODEL_FILE,
                final_metrics=progress.final_metrics or progress.metrics(),
            )
        )
    finally:
        if side_recorder is not None:
            side_recorder.stop()  # after a failure, or after it is done: no recorder outlives the worker
        if long_video is not None:
            long_video.finish()  # after a failure: what was filmed is still joined and listed
        close_quietly(logger.close, env.close)  # a full disk fails closing too: never hide the first error


def finished_report_type(stop_reason: str | None) -> Literal["completed", "stopped", "pruned"]:
    """`completed` when training ran to its end, `pruned` when its study pruned it, else `stopped`."""
    if stop_reason is None:
        return "completed"
    return "pruned" if stop_reason == "pruned" else "stopped"


def resume_model_path(run_dir: Path, run_config: dict[str, Any]) -> Path | None:
    """The model.zip named by config.json's `resume_from`, or None for a fresh run.

    `resume_from.num_timesteps` is informational: the step count stored in the model wins.
    A relative path is taken relative to the run folder.
    """
    resume_from = run_config.get("resume_from")
    if not resume_from:
        return None
    model_path = resume_from.get("model_path") if isinstance(resume_from, dict) else None
    if not model_path:
        raise RunFolderError(f"{run_dir / CONFIG_FILE}: resume_from has no model_path to continue from.")
    path = Path(model_path)
    return path if path.is_absolute() else run_dir / path


def make_tensorboard_output(folder: Path) -> Any | None:
    """SB3's TensorBoard writer into `folder`, or None (and a warning) when it cannot be had.

    TensorBoard is a nice-to-have: without the `tensorboard` package training goes on.
    Steps are the model's, so a continued run's curves start at the parent's last step.
    """
    from stable_baselines3.common import logger as sb3_logger

    if getattr(sb3_logger, "SummaryWriter", None) is None:
        print("warning: the tensorboard package is not installed; training without TensorBoard output", flush=True)
        return None
    try:
        return sb3_logger.TensorBoardOutputFormat(str(folder))
    except Exception as exc:  # noqa: BLE001 - never worth failing the run over
        print(f"warning: no TensorBoard output ({type(exc).__name__}: {first_line(exc)})", flush=True)
        return None


def resolve_device(requested: str | None) -> str:
    """ "auto" (or nothing) means CUDA when torch sees a GPU, else the CPU."""
    import torch

    if not requested or requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return requested


def save_model_atomically(model: Any, run_dir: Path) -> Path:
    """Save to model.tmp.zip, then rename: model.zip is never seen half-written."""
    from retro_ml.training.checkpoints import save_model_file

    return save_model_file(model, run_dir / MODEL_FILE, run_dir / TEMPORARY_MODEL_FILE)


@contextmanager
def stop_on_signals(stop_signal: threading.Event) -> Iterator[None]:
    """While inside, SIGTERM (and SIGBREAK on Windows) set `stop_signal` instead of killing us.

    The handler only sets the flag: the training loop notices it, saves and reports.
    Python handles signals in the main thread only, so elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def request_stop(signum: int, frame: object) -> None:
        stop_signal.set()

    previous: dict[int, Any] = {}
    for name in STOP_SIGNAL_NAMES:
        if hasattr(signal, name):
            signum = getattr(signal, name)
            previous[signum] = signal.signal(signum, request_stop)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
