"""The long "watch it learn" video: footage of training env 0, sampled evenly across the run.

`GameTap` sits on env 0's raw emulator (frameskip 1, under SB3's AtariWrapper), so when it
films it sees every one of the 60 frames a second; when it does not, it costs one attribute
check per frame. `LongVideoCallback` decides once per agent step what the tap does
(`LongVideoPlan`: whole games, evenly across the run, `video_length_hours` in all) and
passes each filmed screen with its caption (step, episode, score, best so far) to a
`SegmentedRecorder`, which encodes in a background thread and a low-priority ffmpeg.

Every finished segment (`videos/hour/segment_NNNN.mp4`, `video_segment_seconds` long) is
reported as a `video` of type `hour` with its `segment` number, so it is listed and
playable at once. When training ends (completed, stopped or failed) the segments are joined
without re-encoding into `videos/watch_it_learn.mp4`, reported without `segment`, and the
parts are deleted. If the worker is killed, the finished segments stay listed.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import gymnasium
import numpy as np
from stable_baselines3.common.callbacks import BaseCallback

from retro_ml.run_contract import (
    LONG_VIDEO,
    LONG_VIDEO_PART_PREFIX,
    LONG_VIDEO_PARTS_DIR,
    LONG_VIDEO_THUMBNAIL,
    VIDEOS_DIR,
    VideoFailedReport,
    VideoReport,
)
from retro_ml.training.callbacks import EpisodeStats
from retro_ml.training.failures import first_line
from retro_ml.training.long_video_plan import LongVideoPlan, TapMode
from retro_ml.training.reporting import ReportWriter
from retro_ml.training.video.overlay import Caption
from retro_ml.training.video.segments import Segment, SegmentedRecorder, upscale

NATIVE_FPS = 60
DEFAULT_SEGMENT_SECONDS = 300.0
# ×2, not the clips' ×3: hours of footage at ×3 cost twice the CPU (bench/video_recorder.py);
# exports upscale further with the same nearest-neighbour scaling.
DEFAULT_LONG_VIDEO_SCALE = 2
# ultrafast, not the clips' veryfast: the long video encodes ~280 frames/s of env 0 beside training
# for most of a run. On Atari screens at crf 23 the presets give the same picture (PSNR 31.1 dB
# each) and ultrafast costs x264 less than half the CPU, for files ~1.7x larger (~40 MB an hour).
ENCODER_PRESET = "ultrafast"
THUMBNAIL_FRACTION = 0.75  # the joined video's thumbnail: late in the run, the agent at its best


class GameTap(gymnasium.Wrapper[Any, Any, Any, Any]):
    """Films env 0's raw frames when told to (`mode`), and keeps the current game's score.

    A raw `reset()` starts a new game (AtariWrapper's life-loss resets do not reach here).
    ARMED turns to ON at the next game start; UNTIL_GAME_END turns OFF when the game ends.
    """

    def __init__(self, env: gymnasium.Env[Any, Any]) -> None:
        super().__init__(env)
        self.mode = TapMode.OFF
        self.score = 0.0
        self.frames = 0  # frames filmed in all
        self.callback: LongVideoCallback | None = None

    def reset(self, **kwargs: Any) -> Any:
        result = self.env.reset(**kwargs)
        self.score = 0.0
        if self.mode is TapMode.ARMED:
            self.mode = TapMode.ON
        self._film()
        return result

    def step(self, action: Any) -> Any:
        observation, reward, terminated, truncated, info = self.env.step(action)
        self.score += float(reward)
        self._film()
        if (terminated or truncated) and self.mode in (TapMode.ON, TapMode.UNTIL_GAME_END):
            if self.callback is not None:
                self.callback.game_ended(self.score)
            if self.mode is TapMode.UNTIL_GAME_END:
                self.mode = TapMode.OFF
        return observation, reward, terminated, truncated, info

    def _film(self) -> None:
        if self.mode in (TapMode.ON, TapMode.UNTIL_GAME_END) and self.callback is not None:
            self.frames += 1
            self.callback.film(self.env.unwrapped.ale.getScreenRGB(), self.score)  # type: ignore[attr-defined]


class LongVideoCallback(BaseCallback):
    def __init__(
        self,
        reporter: ReportWriter,
        run_dir: Path,
        tap: GameTap,
        additional_timesteps: int,
        episode_stats: EpisodeStats,
        target_seconds: float,
        segment_seconds: float = DEFAULT_SEGMENT_SECONDS,
        scale: int = DEFAULT_LONG_VIDEO_SCALE,
    ) -> None:
        super().__init__(verbose=0)
        self.reporter = reporter
        self.videos_dir = run_dir / VIDEOS_DIR
        self.tap = tap
        tap.callback = self
        self.additional_timesteps = additional_timesteps
        self.plan = LongVideoPlan(target_seconds)
        self.recorder = SegmentedRecorder(
            self.videos_dir / LONG_VIDEO_PARTS_DIR,
            LONG_VIDEO_PART_PREFIX,
            scale=max(1, int(scale)),
            fps=NATIVE_FPS,
            segment_frames=max(1, round(segment_seconds * NATIVE_FPS)),
            on_segment=self._report_segment,
            preset=ENCODER_PRESET,
        )
        self.episode_stats = episode_stats  # kept by TrainingProgressCallback, which runs first
        self.scores: list[float] = []
        self.spans: list[list[int]] = []  # [first, last] timestep of each stretch filmed
        self.failed = False
        self._start_timesteps = 0
        self._finished = False

    @classmethod
    def from_settings(
        cls,
        reporter: ReportWriter,
        run_dir: Path,
        tap: GameTap,
        additional_timesteps: int,
        episode_stats: EpisodeStats,
        settings: dict[str, Any],
    ) -> LongVideoCallback:
        """Configured by `video_length_hours`, `video_segment_seconds` and `long_video_scale`."""
        return cls(
            reporter,
            run_dir,
            tap,
            additional_timesteps,
            episode_stats,
            target_seconds=target_seconds_of(settings),
            segment_seconds=float(settings.get("video_segment_seconds") or DEFAULT_SEGMENT_SECONDS),
            scale=int(settings.get("long_video_scale") or DEFAULT_LONG_VIDEO_SCALE),
        )

    @property
    def recorded_seconds(self) -> float:
        return self.tap.frames / NATIVE_FPS

    def _on_training_start(self) -> None:
        self._start_timesteps = self.num_timesteps
        self._update_mode()

    def _on_step(self) -> bool:
        self._update_mode()
        return True

    def _update_mode(self) -> None:
        if self.failed:
            self.tap.mode = TapMode.OFF
            return
        done = self.num_timesteps - self._start_timesteps
        progress = done / self.additional_timesteps if self.additional_timesteps > 0 else 1.0
        self.tap.mode = self.plan.decide(self.tap.mode, progress, self.recorded_seconds)

    # -- called by the tap, in the training thread ------------------------------------------

    def film(self, screen: np.ndarray[Any, Any], score: float) -> None:
        if self.failed:
            return
        timestep = self.num_timesteps
        if not self.spans or self.spans[-1][1] < timestep - self._steps_per_call():
            self.spans.append([timestep, timestep])
        self.spans[-1][1] = timestep
        try:
            self.recorder.put(
                screen, Caption(timestep, self.episode_stats.episodes, score, self.episode_stats.best_reward)
            )
        except Exception as exc:  # noqa: BLE001 - the video is never worth the run
            self._fail(exc)

    def game_ended(self, score: float) -> None:
        if self.failed:
            return
        self.scores.append(score)
        try:
            self.recorder.game_ended(score)
        except Exception as exc:  # noqa: BLE001
            self._fail(exc)

    def _steps_per_call(self) -> int:
        return int(getattr(self.training_env, "num_envs", 1) or 1) if self.training_env is not None else 1

    # -- reports --------------------------------------------------------------------------

    def _report_segment(self, segment: Segment) -> None:
        """In the encoder thread: a finished part is listed at once."""
        self.reporter.write(
            VideoReport(
                type="video",
                video_type="hour",
                segment=segment.index,
                path=self._relative(segment.path),
                thumbnail=self._relative(segment.thumbnail) if segment.thumbnail.is_file() else None,
                timestep=segment.last_timestep,
                duration=round(segment.duration, 3),
                frames=segment.frames,
                width=segment.width,
                height=segment.height,
                scores=segment.scores,
                episode_count=len(segment.scores),
                max_score=max(segment.scores) if segment.scores else None,
                avg_score=float(np.mean(segment.scores)) if segment.scores else None,
                target_seconds=self.plan.target_seconds,
            )
        )

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.videos_dir.parent).as_posix()

    def finish(self) -> dict[str, Any] | None:
        """Close the last segment, join the parts into watch_it_learn.mp4 and report it."""
        if self._finished:
            return None
        self._finished = True
        self.tap.mode = TapMode.OFF
        self.tap.callback = None
        if self.failed:
            self.recorder.abort()
            return None
        try:
            segments = self.recorder.finish()
            if not segments:
                return None
            return self._join(segments)
        except Exception as exc:  # noqa: BLE001
            self._fail(exc)
            return None

    def _join(self, segments: list[Segment]) -> dict[str, Any]:
        from retro_ml.training.video import concat_segments
        from retro_ml.training.video.thumbnails import write_png_atomically

        video_path = concat_segments([s.path for s in segments], self.videos_dir / LONG_VIDEO)
        thumbnail_path = self.videos_dir / LONG_VIDEO_THUMBNAIL
        picked = self.recorder.overall_thumbnails.pick(THUMBNAIL_FRACTION)
        if picked is not None:
            write_png_atomically(thumbnail_path, upscale(picked, self.recorder.scale))
        frames = sum(s.frames for s in segments)
        report = self.reporter.write(
            VideoReport(
                type="video",
                video_type="hour",
                path=self._relative(video_path),
                thumbnail=self._relative(thumbnail_path) if picked is not None else None,
                timestep=segments[-1].last_timestep,
                duration=round(frames / NATIVE_FPS, 3),
                frames=frames,
                width=segments[0].width,
                height=segments[0].height,
                scores=self.scores,
                episode_count=len(self.scores),
                avg_score=float(np.mean(self.scores)) if self.scores else None,
                max_score=max(self.scores) if self.scores else None,
                best_score=self.episode_stats.best_reward,
                target_seconds=self.plan.target_seconds,
                segments_joined=len(segments),
                sampled_timesteps=self.spans,
            )
        )
        shutil.rmtree(self.videos_dir / LONG_VIDEO_PARTS_DIR, ignore_errors=True)  # the parts, now joined
        return report

    def _fail(self, exc: BaseException) -> None:
        if self.failed:
            return
        self.failed = True
        self.tap.mode = TapMode.OFF
        message = f"The long video stopped recording: {type(exc).__name__}: {first_line(exc)}"
        print(f"warning: {message}", file=sys.stderr, flush=True)
        self.reporter.write(
            VideoFailedReport(type="video_failed", message=message, video_type="hour", timestep=self.num_timesteps)
        )


def target_seconds_of(settings: dict[str, Any]) -> float:
    """`video_length_hours` in seconds; 0 (off) when absent."""
    hours = settings.get("video_length_hours")
    return max(0.0, float(hours or 0.0)) * 3600.0
