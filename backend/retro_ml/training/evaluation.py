"""The evaluation at the end of a completed run: N games of the final model, the best one on video.

With `eval_episodes` = N > 0 in the config (absent or 0: off), the worker plays N games of
the final model after model.zip is saved, with `model.predict(obs, deterministic=True)`,
each on a fresh evaluation env with its own seed (`seed + EVAL_SEED_OFFSET + i`, or a random
base when the run has no seed). Each game is capped at `milestone_max_seconds` of game time,
like the milestone clips.

The games are first played WITHOUT recording (no rendering, upscaling or encoding: several
times faster), and only the best one (highest score; the first of equals) is played again
with the same seed and recorded as `videos/evaluation.mp4` + `videos/evaluation.png`.
The policy is deterministic and the env seeded (sticky actions included), so the replay is
the same game; the report's `score` is what the recorded replay really scored, and a
replay that differs from the game it repeats is a warning in worker.log. `scores` are the
N played games, in play order. One `video` report (video_type "evaluation") says it all.

A failure becomes a warning in worker.log and a `video_failed` report (video_type
"evaluation"); it never fails the run. A stop request during the evaluation skips it quietly.
It runs after training ended, in the worker, or in the clip recorder process when that one
is already up (its clips before it, in order: training/clip_process.py).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from retro_ml.run_contract import (
    EVALUATION_THUMBNAIL,
    EVALUATION_VIDEO,
    VIDEOS_DIR,
    VideoFacts,
    VideoFailedReport,
    VideoReport,
)
from retro_ml.training.episodes import (
    DEFAULT_VIDEO_SCALE,
    NATIVE_FPS,
    ClipStopped,
    EpisodeResult,
    Recording,
    play_episode,
)
from retro_ml.training.failures import first_line
from retro_ml.training.milestones import DEFAULT_MILESTONE_MAX_SECONDS, setting

EVAL_SEED_OFFSET = 2_000_003  # away from the training envs' seeds and from the milestone clips' seed


def evaluation_episodes(settings: dict[str, Any]) -> int:
    """How many games to play at the end (`eval_episodes`; absent, null or below 1: none)."""
    value = settings.get("eval_episodes")
    return max(0, int(value)) if value is not None else 0


def evaluation_seeds(seed: int | None, episodes: int, rng: random.Random | None = None) -> list[int]:
    """One env seed per game: `seed + EVAL_SEED_OFFSET + i`, or consecutive from a random base."""
    base = seed + EVAL_SEED_OFFSET if seed is not None else (rng or random.Random()).randrange(2**31)
    return [base + index for index in range(episodes)]


def best_episode(scores: list[float]) -> int:
    """Index of the highest score; the first of equal ones."""
    if not scores:
        raise ValueError("no scores to pick the best episode from")
    return max(range(len(scores)), key=lambda index: (scores[index], -index))


def score_summary(scores: list[float]) -> VideoFacts:
    """The report's score fields for the played games."""
    best = max(scores)
    return {
        "scores": list(scores),
        "avg_score": statistics.fmean(scores),
        "max_score": best,
        "best_score": best,
        "episode_count": len(scores),
    }


def record_evaluation(
    model: Any, run_dir: Path, env_id: str, settings: dict[str, Any], stopping: Callable[[], bool]
) -> VideoReport | VideoFailedReport | None:
    """Play `eval_episodes` games, record the best; the `video` report to write, or None.

    None when the evaluation is off or was skipped because the worker is stopping (`stopping()`
    said so); a failure gives a `video_failed` report. The caller writes the report: the worker
    itself, or the worker for the clip recorder process (training/clip_process.py).
    """
    episodes = evaluation_episodes(settings)
    if episodes <= 0:
        return None
    timestep = int(model.num_timesteps)
    try:
        return Evaluation(model, run_dir, env_id, settings, stopping).run(episodes, timestep)
    except ClipStopped:
        print("evaluation skipped: the worker is stopping", flush=True)
        return None
    except Exception as exc:  # noqa: BLE001 - the evaluation video is never worth failing the run over
        message = f"Evaluation video failed: {type(exc).__name__}: {first_line(exc)}"
        print(f"warning: {message}", file=sys.stderr, flush=True)
        if os.environ.get("RETRO_ML_DEBUG"):
            traceback.print_exc()
        return VideoFailedReport(type="video_failed", message=message, video_type="evaluation", timestep=timestep)


class Evaluation:
    """Plays the games and records the best one (see the module doc)."""

    def __init__(
        self, model: Any, run_dir: Path, env_id: str, settings: dict[str, Any], stopping: Callable[[], bool]
    ) -> None:
        seed = settings.get("seed")
        self.model = model
        self.directory = run_dir / VIDEOS_DIR
        self.env_id = env_id
        self.seed = int(seed) if seed is not None else None
        self.frame_stack = int(settings.get("frame_stack") or 4)
        max_seconds = setting(settings, "milestone_max_seconds", DEFAULT_MILESTONE_MAX_SECONDS)
        self.max_frames = max(1, int(max_seconds * NATIVE_FPS))
        self.scale = max(1, int(setting(settings, "video_scale", DEFAULT_VIDEO_SCALE)))
        self.stopping = stopping

    def _play(self, seed: int, recording: Recording | None = None) -> EpisodeResult:
        return play_episode(
            self.model,
            self.env_id,
            seed=seed,
            frame_stack=self.frame_stack,
            max_frames=self.max_frames,
            stopping=self.stopping,
            recording=recording,
        )

    def run(self, episodes: int, timestep: int) -> VideoReport:
        started = time.monotonic()
        print(f"evaluation: playing {episodes} games of the final model", flush=True)
        played = [self._play(seed) for seed in evaluation_seeds(self.seed, episodes)]
        scores = [episode.score for episode in played]
        best = played[best_episode(scores)]
        print(f"evaluation: scores {scores} in {time.monotonic() - started:.1f} s; recording the best", flush=True)
        recorded = self._record(best)
        if (recorded.score, recorded.frames) != (best.score, best.frames):
            print(
                f"warning: the recorded evaluation game (seed {best.seed}) scored {recorded.score:g} in "
                f"{recorded.frames} frames, the game it replays {best.score:g} in {best.frames} frames",
                flush=True,
            )
        print(f"evaluation: recorded {EVALUATION_VIDEO} in {time.monotonic() - started:.1f} s in all", flush=True)
        return VideoReport(
            type="video",
            video_type="evaluation",
            path=f"{VIDEOS_DIR}/{EVALUATION_VIDEO}",
            thumbnail=f"{VIDEOS_DIR}/{EVALUATION_THUMBNAIL}",
            timestep=timestep,
            duration=round(recorded.duration, 3),
            frames=recorded.frames,
            width=recorded.width,
            height=recorded.height,
            score=recorded.score,
            **score_summary(scores),
        )

    def _record(self, best: EpisodeResult) -> EpisodeResult:
        """Play the best game again (same seed), recording it."""
        self.directory.mkdir(exist_ok=True)
        recording = Recording(
            video_path=self.directory / EVALUATION_VIDEO,
            thumbnail_path=self.directory / EVALUATION_THUMBNAIL,
            scale=self.scale,
        )
        return self._play(best.seed, recording)
