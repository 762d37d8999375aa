"""Storage cleanup: what can go (with a preview of the bytes freed), then removing it.

- Checkpoints of finished runs. Never a final model, never a file of a run that is active,
  never the checkpoint a queued or running child resumes from; a run without a final model
  keeps its newest checkpoint (the only point it can be continued from).
- Videos older than N days, favourites kept on request, deleted through the video library
  (record and files together, to the OS trash where possible).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from retro_ml.errors import AppError, InvalidInput, reject_unknown_fields
from retro_ml.run_contract import CHECKPOINTS_DIR, MODEL_FILE
from retro_ml.services.storage.usage import file_size
from retro_ml.store.entities import ACTIVE_STATUSES, Experiment, VideoArtifact

MAX_DAYS = 36500


@dataclass(frozen=True)
class CleanupRequest:
    checkpoints: bool
    videos_older_than_days: int | None
    keep_favorites: bool
    dry_run: bool


@dataclass
class CleanupItem:
    kind: str  # "checkpoint" | "video"
    path: str
    bytes: int
    experiment_id: str
    experiment_name: str
    video_id: str | None = None
    name: str = ""


@dataclass
class CleanupResult:
    dry_run: bool
    items: list[CleanupItem] = field(default_factory=list)
    freed_bytes: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "files": [asdict(i) for i in self.items],
            "count": len(self.items),
            "total_bytes": sum(i.bytes for i in self.items),
            "freed_bytes": self.freed_bytes,
            "errors": self.errors,
        }


def parse_cleanup_request(payload: Any) -> CleanupRequest:
    if not isinstance(payload, dict):
        raise InvalidInput('Send e.g. {"checkpoints": true, "videos_older_than_days": 30, "dry_run": true}.')
    reject_unknown_fields(payload, {"checkpoints", "videos_older_than_days", "keep_favorites", "dry_run"})
    for name in ("checkpoints", "keep_favorites", "dry_run"):
        if name in payload and not isinstance(payload[name], bool):
            raise InvalidInput(f"'{name}' must be true or false.", field=name)
    days = payload.get("videos_older_than_days")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_DAYS):
        raise InvalidInput(
            f"'videos_older_than_days' must be a whole number of days (0–{MAX_DAYS}) or null to keep videos.",
            field="videos_older_than_days",
        )
    return CleanupRequest(
        checkpoints=payload.get("checkpoints", False),
        videos_older_than_days=days,
        keep_favorites=payload.get("keep_favorites", True),
        dry_run=payload.get("dry_run", True),
    )


def _checkpoint_step(path: Path) -> int:
    digits = "".join(c for c in path.stem if c.isdigit())
    return int(digits) if digits else -1


def select_checkpoints(experiments: list[Experiment]) -> list[CleanupItem]:
    protected = {
        str(Path(e.lineage.checkpoint_source).resolve())
        for e in experiments
        if e.status in ACTIVE_STATUSES and e.lineage.checkpoint_source
    }
    items: list[CleanupItem] = []
    for experiment in experiments:
        if experiment.status in ACTIVE_STATUSES or not experiment.run_dir:
            continue
        run_dir = Path(experiment.run_dir)
        folder = run_dir / CHECKPOINTS_DIR
        if not folder.is_dir():
            continue
        files = sorted((p for p in folder.rglob("*") if p.is_file()), key=_checkpoint_step)
        if not (run_dir / MODEL_FILE).is_file():
            zips = [p for p in files if p.suffix == ".zip"]
            if zips:
                files.remove(zips[-1])  # no final model: the newest checkpoint is the run's only result
        for path in files:
            if path.name == MODEL_FILE and path.parent == run_dir:
                continue
            if str(path.resolve()) in protected:
                continue
            items.append(
                CleanupItem("checkpoint", str(path), file_size(path), experiment.id, experiment.name, name=path.name)
            )
    return items


def _created(video: VideoArtifact) -> datetime | None:
    try:
        created = datetime.fromisoformat(video.metadata.created)
    except (TypeError, ValueError):
        return None
    return created if created.tzinfo else created.replace(tzinfo=timezone.utc)


def select_videos(
    videos: list[VideoArtifact],
    experiments: list[Experiment],
    older_than_days: int,
    keep_favorites: bool,
    now: datetime | None = None,
) -> list[CleanupItem]:
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=older_than_days)
    by_id = {e.id: e for e in experiments}
    items: list[CleanupItem] = []
    for video in videos:
        experiment = by_id.get(video.experiment_id)
        if experiment is not None and experiment.status in ACTIVE_STATUSES:
            continue
        if keep_favorites and video.metadata.favorite:
            continue
        created = _created(video)
        if created is None or created > cutoff:
            continue
        size = file_size(Path(video.path))
        if video.metadata.thumbnail_path:
            size += file_size(Path(video.metadata.thumbnail_path))
        items.append(
            CleanupItem(
                "video",
                video.path,
                size,
                video.experiment_id,
                experiment.name if experiment else "",
                video_id=video.id,
                name=video.name,
            )
        )
    return items


class StorageCleanup:
    """`video_library` deletes a video (record + files to the trash): `delete(video_id)`."""

    def __init__(self, list_experiments: Any, list_videos: Any, video_library: Any) -> None:
        self._list_experiments = list_experiments
        self._list_videos = list_videos
        self._video_library = video_library

    def select(self, request: CleanupRequest) -> list[CleanupItem]:
        experiments = self._list_experiments()
        items = select_checkpoints(experiments) if request.checkpoints else []
        if request.videos_older_than_days is not None:
            items += select_videos(
                self._list_videos(), experiments, request.videos_older_than_days, request.keep_favorites
            )
        return items

    def run(self, payload: Any) -> CleanupResult:
        request = parse_cleanup_request(payload)
        items = self.select(request)
        result = CleanupResult(request.dry_run, items)
        if request.dry_run:
            return result
        for item in items:
            try:
                if item.kind == "video" and item.video_id:
                    self._video_library.delete(item.video_id)
                else:
                    Path(item.path).unlink(missing_ok=True)
            except (AppError, OSError) as error:
                message = error.message if isinstance(error, AppError) else (error.strerror or str(error))
                result.errors.append({"path": item.path, "error": message})
                continue
            result.freed_bytes += item.bytes
        return result
