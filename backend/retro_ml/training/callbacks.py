"""The SB3 callback that reports training progress and stops training when asked."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import numpy as np
from stable_baselines3.common.callbacks import BaseCallback

from retro_ml.training.reporting import ReportWriter

STOP_FILE_NAME = "STOP"
STOP_CHECK_INTERVAL_SECONDS = 0.5
RECENT_EPISODES = 100

StopReason = Literal["signal", "stop_file", "run_dir_deleted"]


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

    def as_metrics(self) -> dict[str, Any]:
        return {
            "episodes": self.episodes,
            "mean_reward": float(np.mean(self._recent_rewards)) if self._recent_rewards else None,
            "best_reward": self.best_reward,
            "last_reward": self.last_reward,
            "mean_episode_length": float(np.mean(self._recent_lengths)) if self._recent_lengths else None,
        }


class TrainingProgressCallback(BaseCallback):
    """Writes `progress` reports and ends `learn()` on a STOP file or a stop signal.

    Progress goes out at most once per `progress_interval_seconds`, plus once when
    training ends. The STOP file is looked for at most every 0.5 s. `stop_signal` is set by
    the worker's SIGTERM handler. Returning False from `_on_step` makes SB3 leave `learn()`
    after the current step (PPO drops the unfinished rollout), so the worker can save.
    Training also ends when the run folder itself disappears (the experiment was deleted):
    nobody could read its results, so carrying on would only burn CPU.
    """

    def __init__(
        self,
        reporter: ReportWriter,
        total_timesteps: int,
        run_dir: Path,
        stop_signal: threading.Event,
        sb3_metrics: Callable[[], dict[str, Any]],
        progress_interval_seconds: float = 1.0,
    ) -> None:
        super().__init__(verbose=0)
        self.reporter = reporter
        self.total_timesteps = total_timesteps
        self.run_dir = run_dir
        self.stop_file = run_dir / STOP_FILE_NAME
        self.stop_signal = stop_signal
        self.sb3_metrics = sb3_metrics
        self.progress_interval_seconds = progress_interval_seconds
        self.episode_stats = EpisodeStats()
        self.stop_reason: StopReason | None = None
        self.final_metrics: dict[str, Any] | None = None
        self._start_time = time.monotonic()
        self._start_timesteps = 0
        self._last_progress_time = float("-inf")
        self._last_stop_check_time = float("-inf")

    def _on_training_start(self) -> None:
        self._start_time = time.monotonic()
        self._start_timesteps = self.num_timesteps

    def _on_step(self) -> bool:
        for info in self.locals.get("infos", ()):
            episode = info.get("episode")
            if episode is not None:
                self.episode_stats.add(float(episode["r"]), int(episode["l"]))
        now = time.monotonic()
        if now - self._last_progress_time >= self.progress_interval_seconds:
            self._last_progress_time = now
            self.report_progress()
        if self.stop_reason is None and now - self._last_stop_check_time >= STOP_CHECK_INTERVAL_SECONDS:
            self._last_stop_check_time = now
            self.stop_reason = self.check_stop_request()
        return self.stop_reason is None

    def check_stop_request(self) -> StopReason | None:
        if self.stop_signal.is_set():
            return "signal"
        if self.stop_file.exists():
            return "stop_file"
        if not self.run_dir.is_dir():
            return "run_dir_deleted"
        return None

    def _on_training_end(self) -> None:
        # PPO records its last update's losses after the last dump: write them out so
        # metrics.jsonl and the final report carry them.
        if self.logger.name_to_value:
            self.logger.dump(self.num_timesteps)
        self.final_metrics = self.report_progress()

    def report_progress(self) -> dict[str, Any]:
        """Write a `progress` report; return its metrics."""
        metrics = self.metrics()
        self.reporter.write(
            "progress",
            timestep=self.num_timesteps,
            total_timesteps=self.total_timesteps,
            progress_pct=self.progress_pct(),
            metrics=metrics,
        )
        return metrics

    def progress_pct(self) -> float:
        if self.total_timesteps <= 0:
            return 100.0
        return round(min(100.0, 100.0 * self.num_timesteps / self.total_timesteps), 2)

    def metrics(self) -> dict[str, Any]:
        """The `metrics` of a progress report (docs/CONTRACT.md); None where not known yet."""
        elapsed = time.monotonic() - self._start_time
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
