"""Milestone clips: one episode of the current policy recorded at every N% of the run.

At 10%, 20%, ... of this run's steps (`milestone_every_pct`, 0 = off) the worker plays ONE
episode on a separate evaluation env with `model.predict(obs, deterministic=True)` and
writes `videos/milestone_<pct>.mp4` (H.264 yuv420p, 60 fps), plus a PNG thumbnail, then
reports `video`. The 100% clip is recorded by the worker with the final model, after
training and after model.zip is saved (`record_final`).

The episode is played and recorded by training/episodes.py: the evaluation env is
preprocessed exactly like a training env (SB3's AtariWrapper, frame stack, n_envs=1, its own
seed), but every emulator frame is recorded, not one per agent step: `FrameTap`, a wrapper
under AtariWrapper, hands the screen after every raw step to the recorder, which upscales it
(`NearestUpscaler`) and streams it to ffmpeg at once, so memory stays flat. A clip stops at
the end of the game (all lives) or after `milestone_max_seconds`.

Like checkpoints, the due check runs when a new rollout starts (between training updates)
in the worker process. A recording error never stops training: it becomes a warning in
worker.log and a `video_failed` report.
"""

from __future__ import annotations

import math
import os
import random
import sys
import threading
import traceback
from pathlib import Path
from typing import Any

from stable_baselines3.common.callbacks import BaseCallback

from retro_ml.run_contract import MILESTONE_VIDEO_PREFIX, VIDEOS_DIR, VideoFailedReport, VideoReport
from retro_ml.training.episodes import (
    DEFAULT_VIDEO_SCALE,
    NATIVE_FPS,
    ClipStopped,
    Recording,
    play_episode,
    stop_requested,
)
from retro_ml.training.reporting import ReportWriter

DEFAULT_MILESTONE_EVERY_PCT = 10.0
DEFAULT_MILESTONE_MAX_SECONDS = 120.0
EVAL_SEED_OFFSET = 1_000_003  # the eval env's seed, away from the training envs' seed..seed+n_envs-1


def setting(settings: dict[str, Any], key: str, default: float) -> float:
    value = settings.get(key)
    return float(default if value is None else value)


def pct_label(pct: float) -> str:
    """10 -> "010", 12.5 -> "012.5": sorts by name, stays readable."""
    return f"{int(pct):03d}" if float(pct).is_integer() else f"{pct:05.1f}"


def pct_value(pct: float) -> int | float:
    return int(pct) if float(pct).is_integer() else pct


class MilestoneVideoCallback(BaseCallback):
    """Records `videos/milestone_<pct>.mp4` at every `every_pct` percent (see module doc)."""

    def __init__(
        self,
        reporter: ReportWriter,
        run_dir: Path,
        env_id: str,
        additional_timesteps: int,
        frame_stack: int,
        seed: int | None,
        stop_signal: threading.Event | None = None,
        every_pct: float = DEFAULT_MILESTONE_EVERY_PCT,
        max_seconds: float = DEFAULT_MILESTONE_MAX_SECONDS,
        scale: int = DEFAULT_VIDEO_SCALE,
    ) -> None:
        super().__init__(verbose=0)
        self.reporter = reporter
        self.run_dir = run_dir
        self.directory = run_dir / VIDEOS_DIR
        self.env_id = env_id
        self.additional_timesteps = additional_timesteps
        self.frame_stack = frame_stack
        self.eval_seed = (seed + EVAL_SEED_OFFSET) if seed is not None else random.randrange(2**31)
        self.stop_signal = stop_signal
        self.every_pct = every_pct if every_pct > 0 else 0.0
        self.max_frames = max(1, int(max_seconds * NATIVE_FPS))
        self.scale = max(1, int(scale))
        self.recorded: list[float] = []
        self._start_timesteps = 0
        self._next_index = 1  # the next milestone is every_pct * _next_index percent

    @classmethod
    def from_settings(
        cls,
        reporter: ReportWriter,
        run_dir: Path,
        env_id: str,
        additional_timesteps: int,
        settings: dict[str, Any],
        stop_signal: threading.Event | None = None,
    ) -> MilestoneVideoCallback:
        """Configured by `milestone_every_pct`, `milestone_max_seconds`, `video_scale` (absent: defaults)."""
        seed = settings.get("seed")
        return cls(
            reporter,
            run_dir,
            env_id,
            additional_timesteps,
            frame_stack=int(settings.get("frame_stack") or 4),
            seed=int(seed) if seed is not None else None,
            stop_signal=stop_signal,
            every_pct=setting(settings, "milestone_every_pct", DEFAULT_MILESTONE_EVERY_PCT),
            max_seconds=setting(settings, "milestone_max_seconds", DEFAULT_MILESTONE_MAX_SECONDS),
            scale=int(setting(settings, "video_scale", DEFAULT_VIDEO_SCALE)),
        )

    @property
    def enabled(self) -> bool:
        return self.every_pct > 0 and self.additional_timesteps > 0

    def _on_training_start(self) -> None:
        self._start_timesteps = self.num_timesteps

    def _on_step(self) -> bool:
        return True

    def _pct_reached(self) -> float:
        done = self.num_timesteps - self._start_timesteps
        return 100.0 * done / self.additional_timesteps if self.additional_timesteps > 0 else 100.0

    def _on_rollout_start(self) -> None:
        if not self.enabled:
            return
        reached = self._pct_reached()
        # Milestones below 100% only: the 100% clip waits for the final model (record_final).
        due = [pct for pct in self._pending() if pct <= reached + 1e-9 and pct < 100.0]
        if not due:
            return
        self._next_index += len(due)  # several passed in one rollout: one clip, for the latest
        self.record(due[-1])

    def _pending(self) -> list[float]:
        if self.every_pct <= 0:
            return []
        count = math.floor(100.0 / self.every_pct + 1e-9)
        pcts = [round(self.every_pct * index, 6) for index in range(self._next_index, count + 1)]
        if not pcts or pcts[-1] < 100.0:
            pcts.append(100.0)  # e.g. every 30%: 30, 60, 90, then 100 at the end
        return pcts

    def record_final(self) -> None:
        """The 100% clip with the final model; the worker calls this after a completed learn()."""
        if self.enabled and 100.0 not in self.recorded:
            self._next_index = 10**9
            self.record(100.0)

    def _stopping(self) -> bool:
        return stop_requested(self.run_dir, self.stop_signal)

    def record(self, pct: float) -> dict[str, Any] | None:
        """Record, save, report one clip; None when it failed or was cut short by a stop request."""
        timestep = self.num_timesteps
        try:
            report = self._record(pct, timestep)
        except ClipStopped:
            print(f"milestone clip at {pct_value(pct)}% skipped: the worker is stopping", flush=True)
            return None
        except Exception as exc:  # noqa: BLE001 - a clip is never worth failing the run over
            message = f"Milestone clip at {pct_value(pct)}% failed: {type(exc).__name__}: {first_line(exc)}"
            print(f"warning: {message}", file=sys.stderr, flush=True)
            if os.environ.get("RETRO_ML_DEBUG"):
                traceback.print_exc()
            self.reporter.write(
                VideoFailedReport(
                    type="video_failed",
                    message=message,
                    video_type="milestone",
                    milestone_pct=pct_value(pct),
                    timestep=timestep,
                )
            )
            return None
        self.recorded.append(pct)
        return report

    def _record(self, pct: float, timestep: int) -> dict[str, Any]:
        label = pct_label(pct)
        self.directory.mkdir(exist_ok=True)
        recording = Recording(
            video_path=self.directory / f"{MILESTONE_VIDEO_PREFIX}{label}.mp4",
            thumbnail_path=self.directory / f"{MILESTONE_VIDEO_PREFIX}{label}.png",
            scale=self.scale,
        )
        episode = play_episode(
            self.model,
            self.env_id,
            seed=self.eval_seed,
            frame_stack=self.frame_stack,
            max_frames=self.max_frames,
            stopping=self._stopping,
            recording=recording,
        )
        return self.reporter.write(
            VideoReport(
                type="video",
                video_type="milestone",
                path=f"{VIDEOS_DIR}/{recording.video_path.name}",
                thumbnail=f"{VIDEOS_DIR}/{recording.thumbnail_path.name}",
                milestone_pct=pct_value(pct),
                timestep=timestep,
                duration=round(episode.duration, 3),
                frames=episode.frames,
                width=episode.width,
                height=episode.height,
                score=episode.score,
                episode_count=1,
            )
        )


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
