"""Periodic checkpoints: `checkpoints/step_<N>.zip` in the run folder, the newest few kept.

A checkpoint is due every `checkpoint_every_pct` percent of this run's steps (for a
continued run: of the additional steps) and every `checkpoint_every_minutes` of active
training time, whichever comes first; 0 turns either off. The due check runs when a new
rollout starts, that is right after a training update, so a checkpoint never holds a
policy that lags behind data it already collected; it costs an integer comparison and a
clock read. The last rollout has no successor: the final model.zip covers the end.

Each file is written under a temporary name, flushed to disk and renamed, so a
`step_<N>.zip` is never seen half-written; a `checkpoint` report follows, then the oldest
files beyond `keep_checkpoints` are deleted.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stable_baselines3.common.callbacks import BaseCallback

from retro_ml.run_contract import (
    CHECKPOINTS_DIR,
    TEMPORARY_CHECKPOINT_SUFFIX,
    CheckpointReport,
    checkpoint_file_name,
    checkpoint_files,
    is_disk_full,
    temporary_checkpoint_file_name,
)
from retro_ml.training.callbacks import ActiveClock
from retro_ml.training.reporting import ReportWriter

DEFAULT_CHECKPOINT_EVERY_PCT = 10.0
DEFAULT_CHECKPOINT_EVERY_MINUTES = 15.0
DEFAULT_KEEP_CHECKPOINTS = 3


def save_atomically(save: Callable[[Path], object], final: Path, temporary: Path) -> Path:
    """`save(temporary)`, fsync it, then rename it to `final` (atomic on one disk).

    A save that fails (a full disk) removes its part: the space comes back, nothing half-written stays.
    """
    try:
        save(temporary)
        with temporary.open("rb") as saved:
            os.fsync(saved.fileno())
        os.replace(temporary, final)
    except BaseException:
        try:
            temporary.unlink(missing_ok=True)
        except OSError:
            pass
        raise
    return final


def save_model_file(model: Any, final: Path, temporary: Path) -> Path:
    """Save `model` atomically to `final` through `temporary` (`save_atomically`)."""
    return save_atomically(model.save, final, temporary)


def prune_checkpoints(directory: Path, keep: int) -> None:
    """Delete all but the newest `keep` checkpoints."""
    files = checkpoint_files(directory)
    for _, path in files[: max(0, len(files) - keep)]:
        try:
            path.unlink()
        except OSError as exc:
            print(f"warning: could not delete old checkpoint {path}: {exc}", flush=True)


def remove_temporary_files(directory: Path) -> None:
    """Leftovers of a save that was cut short (a killed worker)."""
    try:
        leftovers = [path for path in directory.iterdir() if path.name.endswith(TEMPORARY_CHECKPOINT_SUFFIX)]
    except OSError:
        return
    for path in leftovers:
        try:
            path.unlink()
        except OSError:
            pass


def setting(settings: dict[str, Any], key: str, default: float) -> float:
    value = settings.get(key)
    return float(default if value is None else value)


class PeriodicCheckpointCallback(BaseCallback):
    """Saves `checkpoints/step_<N>.zip` when due and reports `checkpoint` (see module doc)."""

    def __init__(
        self,
        reporter: ReportWriter,
        run_dir: Path,
        additional_timesteps: int,
        clock: ActiveClock,
        every_pct: float = DEFAULT_CHECKPOINT_EVERY_PCT,
        every_minutes: float = DEFAULT_CHECKPOINT_EVERY_MINUTES,
        keep: int = DEFAULT_KEEP_CHECKPOINTS,
    ) -> None:
        super().__init__(verbose=0)
        self.reporter = reporter
        self.directory = run_dir / CHECKPOINTS_DIR
        self.clock = clock
        self.keep = max(1, int(keep))  # a checkpoint deleted as soon as it is reported helps nobody
        self.interval_steps = additional_timesteps * every_pct / 100.0 if every_pct > 0 else math.inf
        self.interval_seconds = every_minutes * 60.0 if every_minutes > 0 else math.inf
        self.saved: list[int] = []
        self._start_timesteps = 0
        self._next_due_step = math.inf
        self._next_due_seconds = math.inf

    @classmethod
    def from_settings(
        cls,
        reporter: ReportWriter,
        run_dir: Path,
        additional_timesteps: int,
        clock: ActiveClock,
        settings: dict[str, Any],
    ) -> PeriodicCheckpointCallback:
        """Configured by the run config's `checkpoint_every_pct`, `..._minutes`, `keep_checkpoints`."""
        return cls(
            reporter,
            run_dir,
            additional_timesteps,
            clock,
            every_pct=setting(settings, "checkpoint_every_pct", DEFAULT_CHECKPOINT_EVERY_PCT),
            every_minutes=setting(settings, "checkpoint_every_minutes", DEFAULT_CHECKPOINT_EVERY_MINUTES),
            keep=int(setting(settings, "keep_checkpoints", DEFAULT_KEEP_CHECKPOINTS)),
        )

    @property
    def enabled(self) -> bool:
        return self.interval_steps < math.inf or self.interval_seconds < math.inf

    def _on_training_start(self) -> None:
        self._start_timesteps = self.num_timesteps
        self._next_due_step = self._start_timesteps + self.interval_steps
        self._next_due_seconds = self.interval_seconds
        if self.directory.is_dir():
            remove_temporary_files(self.directory)

    def _on_rollout_start(self) -> None:
        if self.num_timesteps < self._next_due_step and self.clock.elapsed() < self._next_due_seconds:
            return
        if self.num_timesteps > self._start_timesteps:
            self.save_checkpoint()

    def _on_step(self) -> bool:
        return True

    def save_checkpoint(self) -> Path | None:
        """Save, report, prune; None when saving failed (a warning in worker.log, training goes on).

        A full disk is the exception: it fails the run (its message says to free space and continue
        from the last checkpoint) rather than train on with nowhere to save the result.
        """
        timestep = self.num_timesteps
        self._schedule_next(timestep)
        name = checkpoint_file_name(timestep)
        final = self.directory / name
        # Hidden name: never matched by `step_*.zip`, so nobody mistakes it for a checkpoint.
        temporary = self.directory / temporary_checkpoint_file_name(timestep)
        try:
            self.directory.mkdir(exist_ok=True)
            save_model_file(self.model, final, temporary)
        except OSError as exc:
            if is_disk_full(exc):
                raise
            print(f"warning: checkpoint at step {timestep} was not saved: {exc}", file=sys.stderr, flush=True)
            return None
        self.saved.append(timestep)
        self.reporter.write(CheckpointReport(type="checkpoint", timestep=timestep, path=f"{CHECKPOINTS_DIR}/{name}"))
        prune_checkpoints(self.directory, self.keep)
        return final

    def _schedule_next(self, timestep: int) -> None:
        if self.interval_steps < math.inf:
            intervals_done = math.floor((timestep - self._start_timesteps) / self.interval_steps)
            self._next_due_step = self._start_timesteps + (intervals_done + 1) * self.interval_steps
        self._next_due_seconds = self.clock.elapsed() + self.interval_seconds
