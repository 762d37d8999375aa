"""Play one episode (game) of a model on a fresh evaluation env, optionally recording it.

Shared by the milestone clips (training/milestones.py) and the evaluation at the end of a
run (training/evaluation.py). The evaluation env is preprocessed exactly like a training env
(SB3's AtariWrapper, frame stack, n_envs=1, its own seed), but the raw emulator runs with
`frameskip=1` under a `FrameTap`, which sees every one of its 60 frames a second: it adds up
the real, unclipped score, notices the end of the game (all lives) and, when recording,
hands every frame to a sink that upscales it (`NearestUpscaler`) and streams it to ffmpeg at
once, so memory stays flat. An episode stops at the end of the game or after `max_frames`.

Actions come from `model.predict(obs, deterministic=True)` and the env is seeded, so playing
the same seed twice with the same model plays the same game: the evaluation relies on that to
play its games without recording and then record only the best one again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import gymnasium
import numpy as np
from numpy.typing import NDArray

from retro_ml.run_contract import STOP_FILE
from retro_ml.training.video import NearestUpscaler, VideoWriter
from retro_ml.training.video.thumbnails import ThumbnailPicker, write_png_atomically

NATIVE_FPS = 60
DEFAULT_VIDEO_SCALE = 3
STOP_CHECK_EVERY_FRAMES = 60

FrameSink = Callable[[NDArray[np.uint8]], None]


class ClipStopped(Exception):
    """The worker was asked to stop while an episode was being played or recorded."""


class FrameTap(gymnasium.Wrapper[Any, Any, Any, Any]):
    """Counts every emulator frame (after reset and after every raw step) and hands it to `sink`.

    Sits right on the raw `frameskip=1` env, under AtariWrapper, so it sees all 60 frames a
    second. Only the first game is counted: once the raw env ends the game, frames of the
    automatic reset that follows are dropped. `score` sums the raw, unclipped rewards. With no
    `sink` nothing is rendered: the frames are only counted (playing without recording).
    """

    def __init__(self, env: gymnasium.Env[Any, Any], sink: FrameSink | None, max_frames: int) -> None:
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
        if self.sink is not None:
            frame = self.env.render()
            if frame is None:
                raise RuntimeError("the evaluation env rendered no frame (render_mode must be 'rgb_array')")
            self.sink(np.asarray(frame, dtype=np.uint8))
        self.frames += 1


def stop_requested(run_dir: Path, stop_signal: threading.Event | None) -> bool:
    """True once the worker got SIGTERM (`stop_signal`) or the run folder has a STOP file."""
    if stop_signal is not None and stop_signal.is_set():
        return True
    return (run_dir / STOP_FILE).exists()


@dataclass(frozen=True)
class Recording:
    """Where to record an episode: the mp4, its PNG thumbnail, the upscaling factor."""

    video_path: Path
    thumbnail_path: Path
    scale: int = DEFAULT_VIDEO_SCALE


@dataclass(frozen=True)
class EpisodeResult:
    """One played episode. `width`/`height`/`video_path`/`thumbnail_path` only when recorded."""

    seed: int
    score: float
    frames: int
    game_over: bool  # False: cut at max_frames
    steps: int = 0  # agent steps (model decisions), each a few emulator frames
    width: int | None = None
    height: int | None = None
    video_path: Path | None = None
    thumbnail_path: Path | None = None

    @property
    def duration(self) -> float:
        """Game time in seconds (the video's length when recorded)."""
        return self.frames / NATIVE_FPS


class _Recorder:
    """The frame sink of a recorded episode: upscale, stream to ffmpeg, sample thumbnails.

    The writer is opened on the first frame, when the frame size is known.
    """

    def __init__(self, recording: Recording) -> None:
        self.recording = recording
        self.thumbnails = ThumbnailPicker()
        self.upscale: NearestUpscaler | None = None
        self.writer: VideoWriter | None = None

    def __call__(self, frame: NDArray[np.uint8]) -> None:
        if self.upscale is None or self.writer is None:
            self.upscale = NearestUpscaler(frame.shape, max(1, int(self.recording.scale)))
            writer = VideoWriter(self.recording.video_path, self.upscale.width, self.upscale.height, fps=NATIVE_FPS)
            self.writer = writer.open()
        self.thumbnails.offer(frame)
        self.writer.write(self.upscale(frame))

    def finish(self) -> tuple[int, int]:
        """Write the thumbnail, then finish the video under its final name; returns (width, height)."""
        thumbnail = self.thumbnails.pick()
        if self.writer is None or self.upscale is None or thumbnail is None:
            raise RuntimeError("the episode produced no frames")
        write_png_atomically(self.recording.thumbnail_path, self.upscale(thumbnail))
        self.writer.close()
        return self.writer.width, self.writer.height

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.abort()


class EpisodeGame:
    """One game of `model` on a fresh evaluation env seeded with `seed`, played one agent step at a time.

    `sink` gets every emulator frame (see FrameTap); `over` once the game ended or `max_frames`
    were played. `play_episode` plays one to the end; the comparison video
    (training/comparison_video.py) steps several side by side. Close it when done.
    """

    def __init__(
        self, model: Any, env_id: str, seed: int, frame_stack: int, max_frames: int, sink: FrameSink | None = None
    ) -> None:
        from stable_baselines3.common.env_util import make_atari_env
        from stable_baselines3.common.vec_env import DummyVecEnv, VecFrameStack

        from retro_ml.training import envs  # noqa: F401 - registers the ALE/ ids

        taps: list[FrameTap] = []

        def make_env(**kwargs: Any) -> gymnasium.Env[Any, Any]:
            tap = FrameTap(gymnasium.make(env_id, **kwargs), sink, max_frames)
            taps.append(tap)
            return tap

        self.model = model
        self.seed = seed
        env = make_atari_env(
            make_env,
            n_envs=1,
            seed=seed,
            env_kwargs={"render_mode": "rgb_array", "frameskip": 1},
            vec_env_cls=DummyVecEnv,
        )
        try:
            self.env = VecFrameStack(env, n_stack=frame_stack)
            self.observation: Any = self.env.reset()
        except BaseException:
            env.close()
            raise
        self.tap = taps[0]
        self.steps = 0

    @property
    def over(self) -> bool:
        return self.tap.game_over or self.tap.full

    @property
    def frames(self) -> int:
        return self.tap.frames

    @property
    def score(self) -> float:
        return self.tap.score

    def step(self) -> None:
        """One agent step (`model.predict(obs, deterministic=True)`): a few emulator frames."""
        action, _ = self.model.predict(self.observation, deterministic=True)
        self.observation, _, _, _ = self.env.step(action)
        self.steps += 1

    def result(self) -> EpisodeResult:
        tap = self.tap
        return EpisodeResult(
            seed=self.seed, score=tap.score, frames=tap.frames, game_over=tap.game_over, steps=self.steps
        )

    def close(self) -> None:
        self.env.close()


def play_episode(
    model: Any,
    env_id: str,
    seed: int,
    frame_stack: int,
    max_frames: int,
    stopping: Callable[[], bool],
    recording: Recording | None = None,
) -> EpisodeResult:
    """Play one game of `model` on a fresh env seeded with `seed` (see the module doc).

    `stopping()` is asked every STOP_CHECK_EVERY_FRAMES frames; when it says yes the episode
    ends with ClipStopped. With a `recording`, the video and thumbnail are written (temporary
    names, then renamed); on any error nothing half-written is left under the final names.
    """
    recorder = _Recorder(recording) if recording is not None else None
    game = EpisodeGame(model, env_id, seed, frame_stack, max_frames, recorder)
    try:
        checked_at = 0
        while not game.over:
            game.step()
            if game.frames - checked_at >= STOP_CHECK_EVERY_FRAMES:
                checked_at = game.frames
                if stopping():
                    raise ClipStopped()
        if recorder is None or recording is None:
            return game.result()
        width, height = recorder.finish()
    except BaseException:
        if recorder is not None:
            recorder.abort()
        raise
    finally:
        game.close()
    return replace(
        game.result(),
        width=width,
        height=height,
        video_path=recording.video_path,
        thumbnail_path=recording.thumbnail_path,
    )
