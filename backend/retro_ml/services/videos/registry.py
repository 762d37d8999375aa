"""The video registry: every finished video file a worker reports becomes a `VideoArtifact`.

It subscribes to `video.generated` (before the socket bridge, like the experiment
recorder), so a client that re-fetches `/api/videos` on that event finds the record.
A replayed report (after a restart) is recognised by its path and not registered twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from retro_ml.errors import NotFound
from retro_ml.run_contract import VIDEO_TYPES
from retro_ml.services.events import VIDEO_GENERATED, EventBus, EventData
from retro_ml.store.entities import (
    Experiment,
    VideoArtifact,
    VideoMetadata,
    VideoMetrics,
    new_experiment_id,
)
from retro_ml.store.experiment_store import TinyDBExperimentStore
from retro_ml.store.video_store import VideoArtifactStore, VideoFilter


class VideoRegistry:
    def __init__(
        self, experiments: TinyDBExperimentStore, videos: VideoArtifactStore, data_dir: Path, bus: EventBus
    ) -> None:
        self._experiments = experiments
        self._videos = videos
        self._data_dir = data_dir.resolve()
        bus.subscribe(VIDEO_GENERATED, self._on_video)

    def list(self, filters: VideoFilter) -> list[VideoArtifact]:
        game_of = {e.id: e.game for e in self._experiments.list()} if filters.game else {}
        return self._videos.list(filters, game_of)

    def forget_experiment(self, experiment_id: str) -> None:
        """Its files went with its run folder; its records go too."""
        self._videos.delete_for_experiment(experiment_id)

    def get(self, video_id: str) -> VideoArtifact:
        return self._videos.get(video_id)

    def file_of(self, video_id: str, thumbnail: bool = False) -> Path:
        """The file to serve, only ever inside the app's data folder."""
        video = self._videos.get(video_id)
        name = video.metadata.thumbnail_path if thumbnail else video.path
        path = Path(name).resolve() if name else None
        if path is None or not self._is_app_file(path, video.experiment_id) or not path.is_file():
            raise NotFound("thumbnail" if thumbnail else "video file", video_id)
        return path

    def _is_app_file(self, path: Path, experiment_id: str) -> bool:
        """Inside the data folder, or inside the run's own folder (Settings can put runs elsewhere)."""
        if path.is_relative_to(self._data_dir):
            return True
        try:
            run_dir = self._experiments.get(experiment_id).run_dir
        except NotFound:
            return False
        return bool(run_dir) and path.is_relative_to(Path(run_dir).resolve())

    def _on_video(self, _event: str, data: EventData) -> None:
        path = Path(data["video_path"])
        if data.get("video_type") not in VIDEO_TYPES or not path.is_file() or self._videos.has_path(str(path)):
            return
        experiment = self._experiments.get(data["experiment_id"])
        video = self._videos.create(self._artifact(experiment, path, data))
        replaced: set[str] = set()
        if video.type == "hour" and video.metadata.segment is None:
            # The joined long video replaces its parts (the worker deletes their files).
            replaced = self._videos.delete_segments(experiment.id)

        def link(e: Experiment) -> None:
            e.artifacts.videos = [v for v in e.artifacts.videos if v.get("id") not in replaced]
            e.artifacts.videos.append({"id": video.id, "type": video.type, "path": video.path})

        self._experiments.update(experiment.id, link)

    @staticmethod
    def _artifact(experiment: Experiment, path: Path, data: EventData) -> VideoArtifact:
        score = data.get("score")
        avg_score = first_known(data.get("avg_score"), score)
        max_score = first_known(data.get("max_score"), score)
        best_score = first_known(data.get("best_score"), max_score)
        tags = [experiment.game, experiment.preset, experiment.algorithm]
        if best_score is not None:
            tags.append(f"best_score:{best_score:g}")
        segment = data.get("segment")
        return VideoArtifact(
            id=new_experiment_id(),
            experiment_id=experiment.id,
            name=f"{experiment.name} · {video_label(data)}",
            path=str(path),
            type=str(data["video_type"]),
            metadata=VideoMetadata(
                duration=float(data.get("duration") or 0.0),
                size_mb=round(path.stat().st_size / 1e6, 3),
                tags=tags,
                thumbnail_path=data.get("thumbnail"),
                width=int(data.get("width") or 0),
                height=int(data.get("height") or 0),
                frames=int(data.get("frames") or 0),
                timestep=int(data.get("timestep") or 0),
                milestone_pct=data.get("milestone_pct"),
                segment=int(segment) if segment is not None else None,
                target_seconds=data.get("target_seconds"),
                sampled_timesteps=sampled_spans(data.get("sampled_timesteps")),
            ),
            metrics=VideoMetrics(
                avg_score=avg_score,
                max_score=max_score,
                episode_count=int(data.get("episode_count") or 0),
                scores=[float(s) for s in data.get("scores") or []],
            ),
        )


def sampled_spans(value: Any) -> list[list[int]] | None:
    """The long video's `sampled_timesteps` as stored: pairs of whole steps, else None."""
    if not isinstance(value, list):
        return None
    try:
        return [[int(first), int(last)] for first, last in value]
    except (TypeError, ValueError):
        return None


def first_known(*values: Any) -> Any:
    return next((value for value in values if value is not None), None)


def video_label(data: EventData) -> str:
    """ "50% milestone", "Watch it learn", "Watch it learn (part 3)", "Evaluation", "Comparison"."""
    kind = data.get("video_type")
    if kind == "milestone":
        pct = data.get("milestone_pct")
        return f"{pct:g}% milestone" if pct is not None else "milestone"
    if kind == "hour":
        segment = data.get("segment")
        return "Watch it learn" if segment is None else f"Watch it learn (part {segment})"
    if kind == "evaluation":
        return "Evaluation"
    if kind == "comparison":
        return "Comparison"
    return str(kind)
