"""Run folders: one per experiment, the only place a worker writes.

What goes inside one is the run contract's (retro_ml.run_contract); this module makes the
folders, trashes them and tidies up after workers that are gone.
"""

from __future__ import annotations

import json
import secrets
import shutil
from pathlib import Path
from typing import Any

from retro_ml.run_contract import CONFIG_FILE, PARTIAL_FILE_PATTERNS, VIDEOS_DIR
from retro_ml.store.atomic_storage import atomic_write_text
from retro_ml.store.entities import validate_experiment_id

TRASH_PREFIX = ".trash-"  # beside the run folders, never inside one: the main process's alone


def remove_partial_files(run_dir: Path) -> list[Path]:
    """Delete the half-written video files of a run whose worker is gone; return them."""
    videos = run_dir / VIDEOS_DIR
    removed: list[Path] = []
    for pattern in PARTIAL_FILE_PATTERNS:
        for path in videos.rglob(pattern):
            try:
                path.unlink()
                removed.append(path)
            except OSError:
                pass  # still open elsewhere (Windows): the next cleanup gets it
    return removed


class RunFolders:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, experiment_id: str, root: Path | None = None) -> Path:
        """The run's folder under `root` (Settings' runs folder for new runs), else the data folder's."""
        return (root or self.root) / validate_experiment_id(experiment_id)

    def create(self, experiment_id: str, worker_config: dict[str, Any], folder: Path | None = None) -> Path:
        """Make the folder and write the resolved config the worker (and a human) reads."""
        folder = folder or self.path_for(experiment_id)
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_text(folder / CONFIG_FILE, json.dumps(worker_config, indent=2))
        return folder

    def move_to_trash(self, experiment_id: str, folder: Path | None = None) -> Path | None:
        """Rename the run folder (default: the data folder's) out of the way (atomic); the caller removes the trash."""
        folder = folder or self.path_for(experiment_id)
        if folder.name != validate_experiment_id(experiment_id) or not folder.exists():
            return None
        trash = folder.parent / f"{TRASH_PREFIX}{experiment_id}-{secrets.token_hex(3)}"
        folder.rename(trash)
        return trash

    def empty_trash(self) -> None:
        """Remove what a deletion interrupted by a crash left behind."""
        for leftover in self.root.glob(f"{TRASH_PREFIX}*"):
            shutil.rmtree(leftover, ignore_errors=True)
