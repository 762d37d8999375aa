"""Keeps training off a full disk: warns when free space runs low, pauses runs before it runs out.

Every few seconds while runs are active it reads the free space of each disk a run writes to
(its run folder; the data folder, where the database is). Under Settings'
`low_disk_warning_mb` the level is `low`: a `disk.space` event tells the UI to warn. Under
`low_disk_pause_mb` it is `critical`: running trainings are paused (suspended, as the Pause
button does) with a message that says why and what to do, so a full disk never costs a run.
Queued runs wait while a disk is that low (or has less than START_MINIMUM_BYTES at all).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from retro_ml.run_contract import DiskSpaceEvent, free_bytes
from retro_ml.run_contract.disk import MEGABYTE, megabytes
from retro_ml.services.events import DISK_SPACE, EventBus
from retro_ml.services.settings import SettingsService

log = logging.getLogger(__name__)

CHECK_SECONDS = 2.0
START_MINIMUM_BYTES = 16 * MEGABYTE  # a run's config, logs and first reports; below it nothing starts
LEVELS = ("ok", "low", "critical")


@dataclass(frozen=True)
class DiskReading:
    folder: Path
    free: int


@dataclass
class DiskState:
    """The worst disk now: its level, and what to tell the user."""

    level: str
    folder: str
    free_mb: int
    warning_mb: int
    pause_mb: int
    message: str
    paused: list[str] = field(default_factory=list)

    def to_event(self) -> DiskSpaceEvent:
        return DiskSpaceEvent(
            level=self.level,
            folder=self.folder,
            free_mb=self.free_mb,
            warning_mb=self.warning_mb,
            pause_mb=self.pause_mb,
            message=self.message,
            paused=list(self.paused),
        )


def read_disks(folders: Iterable[Path]) -> list[DiskReading]:
    """One reading per distinct disk among `folders` (the first folder named for each)."""
    readings: list[DiskReading] = []
    seen: set[int] = set()
    for folder in folders:
        free = free_bytes(folder)
        if free is None:
            continue
        try:
            device = os.stat(folder if folder.exists() else folder.parent).st_dev
        except OSError:
            device = hash(str(folder))
        if device not in seen:
            seen.add(device)
            readings.append(DiskReading(folder, free))
    return readings


def level_of(free: int, warning_mb: int, pause_mb: int) -> str:
    if pause_mb and free < pause_mb * MEGABYTE:
        return "critical"
    if warning_mb and free < warning_mb * MEGABYTE:
        return "low"
    return "ok"


def pause_message(folder: Path, free: int) -> str:
    return (
        f"Paused: the disk is almost full ({megabytes(free)} MB free in {folder}). Free space (Settings → Storage "
        "cleans up old checkpoints and videos), then resume."
    )


def describe(level: str, folder: Path, free: int, pause_mb: int) -> str:
    if level == "critical":
        return (
            f"The disk is almost full: {megabytes(free)} MB free in {folder}. "
            "Trainings are paused; free space, then resume them."
        )
    if level == "low":
        pause = f"; trainings pause under {pause_mb} MB" if pause_mb else ""
        return f"Disk space is low: {megabytes(free)} MB free in {folder}{pause}. Free space soon."
    return ""


class DiskGuard:
    """Watches the disks of active runs; `watched()` and `pause()` come from the experiment manager."""

    def __init__(
        self,
        bus: EventBus,
        settings: SettingsService,
        watched: Callable[[], tuple[list[Path], dict[str, Path]]],
        pause: Callable[[str, str], bool],
        on_room: Callable[[], object],
        interval: float = CHECK_SECONDS,
    ) -> None:
        """`watched()`: the folders to read and the running runs by id → run folder.
        `pause(id, message)`: pause one run, False when it could not. `on_room()`: a disk has room again."""
        self._bus = bus
        self._settings = settings
        self._watched = watched
        self._pause = pause
        self._on_room = on_room
        self._interval = interval
        self._lock = threading.Lock()
        self._level = "ok"
        self._room_for_new_runs = True
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Begin the checks (once; a daemon thread that lives as long as the app)."""
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="disk-guard", daemon=True)
        self._thread.start()

    def state(self) -> DiskState:
        """The worst disk now (fresh readings; nothing is paused or published)."""
        folders, _running = self._watched()
        return self._state_of(read_disks(folders))

    def room_to_start(self, folder: Path) -> str | None:
        """None when a new run may start writing in `folder`; else why it waits."""
        free = free_bytes(folder)
        if free is None:
            return None
        pause_mb = int(self._settings.get("low_disk_pause_mb"))
        if free < max(START_MINIMUM_BYTES, pause_mb * MEGABYTE):
            with self._lock:  # the next check that finds room calls on_room(), even if none saw this disk full
                self._room_for_new_runs = False
            return f"Waiting for disk space: {megabytes(free)} MB free in {folder}. Free space and it starts."
        return None

    def check(self) -> DiskState:
        """Read the disks, pause running runs on a critical one, publish a change of level."""
        folders, running = self._watched()
        readings = read_disks([*folders, *running.values()])
        state = self._state_of(readings)
        pause_mb = state.pause_mb
        for experiment_id, run_dir in running.items():
            free = free_bytes(run_dir)
            if pause_mb and free is not None and free < pause_mb * MEGABYTE:
                if self._pause(experiment_id, pause_message(run_dir, free)):
                    state.paused.append(experiment_id)
        room = all(r.free >= max(START_MINIMUM_BYTES, pause_mb * MEGABYTE) for r in readings)
        with self._lock:
            changed = state.level != self._level or bool(state.paused)
            room_again = room and not self._room_for_new_runs
            self._level, self._room_for_new_runs = state.level, room
        if changed:
            self._bus.publish(DISK_SPACE, state.to_event())
        if room_again:
            self._on_room()
        return state

    def _state_of(self, readings: list[DiskReading]) -> DiskState:
        warning_mb = int(self._settings.get("low_disk_warning_mb"))
        pause_mb = int(self._settings.get("low_disk_pause_mb"))
        if not readings:
            return DiskState("ok", "", 0, warning_mb, pause_mb, "")
        worst = min(readings, key=lambda r: r.free)
        level = level_of(worst.free, warning_mb, pause_mb)
        message = describe(level, worst.folder, worst.free, pause_mb)
        return DiskState(level, str(worst.folder), megabytes(worst.free), warning_mb, pause_mb, message)

    def _run(self) -> None:
        while True:
            try:
                self.check()
            except Exception:  # never let one bad reading end the checks
                log.exception("checking free disk space failed")
            time.sleep(self._interval)
