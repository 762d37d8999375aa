"""Games of one saved model (a model version of the Models tab): load it, play N seeded games, film the best.

Everything here runs in the `model-job` subprocess (training/model_job.py), never in the main
process. The games are the evaluation's (training/evaluation.py, training/episodes.py): the
`ALE/*-v5` env with the training env's preprocessing (SB3's AtariWrapper, frames stacked as the
model was trained), v5's sticky actions (25%), `model.predict(obs, deterministic=True)`, the
real unclipped score over all lives. Game i is played on seed `seed + i`, so every model of a
comparison meets the same games, and replaying a seed replays the same game (that is how the
best game is filmed after all were played without recording). Each game is capped at
`max_seconds` of game time (60 emulator frames a second); a capped game counts with the score
it had when cut.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retro_ml.training.episodes import NATIVE_FPS, EpisodeResult, Recording, play_episode
from retro_ml.training.evaluation import best_episode

DEFAULT_MAX_SECONDS = 120.0  # like the milestone clips' and the run evaluation's cap (milestone_max_seconds)
DEFAULT_VIDEO_SCALE = 3

GameCallback = Callable[[int, EpisodeResult], None]


class ModelFileError(Exception):
    """The model file is missing or is no SB3 model of the named algorithm; the message says which."""


def load_model_file(path: Path, algorithm: str) -> Any:
    """The SB3 model saved at `path`, on the CPU, ready to predict (not to train).

    Its learning-rate and clip-range schedules are replaced through `custom_objects`, so they
    are never unpickled (a model saved by another Python can carry schedule objects this one
    cannot load: playing needs none of them); a DQN gets a one-slot replay buffer.
    """
    from retro_ml.training.algorithms import ALGORITHM_CLASSES

    name = algorithm.lower()
    if name not in ALGORITHM_CLASSES:
        raise ModelFileError(f"Unknown algorithm {algorithm!r}: a model version is PPO or DQN.")
    if not path.is_file():
        raise ModelFileError(f"The model file {path} does not exist.")
    custom_objects: dict[str, Any] = {
        "learning_rate": 0.0,
        "lr_schedule": lambda _progress: 0.0,
        "clip_range": lambda _progress: 0.0,
    }
    if name == "dqn":
        custom_objects["buffer_size"] = 1
    try:
        return ALGORITHM_CLASSES[name].load(path, device="cpu", custom_objects=custom_objects)
    except MemoryError:
        raise
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ModelFileError(
            f"The model file {path.name} cannot be loaded as a {name.upper()} model ({type(exc).__name__}: {first})."
        ) from exc


def frame_stack_of(model: Any) -> int:
    """How many frames the model sees at once: the channel axis of its (channel-first) observations."""
    shape = tuple(model.observation_space.shape)
    if len(shape) != 3:
        raise ModelFileError(f"The model expects observations of shape {shape}, not stacked Atari frames.")
    return int(min(shape[0], shape[-1]))  # (4, 84, 84) as SB3 saves it; (84, 84, 4) channel-last


def game_seeds(seed: int, episodes: int) -> list[int]:
    """Game i's env seed: `seed + i` (the same list for every model of a comparison)."""
    return [seed + index for index in range(episodes)]


def max_frames_for(max_seconds: float) -> int:
    return max(1, int(max_seconds * NATIVE_FPS))


@dataclass(frozen=True)
class ModelGames:
    """One loaded model and how its games are played."""

    model: Any
    env_id: str
    max_frames: int

    @classmethod
    def load(cls, path: Path, algorithm: str, env_id: str, max_seconds: float) -> ModelGames:
        return cls(load_model_file(path, algorithm), env_id, max_frames_for(max_seconds))

    @property
    def frame_stack(self) -> int:
        return frame_stack_of(self.model)

    @property
    def num_timesteps(self) -> int:
        return int(self.model.num_timesteps)

    def play(self, seed: int, stopping: Callable[[], bool], recording: Recording | None = None) -> EpisodeResult:
        return play_episode(
            self.model,
            self.env_id,
            seed=seed,
            frame_stack=self.frame_stack,
            max_frames=self.max_frames,
            stopping=stopping,
            recording=recording,
        )

    def play_all(
        self, seeds: list[int], stopping: Callable[[], bool], on_game: GameCallback | None = None
    ) -> list[EpisodeResult]:
        """Every seed's game, unrecorded, in order; `on_game(index, result)` after each."""
        results: list[EpisodeResult] = []
        for index, seed in enumerate(seeds):
            results.append(self.play(seed, stopping))
            if on_game is not None:
                on_game(index, results[-1])
        return results

    def record_best(
        self, played: list[EpisodeResult], video_path: Path, thumbnail_path: Path, stopping: Callable[[], bool]
    ) -> EpisodeResult:
        """Replay the best of `played` (highest score, first of equals) with its seed, recorded."""
        best = played[best_episode([episode.score for episode in played])]
        recording = Recording(video_path=video_path, thumbnail_path=thumbnail_path, scale=DEFAULT_VIDEO_SCALE)
        return self.play(best.seed, stopping, recording)
