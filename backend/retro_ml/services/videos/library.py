"""Managing videos: rename (the file, its thumbnail and the record together), favourite, tag,
delete to the OS trash, and the same in batches.

Every change to a video's files holds that video's lock, so two requests on one video (two
renames, a rename and a delete, an export starting) run one after the other and cannot lose a
file or leave the record pointing at a name that is gone. Renames also hold one lock for all
names, so two videos can never claim the same new file name. A rename moves the files first,
then updates the record; if the record cannot be written the files are moved back.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from retro_ml.errors import AppError, Conflict, InvalidInput, NotFound, reject_unknown_fields
from retro_ml.services.experiments.requests import parse_tags
from retro_ml.services.videos.file_names import move_no_clobber, validate_video_name
from retro_ml.store.entities import ACTIVE_STATUSES, Experiment, VideoArtifact
from retro_ml.store.experiment_store import ExperimentStore
from retro_ml.store.video_store import VideoArtifactStore, validate_video_id

log = logging.getLogger(__name__)

BATCH_ACTIONS = ("delete", "tag", "untag", "favorite", "unfavorite")
MAX_BATCH = 500
PATCH_FIELDS = frozenset({"name", "favorite", "tags"})

# Says why a video's files may not change right now (e.g. an export is reading it), or None.
Guard = Callable[[VideoArtifact], str | None]


class TrashFailed(AppError):
    def __init__(self, message: str) -> None:
        super().__init__("trash_failed", message, status=409)


class NotSaved(AppError):
    """The database could not be written (a full disk): a server-side failure, said plainly."""

    def __init__(self, message: str) -> None:
        super().__init__("not_saved", message, status=503)


class VideoLibrary:
    def __init__(self, videos: VideoArtifactStore, experiments: ExperimentStore) -> None:
        self._videos = videos
        self._experiments = experiments
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._names_lock = threading.Lock()
        self._guards: list[Guard] = []

    def add_guard(self, guard: Guard) -> None:
        self._guards.append(guard)

    @contextmanager
    def locked(self, video_id: str) -> Iterator[None]:
        """Hold the video's lock: its files and record do not change meanwhile."""
        validate_video_id(video_id)
        with self._locks_guard:
            lock = self._locks.setdefault(video_id, threading.Lock())
        with lock:
            yield

    # ---- one video -----------------------------------------------------------------
    def update(self, video_id: str, payload: Any) -> VideoArtifact:
        """PATCH: `{name?, favorite?, tags?}`; all checked before anything changes."""
        if not isinstance(payload, dict) or not payload:
            raise InvalidInput('Send what to change, e.g. {"name": "Best run"} or {"favorite": true}.')
        unknown = sorted(set(payload) - PATCH_FIELDS)
        if unknown:
            raise InvalidInput(f"'{unknown[0]}' cannot be changed (only name, favorite and tags).", field=unknown[0])
        name = validate_video_name(payload["name"]) if "name" in payload else None
        favorite = payload.get("favorite")
        if "favorite" in payload and not isinstance(favorite, bool):
            raise InvalidInput("'favorite' is true or false.", field="favorite")
        tags = parse_tags(payload["tags"]) if "tags" in payload else None
        with self.locked(video_id):
            video = self._videos.get(video_id)
            if name is not None and (name != video.name or Path(video.path).stem != name):
                video = self._rename_locked(video, name)
            if favorite is not None or tags is not None:
                video = self._videos.update(video_id, lambda v: _set_flags(v, favorite, tags))
            return video

    def rename(self, video_id: str, name: Any) -> VideoArtifact:
        return self.update(video_id, {"name": name})

    def delete(self, video_id: str) -> None:
        """The file and its thumbnail go to the OS trash (restorable), then the record goes."""
        with self.locked(video_id):
            video = self._videos.get(video_id)
            self._check_changeable(video, "deleted")
            path = Path(video.path)
            if path.exists():
                _to_trash(path, video.name)
            thumbnail = Path(video.metadata.thumbnail_path) if video.metadata.thumbnail_path else None
            if thumbnail is not None and thumbnail.exists():
                try:
                    _to_trash(thumbnail, video.name)
                except TrashFailed:  # the video is gone already; a stray thumbnail is harmless
                    log.warning("could not move thumbnail %s to the trash", thumbnail)
            self._videos.delete(video_id)
            self._update_link(video.experiment_id, lambda e: _unlink_video(e, video_id))

    # ---- batches -------------------------------------------------------------------
    def batch(self, payload: Any) -> list[dict[str, Any]]:
        """`{ids, action, tags?}` → one result per id: `{id, ok, video?|error?}`; no id stops the others."""
        if not isinstance(payload, dict):
            raise InvalidInput('Send {"ids": [...], "action": "delete"}.')
        reject_unknown_fields(payload, {"ids", "action", "tags"})
        ids = parse_ids(payload.get("ids"))
        action = payload.get("action")
        if action not in BATCH_ACTIONS:
            raise InvalidInput(f"'action' must be one of {', '.join(BATCH_ACTIONS)}.", field="action")
        tags = parse_tags(payload.get("tags"))
        if action in ("tag", "untag") and not tags:
            raise InvalidInput(f"Say which tags to {action}: 'tags': [\"best\"].", field="tags")
        if action not in ("tag", "untag") and "tags" in payload:
            raise InvalidInput(f"'tags' is only for tag and untag, not {action}.", field="tags")
        results: list[dict[str, Any]] = []
        for video_id in ids:
            try:
                video = self._apply(video_id, action, tags)
            except AppError as error:
                results.append({"id": video_id, "ok": False, "error": error.to_dict()})
                continue
            result: dict[str, Any] = {"id": video_id, "ok": True}
            if video is not None:
                result["video"] = video.to_dict()
            results.append(result)
        return results

    def _apply(self, video_id: str, action: str, tags: list[str]) -> VideoArtifact | None:
        if action == "delete":
            self.delete(video_id)
            return None
        with self.locked(video_id):

            def change(video: VideoArtifact) -> None:
                meta = video.metadata
                if action in ("favorite", "unfavorite"):
                    meta.favorite = action == "favorite"
                elif action == "tag":
                    meta.tags = list(dict.fromkeys([*meta.tags, *tags]))
                else:
                    meta.tags = [t for t in meta.tags if t not in tags]

            return self._videos.update(video_id, change)

    # ---- renaming ------------------------------------------------------------------
    def _rename_locked(self, video: VideoArtifact, name: str) -> VideoArtifact:
        self._check_changeable(video, "renamed")
        source = Path(video.path)
        if not source.is_file():
            raise Conflict(f"The file of '{video.name}' is missing ({source}), so it cannot be renamed.")
        target = source.with_name(f"{name}{source.suffix or '.mp4'}")
        thumb = Path(video.metadata.thumbnail_path) if video.metadata.thumbnail_path else None
        if thumb is not None and not thumb.is_file():
            thumb = None
        thumb_target = target.with_suffix(thumb.suffix) if thumb is not None else None
        moves = [(source, target)] + ([(thumb, thumb_target)] if thumb and thumb_target else [])
        with self._names_lock:
            for old, new in moves:
                if os.path.lexists(new) and not _same_file(old, new):
                    raise Conflict(f"'{new.name}' already exists in {new.parent}: choose another name.")
            done: list[tuple[Path, Path]] = []
            try:
                for old, new in moves:
                    _move(old, new)
                    done.append((old, new))
            except FileExistsError:
                _undo(done)
                raise Conflict(f"'{name}' was taken meanwhile: choose another name.") from None
            except OSError as error:
                _undo(done)
                raise Conflict(f"'{video.name}' could not be renamed: {error.strerror or error}.") from None

            def change(v: VideoArtifact) -> None:
                v.name, v.path = name, str(target)
                if thumb_target is not None:
                    v.metadata.thumbnail_path = str(thumb_target)

            try:
                renamed = self._videos.update(video.id, change)
            except OSError as error:  # the database file could not be written
                _undo(done)  # the record still names the old files: put them back
                raise NotSaved(
                    f"'{video.name}' was not renamed: the change could not be saved ({error.strerror or error}). "
                    "Check the free space on the disk of Retro ML Trainer's data folder."
                ) from None
            except BaseException:
                _undo(done)
                raise
        self._update_link(video.experiment_id, lambda e: _relink_video(e, video.id, str(target)))
        return renamed

    def _check_changeable(self, video: VideoArtifact, verb: str) -> None:
        if video.type == "hour" and video.metadata.segment is not None:
            try:
                active = self._experiments.get(video.experiment_id).status in ACTIVE_STATUSES
            except NotFound:
                active = False
            if active:
                raise Conflict(
                    f"'{video.name}' is a part of the long video still being recorded: it is joined with the "
                    f"other parts when training ends. The joined video can be {verb} then."
                )
        for guard in list(self._guards):
            reason = guard(video)
            if reason:
                raise Conflict(reason)

    def _update_link(self, experiment_id: str, change: Callable[[Experiment], None]) -> None:
        try:
            self._experiments.update(experiment_id, change)
        except NotFound:  # the experiment was deleted meanwhile: nothing links to the video
            pass


def parse_ids(value: Any) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(i, str) for i in value):
        raise InvalidInput("'ids' must be a non-empty list of video ids.", field="ids")
    if len(value) > MAX_BATCH:
        raise InvalidInput(f"At most {MAX_BATCH} videos at once.", field="ids")
    return list(dict.fromkeys(value))


def _set_flags(video: VideoArtifact, favorite: bool | None, tags: list[str] | None) -> None:
    if favorite is not None:
        video.metadata.favorite = favorite
    if tags is not None:
        video.metadata.tags = tags


def _relink_video(experiment: Experiment, video_id: str, path: str) -> None:
    for link in experiment.artifacts.videos:
        if link.get("id") == video_id:
            link["path"] = path


def _unlink_video(experiment: Experiment, video_id: str) -> None:
    experiment.artifacts.videos = [v for v in experiment.artifacts.videos if v.get("id") != video_id]


def _same_file(a: Path, b: Path) -> bool:
    """True when `b` is `a` under another spelling (a case-only rename on Windows or macOS)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _move(old: Path, new: Path) -> None:
    if _same_file(old, new):
        os.rename(old, new)  # only the letter case changes: the same file, never another one
    else:
        move_no_clobber(old, new)


def _undo(done: list[tuple[Path, Path]]) -> None:
    for old, new in reversed(done):
        try:
            _move(new, old)
        except OSError:
            log.exception("could not move %s back to %s", new, old)


def _to_trash(path: Path, name: str) -> None:
    from send2trash import send2trash  # imported on first use: the server starts without it loaded

    try:
        send2trash(str(path))
    except OSError as error:  # TrashPermissionError is an OSError too
        raise TrashFailed(
            f"'{name}' could not be moved to the trash ({error.strerror or error}); nothing was deleted. "
            "Check that the file is not open in another program."
        ) from None
