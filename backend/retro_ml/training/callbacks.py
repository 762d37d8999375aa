"""The SB3 callback that reports training progress and stops training when asked."""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import numpy as np
from stable_baselines3.common.callbacks import BaseCallback

from retro_ml.run_contract import PAUSED_SECONDS_FILE, STOP_FILE, ProgressMetrics, ProgressReport
from retro_ml.training.reporting import ReportWriter

STOP_CHECK_INTERVAL_SECONDS = 0.5
RECENT_EPISODES = 100

StopReason = Literal["signal", "stop_file", "pruned", "run_dir_deleted"]


class EpisodeStats:
    """Scores of finished episodes: the real, unclipped game score across all lives."""

    def __init__(self, window: int = RECENT_EPISODES) -> None:
        self.episodes = 0
        self.best_reward: float | None = None
        self.last_reward: float | None = None
        self._recent_rewards: deque[float] = deque(maxlen=window)
        self._recent_lengths: deque[int] = deque(maxlen=window)

    def add(self, reward: float, length: int) -> None:
        self.episodes += 1
        self.last_reward = reward
        self.best_reward = reward if self.best_reward is None else max(self.best_reward, reward)
        self._recent_rewards.append(reward)
        self._recent_lengths.append(length)

    def as_metrics(self) -> ProgressMetrics:
        return {
            "episodes": self.episodes,
            "mean_reward": float(np.mean(self._recent_rewards)) if self._recent_rewards else None,
            "best_reward": self.best_reward,
            "last_reward": self.last_reward,
            "mean_episode_length": float(np.mean(self._recent_lengths)) if self._recent_lengths else None,
        }


class ActiveClock:
    """Seconds spent training since `start()`, minus the time the worker was kept paused.

    The main process pauses a worker by suspending it, and on resume atomically writes the
    total seconds paused so far into PAUSED_SECONDS in the run folder. `refresh()` rereads
    that file when it changed (a `stat`, cheap enough for every STOP-file check). A value
    already there at `start()` was written for an earlier worker in this folder: only what
    it grows by counts (a smaller value means the count started over, and counts as is).
    What runs inside `excluded()` (a milestone clip recorded in the worker) is left out too.
    """

    def __init__(self, paused_seconds_file: Path) -> None:
        self.paused_seconds_file = paused_seconds_file
        self._start = time.monotonic()
        self._baseline = 0.0
        self._paused = 0.0
        self._excluded = 0.0
        self._file_signature: tuple[int, int, int] | None = None

    def start(self) -> None:
        self._start = time.monotonic()
        self._baseline = 0.0
        self._paused = 0.0
        self._excluded = 0.0
        self._file_signature = None
        self.refresh()
        self._baseline, self._paused = self._paused, 0.0

    def refresh(self) -> None:
        try:
            stat = os.stat(self.paused_seconds_file)
        except OSError:
            return
        signature = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if signature == self._file_signature:
            return
        try:
            total = float(self.paused_seconds_file.read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            return  # unreadable for now: try again at the next check
        self._file_signature = signature
        if total >= 0:
            self._paused = total - self._baseline if total >= self._baseline else total

    @property
    def paused_seconds(self) -> float:
        return self._paused

    @property
    def excluded_seconds(self) -> float:
        return self._excluded

    def elapsed(self) -> float:
        """Active seconds: wall time since `start()` minus the paused and excluded seconds known so far."""
        return max(0.0, time.monotonic() - self._start - self._paused - self._excluded)

    @contextmanager
    def excluded(self) -> Iterator[None]:
        """Leave the time spent inside out of the active seconds (and so out of fps and ETA).

        Measured on the active clock itself, so a pause during it is not taken off twice.
        """
        before = self.elapsed()
        try:
            yield
        finally:
            self.refresh()
            self._excluded += max(0.0, self.elapsed() - before)


class TrainingProgressCallback(BaseCallback):
    """Writes `progress` reports and ends `learn()` on a STOP file or a stop signal.

    Progress goes out at most once per `progress_interval_seconds`, plus once when
    training ends. The STOP file is looked for at most every 0.5 s. `stop_signal` is set by
    the worker's SIGTERM handler. Returning False from `_on_step` makes SB3 leave `learn()`
    after the current step (PPO drops the unfinished rollout), so the worker can save.
    Training also ends when the run folder itself disappears (the experiment was deleted):
    nobody could read its results, so carrying on would only burn CPU. A study's trial is also
    given `prune_file` (PRUNE): its study pruned it, and the run ends as `pruned`.

    Timesteps are the model's own count, so a continued run reports absolute steps:
    `total_timesteps` is then the start plus the additional steps, while `progress_pct`,
    `fps` and `eta_seconds` cover only this run's part. Elapsed time, fps and ETA leave
    out the time the worker was paused (`ActiveClock`).
    """

    def __init__(
        self,
        reporter: ReportWriter,
        total_timesteps: int,
        run_dir: Path,
        stop_signal: threading.Event,
        sb3_metrics: Callable[[], ProgressMetrics],
        progress_interval_seconds: float = 1.0,
        clock: ActiveClock | None = None,
        prune_file: Path | None = None,
    ) -> None:
        super().__init__(verbose=0)
        self.reporter = reporter
        self.prune_file = prune_file
        self.total_timesteps = total_timesteps
        self.run_dir = run_dir
        self.stop_file = run_dir / STOP_FILE
        self.stop_signal = stop_signal
        self.sb3_metrics = sb3_metrics
        self.progress_interval_seconds = progress_interval_seconds
        self.episode_stats = EpisodeStats()
        self.stop_reason: StopReason | None = None
        self.final_metrics: ProgressMetrics | None = None
        self.clock = clock or ActiveClock(run_dir / PAUSED_SECONDS_FILE)
        self._start_timesteps = 0
        self._last_progress_time = float("-inf")
        self._last_stop_check_time = float("-inf")

    def _on_training_start(self) -> None:
        self.clock.start()
        self._start_timesteps = self.num_timesteps

    def _on_step(self) -> bool:
        for info in self.locals.get("infos", ()):
            episode = info.get("episode")
            if episode is not None:
                self.episode_stats.add(float(episode["r"]), int(episode["l"]))
        now = time.monotonic()
        if self.stop_reason is None and now - self._last_stop_check_time >= STOP_CHECK_INTERVAL_SECONDS:
            self._last_stop_check_time = now
            self.clock.refresh()
            self.stop_reason = self.check_stop_request()
        if now - self._last_progress_time >= self.progress_interval_seconds:
            self._last_progress_time = now
            self.report_progress()
        return self.stop_reason is None

    def check_stop_request(self) -> StopReason | None:
        if self.stop_signal.is_set():
            return "signal"
        if self.stop_file.exists():
            return "stop_file"
        if self.prune_file is not None and self.prune_file.exists():
            return "pruned"
        if not self.run_dir.is_dir():
            return "run_dir_deleted"
        return None

    def _on_training_end(self) -> None:
        # PPO records its last update's losses after the last dump: write them out so
        # metrics.jsonl and the final report carry them.
        if self.logger.name_to_value:
            self.logger.dump(self.num_timesteps)
        self.final_metrics = self.report_progress()

    def report_progress(self) -> ProgressMetrics:
        """Write a `progress` report; return its metrics."""
        self.clock.refresh()  # right after a resume, before the next STOP check is due
        metrics = self.metrics()
        self.reporter.write(
            ProgressReport(
                type="progress",
                timestep=self.num_timesteps,
                total_timesteps=self.total_timesteps,
                progress_pct=self.progress_pct(),
                metrics=metrics,
            )
        )
        return metrics

    def progress_pct(self) -> float:
        """Percent of this run's part: 0 at its first step, 100 at `total_timesteps`."""
        part = self.total_timesteps - self._start_timesteps
        if part <= 0:
            return 100.0
        done = self.num_timesteps - self._start_timesteps
        return round(min(100.0, max(0.0, 100.0 * done / part)), 2)

    def metrics(self) -> ProgressMetrics:
        """The `metrics` of a progress report (run_contract.ProgressMetrics); None where not known yet."""
        elapsed = self.clock.elapsed()
        steps_done = self.num_timesteps - self._start_timesteps
        fps = steps_done / elapsed if elapsed > 0 and steps_done > 0 else None
        remaining = max(0, self.total_timesteps - self.num_timesteps)
        eta = 0.0 if remaining == 0 else (remaining / fps if fps else None)
        return {
            **self.episode_stats.as_metrics(),
            "fps": round(fps, 1) if fps is not None else None,
            "elapsed_seconds": round(elapsed, 1),
            "eta_seconds": round(eta, 1) if eta is not None else None,
            **self.sb3_metrics(),
        }
