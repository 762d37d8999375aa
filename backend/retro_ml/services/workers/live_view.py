"""Live view of a training run: env 0's screen as JPEG frames, produced only while watched.

The main process and the worker talk through two files in the run folder (retro_ml.run_contract):
this service keeps `LIVE_VIEW` (the wanted fps) there while at least one client watches,
re-touching it every `LIVE_VIEW_HEARTBEAT_SECONDS`, and deletes it when the last one leaves; the
worker (training/live_view.py) then writes `live.jpg`. One thread per watched experiment
polls `live.jpg` and hands every new frame to the `on_frame` listeners, at most `fps`
frames a second (the highest fps any of its watchers asked for). Watching ends by itself
when the experiment's worker is gone.

`FolderLiveView` is that protocol on any folder, keyed by whatever its owner names the watch
(the Models tab's Watch uses one for its model players, services/models/watch.py);
`LiveViewService` is it for training runs, keyed by experiment id.
"""

from __future__ import annotations

import functools
import logging
import os
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from retro_ml.errors import Conflict, InvalidInput
from retro_ml.run_contract import (
    LIVE_FRAME_COMMENT_PREFIX,
    LIVE_FRAME_FILE,
    LIVE_FRAME_GAME_FIELDS,
    LIVE_FRAME_TIMESTEP_PREFIX,
    LIVE_VIEW_DEFAULT_FPS,
    LIVE_VIEW_FILE,
    LIVE_VIEW_HEARTBEAT_SECONDS,
    LIVE_VIEW_MAX_FPS,
    LIVE_VIEW_MIN_FPS,
    FrameInfo,
)
from retro_ml.store.atomic_storage import atomic_write_text
from retro_ml.store.entities import Experiment

log = logging.getLogger(__name__)

WATCHABLE_STATUSES = frozenset({"running", "paused"})

FrameListener = Callable[[str, bytes, FrameInfo], object]
"""`listener(key, jpeg_bytes, info)`: the key is the experiment id for a training run."""


class ExperimentLookup(Protocol):
    def get(self, experiment_id: str) -> Experiment: ...


class WorkerLookup(Protocol):
    def is_running(self, experiment_id: str) -> bool: ...


@dataclass
class _Watch:
    key: str  # the experiment id of a training run
    run_dir: Path  # the folder holding LIVE_VIEW and live.jpg
    alive: Callable[[], bool]  # False once the frame writer is gone: the watch ends
    clients: dict[str, int] = field(default_factory=dict)  # client id -> fps asked for
    stop: threading.Event = field(default_factory=threading.Event)
    fps: int = 0  # what LIVE_VIEW says: the highest fps asked for (changed under the lock)


class FolderLiveView:
    """The live-view protocol on folders: LIVE_VIEW kept while watched, live.jpg followed, one thread per watch."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watches: dict[str, _Watch] = {}
        self._listeners: list[FrameListener] = []

    def on_frame(self, listener: FrameListener) -> None:
        self._listeners.append(listener)

    def watch_folder(self, key: str, folder: Path, client_id: str, fps: Any, alive: Callable[[], bool]) -> int:
        """Start (or change) `client_id`'s watch of `key`, whose frames `folder` gets while `alive()`;
        returns the fps it got (clamped to 1..15). A watch of `key` already on keeps its folder."""
        wanted = parse_fps(fps)
        with self._lock:
            watch = self._watches.get(key)
            started = watch is None
            if watch is None:
                watch = _Watch(key, folder, alive)
            before = watch.clients.get(client_id)
            watch.clients[client_id] = wanted
            try:
                self._write_watch_file(watch)
            except OSError:
                if before is None:
                    del watch.clients[client_id]
                else:
                    watch.clients[client_id] = before
                raise
            self._watches[key] = watch
        if started:
            name = f"live-view-{key}"
            threading.Thread(target=self._follow, args=(watch,), name=name, daemon=True).start()
        return wanted

    def unwatch(self, key: str, client_id: str) -> None:
        with self._lock:
            watch = self._watches.get(key)
            if watch is None or watch.clients.pop(client_id, None) is None:
                return
            if watch.clients:
                self._write_watch_file(watch)  # the fps may go down
            else:
                self._end(watch)

    def drop_client(self, client_id: str) -> None:
        """`client_id` is gone (disconnected): end all its watches."""
        with self._lock:
            watches = [w for w in self._watches.values() if client_id in w.clients]
        for watch in watches:
            self.unwatch(watch.key, client_id)

    def watched_ids(self) -> list[str]:
        with self._lock:
            return list(self._watches)

    def end(self, key: str) -> None:
        """End the watch of `key` for all its clients (its frame writer is going away)."""
        with self._lock:
            watch = self._watches.get(key)
            if watch is not None:
                self._end(watch)

    def shutdown(self) -> None:
        with self._lock:
            watches = list(self._watches.values())
            for watch in watches:
                self._end(watch)

    # ---- one thread per watched experiment ------------------------------------------
    def _follow(self, watch: _Watch) -> None:
        frame_file = watch.run_dir / LIVE_FRAME_FILE
        last_signature: tuple[int, int, int] | None = None
        last_emit = float("-inf")
        last_heartbeat = time.monotonic()
        try:
            while not watch.stop.wait(0.5 / watch.fps):  # polls twice per frame interval
                if not watch.alive():
                    break
                now = time.monotonic()
                if now - last_heartbeat >= LIVE_VIEW_HEARTBEAT_SECONDS:
                    last_heartbeat = now
                    with self._lock:
                        self._heartbeat(watch)
                if now - last_emit < 0.95 / watch.fps:
                    continue
                frame = read_new_frame(frame_file, last_signature)
                if frame is None:
                    continue
                last_signature, jpeg = frame
                last_emit = now
                self._emit(watch.key, jpeg)
        except Exception:
            log.exception("live view of %s failed", watch.key)
        finally:
            with self._lock:
                if not watch.stop.is_set():
                    self._end(watch)

    def _emit(self, key: str, jpeg: bytes) -> None:
        info = jpeg_info(jpeg)
        for listener in list(self._listeners):
            try:
                listener(key, jpeg, info)
            except Exception:
                log.exception("live frame listener %r failed", listener)

    # ---- the LIVE_VIEW file (always under self._lock) ---------------------------------
    def _write_watch_file(self, watch: _Watch, force: bool = False) -> None:
        fps = max(watch.clients.values(), default=LIVE_VIEW_DEFAULT_FPS)
        if force or fps != watch.fps:
            atomic_write_text(watch.run_dir / LIVE_VIEW_FILE, str(fps))
            watch.fps = fps

    def _heartbeat(self, watch: _Watch) -> None:
        """Tell the worker someone still watches (it ignores a LIVE_VIEW older than 10 s)."""
        if watch.stop.is_set():
            return
        try:
            os.utime(watch.run_dir / LIVE_VIEW_FILE)
        except FileNotFoundError:
            if not watch.run_dir.is_dir():
                raise  # the run folder is gone: nothing left to watch
            self._write_watch_file(watch, force=True)  # removed from outside: write it again

    def _end(self, watch: _Watch) -> None:
        watch.stop.set()
        if self._watches.get(watch.key) is watch:
            del self._watches[watch.key]
        try:
            (watch.run_dir / LIVE_VIEW_FILE).unlink(missing_ok=True)
        except OSError:
            log.warning("could not remove %s", watch.run_dir / LIVE_VIEW_FILE)


class LiveViewService(FolderLiveView):
    """The live view of training runs: a watch per experiment on its run folder, while its worker runs."""

    def __init__(self, experiments: ExperimentLookup, workers: WorkerLookup) -> None:
        super().__init__()
        self._experiments = experiments
        self._workers = workers

    def watch(self, experiment_id: str, client_id: str, fps: Any = LIVE_VIEW_DEFAULT_FPS) -> int:
        """Start (or change) `client_id`'s watch; returns the fps it got (clamped to 1..15).

        NotFound for an unknown experiment, Conflict when it is not training right now.
        """
        wanted = parse_fps(fps)
        experiment = self._experiments.get(experiment_id)  # NotFound
        if experiment.status not in WATCHABLE_STATUSES or not self._workers.is_running(experiment_id):
            state = experiment.status if experiment.status not in WATCHABLE_STATUSES else "not training right now"
            raise Conflict(f"'{experiment.name}' is {state}: its game screen can only be watched while it trains.")
        alive = functools.partial(self._workers.is_running, experiment_id)
        return self.watch_folder(experiment_id, Path(experiment.run_dir), client_id, wanted, alive)


def parse_fps(value: Any) -> int:
    """An fps a client sent: a number, clamped to 1..15 (None: the default)."""
    if value is None:
        return LIVE_VIEW_DEFAULT_FPS
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise InvalidInput(
            f"fps must be a number of frames per second ({LIVE_VIEW_MIN_FPS} to {LIVE_VIEW_MAX_FPS}).", field="fps"
        )
    return int(min(LIVE_VIEW_MAX_FPS, max(LIVE_VIEW_MIN_FPS, round(value))))


def read_new_frame(path: Path, last: tuple[int, int, int] | None) -> tuple[tuple[int, int, int], bytes] | None:
    """`path`'s bytes and signature when it differs from `last`; None when unchanged or missing.

    The worker replaces the file atomically, so the opened file is always a whole frame;
    the signature comes from the opened file itself, never from a newer one.
    """
    try:
        with open(path, "rb") as handle:
            stat = os.fstat(handle.fileno())
            signature = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
            if signature == last:
                return None
            data = handle.read()
    except OSError:
        return None
    return (signature, data) if data else None


def jpeg_info(data: bytes) -> FrameInfo:
    """`{"width", "height"}` from the JPEG's frame header, plus `timestep` (and a watched model's
    LIVE_FRAME_GAME_FIELDS) from our comments."""
    info = FrameInfo(width=None, height=None)
    position = 2  # after SOI
    while position + 4 <= len(data) and data[position] == 0xFF:
        marker = data[position + 1]
        (length,) = struct.unpack_from(">H", data, position + 2)
        segment = data[position + 4 : position + 2 + length]
        if marker == 0xFE and segment.startswith(LIVE_FRAME_TIMESTEP_PREFIX):
            digits = segment[len(LIVE_FRAME_TIMESTEP_PREFIX) :]
            if digits.isdigit():
                info["timestep"] = int(digits)
        elif marker == 0xFE and segment.startswith(LIVE_FRAME_COMMENT_PREFIX):
            _read_game_field(info, segment[len(LIVE_FRAME_COMMENT_PREFIX) :])
        elif marker in (0xC0, 0xC1, 0xC2) and len(segment) >= 5:  # start of frame
            info["height"], info["width"] = struct.unpack_from(">HH", segment, 1)
        if marker == 0xDA:  # start of scan: headers are over
            break
        position += 2 + length
    return info


def _read_game_field(info: FrameInfo, comment: bytes) -> None:
    """`score=12.0`, `game=3` or `game_frame=1840` into `info`; anything else is ignored."""
    name, _, value = comment.decode("ascii", "replace").partition("=")
    if name not in LIVE_FRAME_GAME_FIELDS:
        return
    try:
        number = float(value)
    except ValueError:
        return
    if number != number or number in (float("inf"), float("-inf")):
        return
    if name == "score":
        info["score"] = number
    elif number.is_integer() and number >= 0:
        info[name] = int(number)  # type: ignore[literal-required]
