"""A finished evaluation or comparison: its video registered, its numbers summed up and stored.

The subprocess's result line (training/model_job.py) holds every game's score and length and
the video it renamed into the run's videos/ folder. Here:
- the video becomes a VideoArtifact through the usual `video.generated` event (type
  "evaluation" or "comparison", owned by the first model's experiment), and its id is looked
  up by path;
- an evaluation is stored on its model version (ModelEvaluation: mean/std/max/min, every
  score and length, the video);
- a comparison gets each model's summary and, for every model after the first, its
  difference from the first with Welch's t-test (comparison_stats.py).
`std` is the sample standard deviation (0 for one game) everywhere.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from retro_ml.errors import NotFound
from retro_ml.run_contract import VIDEO_FACTS, VIDEO_GENERATED
from retro_ml.services.events import EventBus
from retro_ml.services.models.comparison_stats import SIGNIFICANCE_LEVEL, TEST_NAME, summary, welch_test
from retro_ml.services.models.job_requests import GamesRequest
from retro_ml.services.models.registry import ModelRegistry
from retro_ml.services.videos import VideoRegistry
from retro_ml.store.entities import ModelEvaluation, ModelVersion, utc_now
from retro_ml.store.video_store import VideoFilter

CAP_NOTE = "each game ends with the game or after {seconds:g} s of game time; a capped game counts with its score then"


class JobResults:
    def __init__(self, registry: ModelRegistry, videos: VideoRegistry, bus: EventBus) -> None:
        self._registry = registry
        self._videos = videos
        self._bus = bus

    def finish(
        self, kind: str, experiment_id: str, models: list[ModelVersion], games: GamesRequest, outcome: dict[str, Any]
    ) -> dict[str, Any]:
        if kind == "evaluation":
            return self._evaluation(experiment_id, models[0], games, outcome)
        return self._comparison(experiment_id, models, games, outcome)

    def _evaluation(
        self, experiment_id: str, model: ModelVersion, games: GamesRequest, outcome: dict[str, Any]
    ) -> dict[str, Any]:
        played = outcome["models"][0]
        scores = [float(score) for score in played["scores"]]
        stats = summary(scores)
        video = outcome.get("video")
        video_id = None
        if video:
            facts = {
                "timestep": int(played["num_timesteps"]),
                "score": video.get("score"),
                "scores": scores,
                "avg_score": stats["mean"],
                "max_score": stats["max"],
                "best_score": stats["max"],
                "episode_count": len(scores),
            }
            video_id = self._register(experiment_id, "evaluation", video, facts)
        evaluation = ModelEvaluation(
            mean_score=stats["mean"],
            std_score=stats["std"],
            max_score=stats["max"],
            min_score=stats["min"],
            episodes=len(scores),
            seed=games.seed,
            scores=scores,
            lengths=[int(length) for length in played["lengths"]],
            video_id=video_id,
            evaluated=utc_now(),
        )
        try:
            self._registry.record_evaluation(model.id, evaluation)
            stored = True
        except NotFound:  # a checkpoint its run pruned meanwhile (the job played a copy): nothing to store on
            stored = False
        return {
            "stored": stored,
            "model_id": model.id,
            "evaluation": asdict(evaluation),
            "seeds": outcome["seeds"],
            "capped": played["capped"],
            "max_seconds": games.max_seconds,
            "cap": CAP_NOTE.format(seconds=games.max_seconds),
            "video_id": video_id,
            "video_seed": video.get("seed") if video else None,
            "chosen_game": "the best game (highest score, the first of equals), replayed on its seed"
            if video
            else None,
        }

    def _comparison(
        self, experiment_id: str, models: list[ModelVersion], games: GamesRequest, outcome: dict[str, Any]
    ) -> dict[str, Any]:
        rows = []
        for model, played in zip(models, outcome["models"], strict=True):
            scores = [float(score) for score in played["scores"]]
            rows.append(
                {
                    "model_id": model.id,
                    "name": model.name,
                    "kind": model.kind,
                    "algorithm": model.algorithm,
                    "num_timesteps": int(played["num_timesteps"]),
                    "scores": scores,
                    "lengths": [int(length) for length in played["lengths"]],
                    "frames": [int(frames) for frames in played["frames"]],  # emulator frames (60 a second)
                    "capped": played["capped"],
                    **summary(scores),
                }
            )
        base = rows[0]
        differences = [
            {
                "model_id": row["model_id"],
                "vs_model_id": base["model_id"],
                **welch_test(base["scores"], row["scores"]).to_dict(),
            }
            for row in rows[1:]
        ]
        video = outcome.get("video")
        video_id = None
        if video:
            facts = {"timestep": rows[0]["num_timesteps"], "score": None, "episode_count": 1}
            video_id = self._register(experiment_id, "comparison", video, facts)
        return {
            "models": rows,
            "differences": differences,
            "test": TEST_NAME,
            "significance_level": SIGNIFICANCE_LEVEL,
            "seeds": outcome["seeds"],
            "max_seconds": games.max_seconds,
            "cap": CAP_NOTE.format(seconds=games.max_seconds),
            "video_id": video_id,
            "video": None
            if not video
            else {
                "id": video_id,
                "seed": video.get("seed"),
                "game_index": video.get("game_index"),
                "chosen_because": video.get("chosen_because"),
                "scores": video.get("scores"),
                "width": video.get("width"),
                "height": video.get("height"),
                "fps": 60,
            },
        }

    def _register(
        self, experiment_id: str, video_type: str, video: dict[str, Any], facts: dict[str, Any]
    ) -> str | None:
        """Publish `video.generated` (the VideoRegistry makes the artifact) and return the artifact's id."""
        path = str(Path(video["path"]))
        event: dict[str, Any] = {key: None for key in VIDEO_FACTS}
        event.update(
            frames=video.get("frames"),
            width=video.get("width"),
            height=video.get("height"),
            **facts,
            experiment_id=experiment_id,
            video_path=path,
            video_type=video_type,
            duration=float(video.get("duration") or 0.0),
            thumbnail=video.get("thumbnail"),
        )
        self._bus.publish(VIDEO_GENERATED, event)
        for artifact in self._videos.list(VideoFilter(experiment_id=experiment_id, type=video_type)):
            if artifact.path == path:
                return artifact.id
        return None
