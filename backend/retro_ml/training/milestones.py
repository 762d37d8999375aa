"""Milestone clips: one episode of the current policy recorded at every N% of the run.

At 10%, 20%, ... of this run's steps (`milestone_every_pct`, 0 = off) the worker plays ONE
episode on a separate evaluation env with `model.predict(obs, deterministic=True)` and
writes `videos/milestone_<pct>.mp4` (H.264 yuv420p, 60 fps), plus a PNG thumbnail, then
reports `video`. The 100% clip is recorded with the final model, after training and after
model.zip is saved (`record_final`).

Where a clip is recorded (training/clip_process.py decides, by the cores there are):
- beside training, with spare cores: the policy is saved to a temporary file and the clip
  recorder process (one per worker, clips in order) plays and records it while training
  goes on; its report comes back to this process, the only writer of events.jsonl;
- in the worker, training paused, on a small machine (2 cores), where a second process
  would only take the cores training needs and cost its own start-up on top.
Either way the clip's seconds are left out of the training time (fps, elapsed, ETA).

The episode is played and recorded by training/episodes.py: the evaluation env is
preprocessed exactly like a training env (SB3's AtariWrapper, frame stack, n_envs=1, its own
seed), but every emulator frame is recorded, not one per agent step: `FrameTap`, a wrapper
under AtariWrapper, hands the screen after every raw step to the recorder, which upscales it
(`NearestUpscaler`) and streams it to ffmpeg at once, so memory stays flat. A clip stops at
the end of the game (all lives) or after `milestone_max_seconds`.

Like checkpoints, the due check runs when a new rollout starts (between training updates).
A recording error never stops training: it becomes a warning in worker.log and a
`video_failed` report.
"""

from __future__ import annotations

import math
import os
import random
import sys
import threading
import time
import traceback
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stable_baselines3.common.callbacks import BaseCallback

from retro_ml.run_contract import MILESTONE_VIDEO_PREFIX, VIDEOS_DIR, VideoFailedReport, VideoReport
from retro_ml.training.callbacks import ActiveClock
from retro_ml.training.clip_process import ClipRecorderProcess
from retro_ml.training.episodes import (
    DEFAULT_VIDEO_SCALE,
    NATIVE_FPS,
    ClipStopped,
    Recording,
    play_episode,
    stop_requested,
)
from retro_ml.training.failures import first_line
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


@dataclass(frozen=True)
class ClipSettings:
    """What every milestone clip of a run shares; `seed` is the evaluation env's."""

    run_dir: Path
    env_id: str
    frame_stack: int
    seed: int
    max_frames: int
    scale: int

    @classmethod
    def from_settings(cls, run_dir: Path, env_id: str, settings: dict[str, Any]) -> ClipSettings:
        """Configured by `milestone_max_seconds`, `video_scale`, `frame_stack`, `seed` (absent: defaults)."""
        seed = settings.get("seed")
        max_seconds = setting(settings, "milestone_max_seconds", DEFAULT_MILESTONE_MAX_SECONDS)
        return cls(
            run_dir=run_dir,
            env_id=env_id,
            frame_stack=int(settings.get("frame_stack") or 4),
            seed=int(seed) + EVAL_SEED_OFFSET if seed is not None else random.randrange(2**31),
            max_frames=max(1, int(max_seconds * NATIVE_FPS)),
            scale=max(1, int(setting(settings, "video_scale", DEFAULT_VIDEO_SCALE))),
        )


def record_clip(
    model: Any, clip: ClipSettings, pct: float, timestep: int, stopping: Callable[[], bool]
) -> VideoReport | VideoFailedReport | None:
    """Play and record one clip; the report to write, or None when a stop request cut it short.

    A failure is a warning in worker.log (this process's stderr) and a `video_failed` report.
    """
    started = time.monotonic()
    try:
        report = _record_clip(model, clip, pct, timestep, stopping)
    except ClipStopped:
        print(f"milestone clip at {pct_value(pct)}% skipped: the worker is stopping", flush=True)
        return None
    except Exception as exc:  # noqa: BLE001 - a clip is never worth failing the run over
        return clip_failed(pct, timestep, exc)
    print(f"milestone clip at {pct_value(pct)}%: recorded in {time.monotonic() - started:.1f} s", flush=True)
    return report


def clip_failed(pct: float, timestep: int, exc: BaseException) -> VideoFailedReport:
    """The `video_failed` report of a clip, with its warning in worker.log."""
    message = f"Milestone clip at {pct_value(pct)}% failed: {type(exc).__name__}: {first_line(exc)}"
    print(f"warning: {message}", file=sys.stderr, flush=True)
    if os.environ.get("RETRO_ML_DEBUG"):
        traceback.print_exc()
    return VideoFailedReport(
        type="video_failed", message=message, video_type="milestone", milestone_pct=pct_value(pct), timestep=timestep
    )


def _record_clip(
    model: Any, clip: ClipSettings, pct: float, timestep: int, stopping: Callable[[], bool]
) -> VideoReport:
    label = pct_label(pct)
    directory = clip.run_dir / VIDEOS_DIR
    directory.mkdir(exist_ok=True)
    recording = Recording(
        video_path=directory / f"{MILESTONE_VIDEO_PREFIX}{label}.mp4",
        thumbnail_path=directory / f"{MILESTONE_VIDEO_PREFIX}{label}.png",
        scale=clip.scale,
    )
    episode = play_episode(
        model,
        clip.env_id,
        seed=clip.seed,
        frame_stack=clip.frame_stack,
        max_frames=clip.max_frames,
        stopping=stopping,
        recording=recording,
    )
    return VideoReport(
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


class MilestoneVideoCallback(BaseCallback):
    """Records `videos/milestone_<pct>.mp4` at every `every_pct` percent (see module doc).

    With a `side_recorder` the clips go to the clip recorder process; without one they are
    recorded here, training paused, and `clock` leaves their seconds out of the training time.
    """

    def __init__(
        self,
        reporter: ReportWriter,
        clip: ClipSettings,
        additional_timesteps: int,
        clock: ActiveClock | None = None,
        stop_signal: threading.Event | None = None,
        every_pct: float = DEFAULT_MILESTONE_EVERY_PCT,
        side_recorder: ClipRecorderProcess | None = None,
    ) -> None:
        super().__init__(verbose=0)
        self.reporter = reporter
        self.clip = clip
        self.run_dir = clip.run_dir
        self.additional_timesteps = additional_timesteps
        self.clock = clock
        self.stop_signal = stop_signal
        self.every_pct = every_pct if every_pct > 0 else 0.0
        self.side_recorder = side_recorder
        self.recorded: list[float] = []  # recorded here; the side recorder reports its own
        self._final_done = False
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
        clock: ActiveClock | None = None,
        stop_signal: threading.Event | None = None,
        side_recorder: ClipRecorderProcess | None = None,
    ) -> MilestoneVideoCallback:
        """Configured by `milestone_every_pct` and the ClipSettings' keys (absent: defaults)."""
        return cls(
            reporter,
            ClipSettings.from_settings(run_dir, env_id, settings),
            additional_timesteps,
            clock=clock,
            stop_signal=stop_signal,
            every_pct=setting(settings, "milestone_every_pct", DEFAULT_MILESTONE_EVERY_PCT),
            side_recorder=side_recorder,
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

    def record_final(self, model_path: Path) -> None:
        """The 100% clip with the final model (saved at `model_path`), after a completed learn()."""
        if self.enabled and not self._final_done:
            self._final_done = True
            self._next_index = 10**9
            if self.side_recorder is not None and self.side_recorder.started:
                # Its earlier clips may still be queued: the 100% one comes after them.
                self.side_recorder.submit_milestone(model_path, 100.0, self.num_timesteps, self.clip.seed)
            else:
                self._record_here(100.0)

    def _stopping(self) -> bool:
        return stop_requested(self.run_dir, self.stop_signal)

    def record(self, pct: float) -> None:
        """Record and report one clip: handed to the side recorder, or recorded here."""
        if self.side_recorder is None:
            self._record_here(pct)
            return
        with self._excluded():  # saving the policy is the one pause a clip beside training costs
            try:
                self.side_recorder.submit_current_policy(self.model, pct, self.num_timesteps, self.clip.seed)
            except Exception as exc:  # noqa: BLE001 - a clip is never worth failing the run over
                self.reporter.write(clip_failed(pct, self.num_timesteps, exc))

    def _record_here(self, pct: float) -> None:
        with self._excluded():
            report = record_clip(self.model, self.clip, pct, self.num_timesteps, self._stopping)
        if report is not None:
            self.reporter.write(report)
            if report["type"] == "video":
                self.recorded.append(pct)

    def _excluded(self) -> AbstractContextManager[None]:
        return self.clock.excluded() if self.clock is not None else nullcontext()
