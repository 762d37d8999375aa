"""What crashes leave in the runs folders, removed at start: in EVERY runs folder the app knows.

Runs can live outside the data folder (Settings' `runs_dir`, and whatever it was before: each
run's record says where its folder is), so the start-up sweep covers the data folder's runs/,
the runs folder Settings names, and the folder of every recorded run. What goes:

- `.trash-<id>-<random>/` beside the run folders: a deletion cut short (store/run_folders.py);
- `.*.part` and `.*.tmp` under a run's videos/: a video, thumbnail or clip model half written;
- `.step_<N>.tmp.zip` in a run's checkpoints/: a checkpoint half saved.

A run that is queued, running or paused, or whose folder a live process names (its worker, its
clip recorder, also one the store lost track of), is left alone: those files may be being written.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from retro_ml.run_contract import CHECKPOINTS_DIR, PARTIAL_FILE_PATTERNS, TEMPORARY_CHECKPOINT_SUFFIX, VIDEOS_DIR
from retro_ml.store.entities import ACTIVE_STATUSES, Experiment
from retro_ml.store.run_folders import TRASH_PREFIX

log = logging.getLogger(__name__)

# Exactly what RunFolders.move_to_trash names: a runs folder may be a user's own folder too.
_TRASH_NAME = re.compile(rf"^{re.escape(TRASH_PREFIX)}[a-f0-9]{{12}}-[a-f0-9]+$")


@dataclass
class SweptLeftovers:
    runs_folders: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    skipped_live: list[Path] = field(default_factory=list)  # run folders a live process may write


def runs_folders(experiments: Iterable[Experiment], known: Iterable[Path]) -> list[Path]:
    """`known` (the data folder's runs/, Settings' runs folder) and the folder of every recorded run."""
    candidates = {str(p): p for p in known}
    for experiment in experiments:
        run_dir = Path(experiment.run_dir) if experiment.run_dir else None
        if run_dir is not None and run_dir.name == experiment.id:  # our layout: <runs folder>/<id>
            candidates.setdefault(str(run_dir.parent), run_dir.parent)
    folders: dict[str, Path] = {}
    for folder in candidates.values():  # each distinct spelling resolved once (usually one or two)
        folders.setdefault(_key(folder), folder)
    return [folder for folder in folders.values() if folder.is_dir()]


def live_run_dirs() -> set[str]:
    """The run folders named by a live `retro-ml worker --run-dir DIR` (a worker or a clip recorder)."""
    owned: set[str] = set()
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info.get("cmdline") or []
        if "worker" in cmdline and "--run-dir" in cmdline[:-1]:
            owned.add(_key(Path(cmdline[cmdline.index("--run-dir") + 1])))
    return owned


def sweep_leftovers(experiments: list[Experiment], known_runs_folders: Iterable[Path]) -> SweptLeftovers:
    """Remove crash leftovers (see the module doc); never raises: what cannot go now goes next time."""
    result = SweptLeftovers(runs_folders(experiments, known_runs_folders))
    for folder in result.runs_folders:
        result.removed += _empty_trash(folder)
    live = live_run_dirs()
    live_names = {Path(folder).name for folder in live}
    for experiment in experiments:
        if not experiment.run_dir:
            continue
        run_dir = Path(experiment.run_dir)
        if experiment.status in ACTIVE_STATUSES or (run_dir.name in live_names and _key(run_dir) in live):
            result.skipped_live.append(run_dir)
            continue
        result.removed += _remove_partial_videos(run_dir / VIDEOS_DIR)
        result.removed += _remove_temporary_checkpoints(run_dir / CHECKPOINTS_DIR)
    if result.removed:
        log.info("removed %d crash leftovers from %d runs folders", len(result.removed), len(result.runs_folders))
    return result


def _empty_trash(folder: Path) -> list[Path]:
    removed = []
    try:
        entries = [entry for entry in folder.iterdir() if _TRASH_NAME.match(entry.name)]
    except OSError:
        return []
    for entry in entries:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
            if not entry.exists():
                removed.append(entry)
    return removed


def _remove_partial_videos(folder: Path) -> list[Path]:
    """`.*.part` and `.*.tmp` anywhere under videos/ (one walk: the sweep runs on every start)."""
    found = []
    for parent, _, names in os.walk(folder):
        found += [Path(parent, n) for n in names if any(fnmatch.fnmatchcase(n, p) for p in PARTIAL_FILE_PATTERNS)]
    return _unlink(found)


def _remove_temporary_checkpoints(folder: Path) -> list[Path]:
    """`.step_<N>.tmp.zip`, as the worker itself tidies them when it resumes (training/checkpoints.py)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return _unlink([folder / n for n in names if n.endswith(TEMPORARY_CHECKPOINT_SUFFIX)])


def _unlink(paths: list[Path]) -> list[Path]:
    removed = []
    for path in paths:
        try:
            path.unlink()
            removed.append(path)
        except OSError:
            pass  # still open elsewhere (Windows): the next start gets it
    return removed


def _key(path: Path) -> str:
    """One spelling per folder (symlinks, `..`, case on Windows) so that folders compare."""
    try:
        return os.path.normcase(path.resolve())
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop
        return os.path.normcase(path.absolute())
