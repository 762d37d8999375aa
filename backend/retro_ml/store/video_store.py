"""Video artifacts in the `video_artifacts` table of the experiments' database file, indexed in memory."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

from retro_ml.errors import InvalidInput, NotFound
from retro_ml.store.atomic_storage import Document
from retro_ml.store.entities import VideoArtifact, validate_experiment_id
from retro_ml.store.experiment_store import TinyDBExperimentStore

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


class _VideoIndex:
    """TinyDB doc ids of the video records by video id, experiment and path: no lookup scans 50,000 records."""

    def __init__(self, table: dict[str, Document]) -> None:
        self._keys: dict[int, tuple[str, str, str]] = {}
        self.by_id: dict[str, set[int]] = {}
        self.by_experiment: dict[str, set[int]] = {}
        self.by_path: dict[str, set[int]] = {}
        for doc_id, doc in table.items():
            self.add(int(doc_id), doc)

    def add(self, doc_id: int, doc: Document) -> None:
        keys = (str(doc.get("id")), str(doc.get("experiment_id")), str(doc.get("path")))
        self._keys[doc_id] = keys
        for index, key in zip((self.by_id, self.by_experiment, self.by_path), keys, strict=True):
            index.setdefault(key, set()).add(doc_id)

    def remove(self, doc_id: int) -> None:
        for index, key in zip((self.by_id, self.by_experiment, self.by_path), self._keys.pop(doc_id), strict=True):
            index[key].discard(doc_id)
            if not index[key]:
                del index[key]


class VideoArtifactStore:
    """Video records in the `video_artifacts` table of the experiments' database (and its journal)."""

    def __init__(self, database: TinyDBExperimentStore) -> None:
        self._lock = database.lock
        self._table = database.shared_table(VIDEOS_TABLE)
        self._storage = database.storage
        self._index = _VideoIndex({})
        self._index_generation: tuple[int, int] = (-1, -1)
        with self._lock:
            self._current_index()  # at open, not in the first write

    def _current_index(self) -> _VideoIndex:
        """The index, rebuilt when the table changed other than through this store (call with the lock held)."""
        if self._index_generation != self._storage.table_generation(VIDEOS_TABLE):
            self._index = _VideoIndex(self._storage.table(VIDEOS_TABLE))
            self._index_generation = self._storage.table_generation(VIDEOS_TABLE)
        return self._index

    def _write(self, write: Callable[[], object], patch: Callable[[_VideoIndex], None]) -> None:
        """One write of the table, then the same change to the index (a failed write re-reads both)."""
        index = self._current_index()
        write()
        patch(index)
        self._index_generation = self._storage.table_generation(VIDEOS_TABLE)

    def _doc_id(self, video_id: str) -> int:
        doc_ids = self._current_index().by_id.get(validate_video_id(video_id))
        if not doc_ids:
            raise NotFound("video", video_id)
        return min(doc_ids)  # the first stored, as a scan would find it

    def _remove(self, doc_ids: list[int]) -> list[int]:
        removed: list[int] = []

        def patch(index: _VideoIndex) -> None:
            for doc_id in removed:
                index.remove(doc_id)

        if doc_ids:
            self._write(lambda: removed.extend(self._table.remove(doc_ids=doc_ids)), patch)
        return removed

    def create(self, video: VideoArtifact) -> VideoArtifact:
        document = video.to_dict()
        with self._lock:
            doc_ids: list[int] = []
            insert = lambda: doc_ids.append(self._table.insert(document))  # noqa: E731
            self._write(insert, lambda index: index.add(doc_ids[0], document))
        return video

    def get(self, video_id: str) -> VideoArtifact:
        with self._lock:
            row = self._table.get(doc_id=self._doc_id(video_id))
        if row is None:
            raise NotFound("video", video_id)
        return VideoArtifact.from_dict(copy.deepcopy(dict(row)))

    def list(self, filters: VideoFilter, game_of: dict[str, str]) -> list[VideoArtifact]:
        """Newest first."""
        with self._lock:
            rows = [dict(row) for row in self._table.all()]
        videos = [VideoArtifact.from_dict(row) for row in rows]
        chosen = [v for v in videos if filters.matches(v, game_of)]
        return sorted(chosen, key=lambda v: v.metadata.created, reverse=True)

    def update(self, video_id: str, change: Callable[[VideoArtifact], None]) -> VideoArtifact:
        """Apply `change` to the stored record and persist it, atomically (one write)."""
        with self._lock:
            doc_id = self._doc_id(video_id)
            row = self._table.get(doc_id=doc_id)
            if row is None:
                raise NotFound("video", video_id)
            video = VideoArtifact.from_dict(copy.deepcopy(dict(row)))
            change(video)
            document = video.to_dict()

            def patch(index: _VideoIndex) -> None:
                index.remove(doc_id)
                index.add(doc_id, document)

            self._write(lambda: self._table.update(document, doc_ids=[doc_id]), patch)
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
