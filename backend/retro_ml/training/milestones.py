"""Milestone clips: one episode of the current policy recorded at every N% of the run.

At 10%, 20%, ... of this run's steps (`milestone_every_pct`, 0 = off) the worker plays ONE
episode on a separate evaluation env with `model.predict(obs, deterministic=True)` and
writes `videos/milestone_<pct>.mp4` (H.264 yuv420p, 60 fps), plus a PNG thumbnail, then
reports `video`. The 100% clip is recorded by the worker with the final model, after
training and after model.zip is saved (`record_final`).

The evaluation env is preprocessed exactly like a training env (SB3's AtariWrapper, frame
stack, n_envs=1, its own seed), but every emulator frame is recorded, not one per agent
step: `FrameTap`, a wrapper under AtariWrapper, hands the screen after every raw step to
the recorder, which upscales it (`NearestUpscaler`) and streams it to ffmpeg at once, so
memory stays flat. A clip stops at the end of the game (all lives) or after
`milestone_max_seconds`.

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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gymnasium
import numpy as np
from numpy.typing import NDArray
from stable_baselines3.common.callbacks import BaseCallback

from retro_ml.training.reporting import ReportWriter

VIDEOS_DIR_NAME = "videos"
NATIVE_FPS = 60
DEFAULT_MILESTONE_EVERY_PCT = 10.0
DEFAULT_MILESTONE_MAX_SECONDS = 120.0
DEFAULT_VIDEO_SCALE = 3
EVAL_SEED_OFFSET = 1_000_003  # the eval env's seed, away from the training envs' seed..seed+n_envs-1
THUMBNAIL_SAMPLES = 64  # raw frames kept to pick the thumbnail from (~100 kB each)
STOP_CHECK_EVERY_FRAMES = 60

FrameSink = Callable[[NDArray[np.uint8]], None]


class ClipStopped(Exception):
    """The worker was asked to stop while a clip was being recorded."""


class FrameTap(gymnasium.Wrapper[Any, Any, Any, Any]):
    """Hands every emulator frame to `sink` (after reset and after every raw step).

    Sits right on the raw `frameskip=1` env, under AtariWrapper, so it sees all 60 frames a
    second. Only the first game is passed on: once the raw env ends the game, frames of the
    automatic reset that follows are dropped. `score` sums the raw, unclipped rewards.
    """

    def __init__(self, env: gymnasium.Env[Any, Any], sink: FrameSink, max_frames: int) -> None:
        super().__init__(env)
        self.sink = sink
        self.max_frames = max_frames
        self.frames = 0
        self.score = 0.0
        self.game_over = False

    @property
    def full(self) -> bool:
        return self.frames >= self.max_frames

    def reset(self, **kwargs: Any) -> Any:
        result = self.env.reset(**kwargs)
        self._emit()
        return result

    def step(self, action: Any) -> Any:
        observation, reward, terminated, truncated, info = self.env.step(action)
        if not self.game_over and not self.full:
            self.score += float(reward)
        self._emit()
        if terminated or truncated:
            self.game_over = True
        return observation, reward, terminated, truncated, info

    def _emit(self) -> None:
        if self.game_over or self.full:
            return
        frame = self.env.render()
        if frame is None:
            raise RuntimeError("the evaluation env rendered no frame (render_mode must be 'rgb_array')")
        self.sink(np.asarray(frame, dtype=np.uint8))
        self.frames += 1


class ThumbnailPicker:
    """Keeps a bounded, evenly spaced sample of frames to pick the one at 1/3 of the clip.

    Every `stride`-th frame is copied; when `capacity` copies are held, every other one is
    dropped and the stride doubles, so memory stays bounded however long the clip is.
    """

    def __init__(self, capacity: int = THUMBNAIL_SAMPLES) -> None:
        self.capacity = max(2, capacity)
        self.stride = 1
        self.count = 0
        self.samples: list[tuple[int, NDArray[np.uint8]]] = []

    def offer(self, frame: NDArray[np.uint8]) -> None:
        if self.count % self.stride == 0:
            self.samples.append((self.count, frame.copy()))
            if len(self.samples) >= self.capacity:
                self.samples = self.samples[::2]
                self.stride *= 2
        self.count += 1

    def pick(self, fraction: float = 1 / 3) -> NDArray[np.uint8] | None:
        if not self.samples:
            return None
        target = (self.count - 1) * fraction
        return min(self.samples, key=lambda sample: abs(sample[0] - target))[1]


def setting(settings: dict[str, Any], key: str, default: float) -> float:
    value = settings.get(key)
    return float(default if value is None else value)


def pct_label(pct: float) -> str:
    """10 -> "010", 12.5 -> "012.5": sorts by name, stays readable."""
    return f"{int(pct):03d}" if float(pct).is_integer() else f"{pct:05.1f}"


def pct_value(pct: float) -> int | float:
    return int(pct) if float(pct).is_integer() else pct


def write_png_atomically(path: Path, rgb: NDArray[np.uint8]) -> None:
    import cv2

    ok, encoded = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    if not ok:
        raise RuntimeError(f"OpenCV could not encode the thumbnail {path.name}")
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_bytes(encoded.tobytes())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


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
        self.directory = run_dir / VIDEOS_DIR_NAME
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
        if self.stop_signal is not None and self.stop_signal.is_set():
            return True
        from retro_ml.training.callbacks import STOP_FILE_NAME

        return (self.run_dir / STOP_FILE_NAME).exists()

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
                "video_failed",
                message=message,
                video_type="milestone",
                milestone_pct=pct_value(pct),
                timestep=timestep,
            )
            return None
        self.recorded.append(pct)
        return report

    def _record(self, pct: float, timestep: int) -> dict[str, Any]:
        from stable_baselines3.common.env_util import make_atari_env
        from stable_baselines3.common.vec_env import DummyVecEnv, VecFrameStack

        from retro_ml.training import envs  # noqa: F401 - registers the ALE/ ids
        from retro_ml.training.video import NearestUpscaler, VideoWriter

        label = pct_label(pct)
        self.directory.mkdir(exist_ok=True)
        video_path = self.directory / f"milestone_{label}.mp4"
        thumbnail_path = self.directory / f"milestone_{label}.png"
        state: dict[str, Any] = {}
        thumbnails = ThumbnailPicker()

        def sink(frame: NDArray[np.uint8]) -> None:
            writer: VideoWriter | None = state.get("writer")
            if writer is None:
                upscale = NearestUpscaler(frame.shape, self.scale)
                writer = VideoWriter(video_path, upscale.width, upscale.height, fps=NATIVE_FPS)
                state["upscale"], state["writer"] = upscale, writer.open()
            thumbnails.offer(frame)
            writer.write(state["upscale"](frame))

        taps: list[FrameTap] = []

        def make_env(**kwargs: Any) -> gymnasium.Env[Any, Any]:
            tap = FrameTap(gymnasium.make(self.env_id, **kwargs), sink, self.max_frames)
            taps.append(tap)
            return tap

        env = make_atari_env(
            make_env,
            n_envs=1,
            seed=self.eval_seed,
            env_kwargs={"render_mode": "rgb_array", "frameskip": 1},
            vec_env_cls=DummyVecEnv,
        )
        try:
            env = VecFrameStack(env, n_stack=self.frame_stack)
            observation: Any = env.reset()
            tap = taps[0]
            checked_at = 0
            while not (tap.game_over or tap.full):
                action, _ = self.model.predict(observation, deterministic=True)
                observation, _, _, _ = env.step(action)
                if tap.frames - checked_at >= STOP_CHECK_EVERY_FRAMES:
                    checked_at = tap.frames
                    if self._stopping():
                        raise ClipStopped()
            writer = state.get("writer")
            thumbnail = thumbnails.pick()
            if writer is None or thumbnail is None:
                raise RuntimeError("the episode produced no frames")
            upscale = state["upscale"]
            write_png_atomically(thumbnail_path, upscale(thumbnail))
            writer.close()
        except BaseException:
            if state.get("writer") is not None:
                state["writer"].abort()
            raise
        finally:
            env.close()
        return self.reporter.write(
            "video",
            video_type="milestone",
            path=f"{VIDEOS_DIR_NAME}/{video_path.name}",
            thumbnail=f"{VIDEOS_DIR_NAME}/{thumbnail_path.name}",
            milestone_pct=pct_value(pct),
            timestep=timestep,
            duration=round(writer.duration_seconds, 3),
            frames=writer.frames_written,
            width=writer.width,
            height=writer.height,
            score=tap.score,
            episode_count=1,
        )


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
