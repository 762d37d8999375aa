"""Disk usage per run (models, checkpoints, videos, the rest) and the free space left."""

from __future__ import annotations

import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from retro_ml.run_contract import CHECKPOINTS_DIR, MODEL_FILE, VIDEOS_DIR
from retro_ml.store.entities import Experiment

CATEGORIES = ("models", "checkpoints", "videos", "other")


@dataclass
class RunUsage:
    experiment_id: str
    name: str
    game: str
    status: str
    run_dir: str
    models: int = 0
    checkpoints: int = 0
    videos: int = 0
    other: int = 0

    @property
    def total(self) -> int:
        return self.models + self.checkpoints + self.videos + self.other

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "total": self.total}


@dataclass
class DiskSpace:
    path: str
    free: int
    total: int


@dataclass
class StorageReport:
    runs: list[RunUsage]
    database_bytes: int
    disks: list[DiskSpace] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        totals = {name: sum(getattr(r, name) for r in self.runs) for name in CATEGORIES}
        totals["total"] = sum(totals.values())
        return {
            "runs": [r.to_dict() for r in self.runs],
            "totals": totals,
            "database_bytes": self.database_bytes,
            "disks": [asdict(d) for d in self.disks],
            "free_bytes": min((d.free for d in self.disks), default=0),
        }


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def folder_size(folder: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(folder):
        total += sum(file_size(Path(root) / name) for name in files)
    return total


def category_of(relative: Path) -> str:
    """What a file inside a run folder is: the final model, a checkpoint, a video or the rest."""
    top = relative.parts[0] if relative.parts else ""
    if top == CHECKPOINTS_DIR:
        return "checkpoints"
    if top == VIDEOS_DIR:
        return "videos"
    if len(relative.parts) == 1 and relative.name == MODEL_FILE:
        return "models"
    return "other"


def run_usage(experiment: Experiment) -> RunUsage:
    usage = RunUsage(experiment.id, experiment.name, experiment.game, experiment.status, experiment.run_dir)
    folder = Path(experiment.run_dir) if experiment.run_dir else None
    if folder is None or not folder.is_dir():
        return usage
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            kind = category_of(path.relative_to(folder))
            setattr(usage, kind, getattr(usage, kind) + file_size(path))
    return usage


def disk_space(path: Path) -> DiskSpace | None:
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        usage = shutil.disk_usage(probe)
    except OSError:
        return None
    return DiskSpace(str(path), usage.free, usage.total)


def storage_report(experiments: list[Experiment], database: Path, folders: list[Path]) -> StorageReport:
    """Runs sorted by their total size, biggest first; free space of each distinct disk in `folders`."""
    runs = sorted((run_usage(e) for e in experiments), key=lambda r: r.total, reverse=True)
    disks: list[DiskSpace] = []
    seen: set[int] = set()
    for folder in folders:
        space = disk_space(folder)
        if space is None:
            continue
        try:
            device = os.stat(Path(space.path) if Path(space.path).exists() else folder.anchor).st_dev
        except OSError:
            device = hash(space.path)
        if device not in seen:
            seen.add(device)
            disks.append(space)
    return StorageReport(runs, file_size(database), disks)
