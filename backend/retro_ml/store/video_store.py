"""Video artifacts in the `video_artifacts` table of the experiments' database file, indexed in memory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from retro_ml.errors import InvalidInput, NotFound
from retro_ml.store.entities import VideoArtifact, validate_experiment_id
from retro_ml.store.experiment_store import TinyDBExperimentStore
from retro_ml.store.record_index import IndexedTable

VIDEOS_TABLE = "video_artifacts"


@dataclass(frozen=True)
class VideoFilter:
    experiment_id: str | None = None
    type: str | None = None
    game: str | None = None
    tag: str | None = None
    favorite: bool | None = None

    def matches(self, video: VideoArtifact, game_of: dict[str, str]) -> bool:
        meta = video.metadata
        return (
            (self.experiment_id is None or video.experiment_id == self.experiment_id)
            and (self.type is None or video.type == self.type)
            and (self.game is None or game_of.get(video.experiment_id) == self.game)
            and (self.tag is None or self.tag in meta.tags)
            and (self.favorite is None or meta.favorite == self.favorite)
        )


def validate_video_id(ident: str) -> str:
    try:
        return validate_experiment_id(ident)  # the same 12-hex-digit format
    except InvalidInput:
        raise InvalidInput(f"'{ident}' is not a valid video id.", field="id") from None


class VideoArtifactStore(IndexedTable):
    """Video records in the `video_artifacts` table of the experiments' database (and its journal)."""

    def __init__(self, database: TinyDBExperimentStore) -> None:
        super().__init__(database, VIDEOS_TABLE)

    def _doc_id(self, video_id: str) -> int:
        doc_ids = self._current_index().by_id.get(validate_video_id(video_id))
        if not doc_ids:
            raise NotFound("video", video_id)
        return min(doc_ids)  # the first stored, as a scan would find it

    def create(self, video: VideoArtifact) -> VideoArtifact:
        with self._lock:
            self._insert(video.to_dict())
        return video

    def get(self, video_id: str) -> VideoArtifact:
        with self._lock:
            row = self._document(self._doc_id(video_id))
        if row is None:
            raise NotFound("video", video_id)
        return VideoArtifact.from_dict(row)

    def list(self, filters: VideoFilter, game_of: dict[str, str]) -> list[VideoArtifact]:
        """Newest first."""
        with self._lock:
            rows = self._documents()
        videos = [VideoArtifact.from_dict(row) for row in rows]
        chosen = [v for v in videos if filters.matches(v, game_of)]
        return sorted(chosen, key=lambda v: v.metadata.created, reverse=True)

    def update(self, video_id: str, change: Callable[[VideoArtifact], None]) -> VideoArtifact:
        """Apply `change` to the stored record and persist it, atomically (one write)."""
        with self._lock:
            doc_id = self._doc_id(video_id)
            row = self._document(doc_id)
            if row is None:
                raise NotFound("video", video_id)
            video = VideoArtifact.from_dict(row)
            change(video)
            self._replace(doc_id, video.to_dict())
        return video

    def delete(self, video_id: str) -> None:
        validate_video_id(video_id)
        with self._lock:
            if not self._remove(sorted(self._current_index().by_id.get(video_id, ()))):
                raise NotFound("video", video_id)

    def has_path(self, path: str) -> bool:
        with self._lock:
            return path in self._current_index().by_path

    def delete_for_experiment(self, experiment_id: str) -> int:
        with self._lock:
            return len(self._remove(sorted(self._current_index().by_experiment.get(experiment_id, ()))))

    def delete_segments(self, experiment_id: str) -> set[str]:
        """Remove the records of an experiment's long-video parts; return their ids."""
        with self._lock:
            table = self._storage.table(VIDEOS_TABLE)
            parts = {
                doc_id: str(doc["id"])
                for doc_id in self._current_index().by_experiment.get(experiment_id, ())
                if (doc := table.get(str(doc_id))) is not None
                and doc.get("type") == "hour"
                and (doc.get("metadata") or {}).get("segment") is not None
            }
            self._remove(sorted(parts))
        return set(parts.values())
