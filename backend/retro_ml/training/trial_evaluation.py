"""A study's trial: a few short games of the current policy every k% of the run, for Optuna's pruner.

With `trial_eval_every_pct` = k > 0 in the config (absent or 0: off, and this costs nothing),
the worker plays `trial_eval_episodes` games of the current policy at every k percent of this
run's steps (checked when a rollout starts, between training updates, like the checkpoints) and
once more with the final model when the run completes, and writes one `trial_evaluation`
report each (`index` k-th, `pct`, `timestep`, `mean_score`, `scores`). The main process hands
each mean score to the trial's Optuna study (services/studies), which may prune the trial: it
then writes `PRUNE` into the run folder and the worker ends with `pruned` (training/callbacks.py).

The games are played like the final evaluation's (training/episodes.py: a fresh evaluation env,
`predict(deterministic=True)`), without video, each capped at `trial_eval_max_seconds` of game
time, on the SAME env seeds in every run (`TRIAL_EVAL_SEED + i`, whatever the run's own seed):
trials of one study are compared on the same games. Their seconds are left out of the training
time (fps, ETA). A stop or prune request during the games skips that evaluation.
"""

from __future__ import annotations

import math
import statistics
import threading
import time
from pathlib import Path
from typing import Any

from stable_baselines3.common.callbacks import BaseCallback

from retro_ml.run_contract import PRUNE_FILE, TrialEvaluationReport
from retro_ml.training.callbacks import ActiveClock
from retro_ml.training.episodes import NATIVE_FPS, ClipStopped, play_episode, stop_requested
from retro_ml.training.reporting import ReportWriter

TRIAL_EVAL_SEED = 3_000_017  # the games' env seeds: TRIAL_EVAL_SEED + i in every trial
DEFAULT_TRIAL_EVAL_EPISODES = 3
DEFAULT_TRIAL_EVAL_MAX_SECONDS = 60.0


def trial_eval_every_pct(settings: dict[str, Any]) -> float:
    value = settings.get("trial_eval_every_pct")
    return max(0.0, float(value)) if value is not None else 0.0


class TrialEvaluationCallback(BaseCallback):
    """Writes a `trial_evaluation` report at every `every_pct` percent (see the module doc)."""

    def __init__(
        self,
        reporter: ReportWriter,
        run_dir: Path,
        env_id: str,
        additional_timesteps: int,
        settings: dict[str, Any],
        clock: ActiveClock | None = None,
        stop_signal: threading.Event | None = None,
    ) -> None:
        super().__init__(verbose=0)
        self.reporter = reporter
        self.run_dir = run_dir
        self.env_id = env_id
        self.additional_timesteps = additional_timesteps
        self.every_pct = trial_eval_every_pct(settings)
        self.episodes = max(1, int(settings.get("trial_eval_episodes") or DEFAULT_TRIAL_EVAL_EPISODES))
        max_seconds = float(settings.get("trial_eval_max_seconds") or DEFAULT_TRIAL_EVAL_MAX_SECONDS)
        self.max_frames = max(1, int(max_seconds * NATIVE_FPS))
        self.frame_stack = int(settings.get("frame_stack") or 4)
        self.clock = clock
        self.stop_signal = stop_signal
        self.evaluations = 0  # reports written so far
        self._next_index = 1  # the next evaluation is at every_pct * _next_index percent
        self._start_timesteps = 0

    @property
    def enabled(self) -> bool:
        return self.every_pct > 0 and self.additional_timesteps > 0

    @property
    def prune_file(self) -> Path:
        return self.run_dir / PRUNE_FILE

    def _on_training_start(self) -> None:
        self._start_timesteps = self.num_timesteps

    def _on_step(self) -> bool:
        return True

    def _on_rollout_start(self) -> None:
        done = self.num_timesteps - self._start_timesteps
        reached = 100.0 * done / self.additional_timesteps
        due = self.every_pct * self._next_index
        if due >= 100.0 - 1e-9 or reached + 1e-9 < due:
            return  # the 100% evaluation waits for the final model (evaluate_final)
        passed = math.floor(reached / self.every_pct + 1e-9)  # several in one rollout: one evaluation
        self._next_index = passed + 1
        self.evaluate(passed, min(100.0, round(self.every_pct * passed, 6)))

    def evaluate_final(self) -> None:
        """The 100% evaluation, with the final model, after a completed learn()."""
        if self.enabled:
            index = math.ceil(100.0 / self.every_pct - 1e-9)
            self.evaluate(index, 100.0)

    def evaluate(self, index: int, pct: float) -> TrialEvaluationReport | None:
        """Play the games and write the report; None when a stop or prune request cut them short."""
        started = time.monotonic()
        context = self.clock.excluded() if self.clock is not None else None
        try:
            if context is not None:
                with context:
                    scores = self._play()
            else:
                scores = self._play()
        except ClipStopped:
            print(f"trial evaluation at {pct:g}% skipped: the run is stopping", flush=True)
            return None
        report = TrialEvaluationReport(
            type="trial_evaluation",
            index=index,
            pct=pct,
            timestep=int(self.num_timesteps),
            mean_score=statistics.fmean(scores),
            scores=scores,
        )
        self.reporter.write(report)
        self.evaluations += 1
        print(f"trial evaluation at {pct:g}%: scores {scores} in {time.monotonic() - started:.1f} s", flush=True)
        return report

    def _stopping(self) -> bool:
        return stop_requested(self.run_dir, self.stop_signal) or self.prune_file.exists()

    def _play(self) -> list[float]:
        return [
            play_episode(
                self.model,
                self.env_id,
                seed=TRIAL_EVAL_SEED + game,
                frame_stack=self.frame_stack,
                max_frames=self.max_frames,
                stopping=self._stopping,
            ).score
            for game in range(self.episodes)
        ]
