"""Watch a model version play live: one `model-play` process per watched model, while someone watches.

The first watcher of a model starts its player (training/model_player.py) in a folder of its
own under `<data dir>/model-watch/`, holding a copy of the model file (a checkpoint that its
still-training run prunes meanwhile does not matter) and `SPEED`; the watch is acked once the
player has loaded the model, or refused with its reason (a missing or damaged model file), and
then no process is left. Frames flow through the training live view's machinery
(services/workers/live_view.py FolderLiveView: LIVE_VIEW kept fresh, live.jpg followed), keyed
by model id. The last watcher leaving (or disconnecting) stops the player with SIGTERM; the
player also stops by itself when nobody has watched for LIVE_VIEW_WATCH_TIMEOUT_SECONDS or the
app is gone. A speed change rewrites `SPEED`: the same process re-reads it within half a second.
"""

from __future__ import annotations

import json
import logging
import secrets
import shutil
import subprocess
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retro_ml.errors import AppError, Conflict, InvalidInput
from retro_ml.run_contract import MODEL_PLAY_SPEED_FILE, MODEL_WATCH_SPEEDS
from retro_ml.services.models.registry import ModelRegistry
from retro_ml.services.workers.live_view import FolderLiveView, FrameListener, parse_fps
from retro_ml.services.workers.process import app_command, start_job_process
from retro_ml.store.atomic_storage import atomic_write_text

log = logging.getLogger(__name__)

START_TIMEOUT_SECONDS = 60.0  # loading torch and SB3 on a busy machine
STOP_WAIT_SECONDS = 5.0
PLAYER_LOG = "player.log"

EndListener = Callable[[str, str], object]
"""`listener(model_id, message)`: a watched model's player ended by itself."""


def parse_speed(value: Any) -> int:
    """1, 2 or 4 (game time × real time)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value not in MODEL_WATCH_SPEEDS:
        speeds = ", ".join(f"{speed}" for speed in MODEL_WATCH_SPEEDS)
        raise InvalidInput(f"speed is one of {speeds} (× real time), not {value!r}.", field="speed")
    return int(value)


def check_model_zip(path: Path) -> None:
    """A 422 `model_file_corrupt` unless `path` is a zip holding SB3's `data` and `policy.pth`."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (OSError, zipfile.BadZipFile) as exc:
        reason = f"{type(exc).__name__}: {exc}"
    else:
        missing = [name for name in ("data", "policy.pth") if name not in names]
        if not missing:
            return
        reason = f"it has no '{missing[0]}'"
    raise AppError(
        "model_file_corrupt",
        f"The model file {path.name} is not a readable Stable-Baselines3 model ({reason}): it cannot be "
        "watched. Delete this version, or train or import the model again.",
        status=422,
    )


@dataclass(eq=False)  # compared and hashed by identity: one per process
class _Player:
    model_id: str
    folder: Path
    process: subprocess.Popen[bytes]
    speed: int
    seed: int
    ready: threading.Event = field(default_factory=threading.Event)
    error: str | None = None
    error_code: str = "watch_failed"
    num_timesteps: int | None = None
    games: list[float] = field(default_factory=list)
    waiting: int = 0  # watchers waiting for it to be ready
    stopping: bool = False  # we stopped it: its end is nothing to report

    def alive(self) -> bool:
        return self.process.poll() is None


class ModelWatchService:
    def __init__(self, registry: ModelRegistry, root: Path) -> None:
        self._registry = registry
        self._root = root
        self._live = FolderLiveView()
        self._lock = threading.Lock()
        self._players: dict[str, _Player] = {}
        self._stopping: set[_Player] = set()  # stopped, not yet reaped: shutdown waits for them too
        self._end_listeners: list[EndListener] = []
        self._closed = False
        shutil.rmtree(root, ignore_errors=True)  # what a crashed app left

    def on_frame(self, listener: FrameListener) -> None:
        """`listener(model_id, jpeg, info)` for every frame of a watched model."""
        self._live.on_frame(listener)

    def on_ended(self, listener: EndListener) -> None:
        self._end_listeners.append(listener)

    # ---- watching -------------------------------------------------------------------------
    def watch(self, model_id: str, client_id: str, fps: Any = None, speed: Any = None) -> dict[str, Any]:
        """Start (or change) `client_id`'s watch of a model; blocks until its player plays.

        404 for an unknown model, 400 for a bad fps or speed, 422 for a missing or damaged model file.
        """
        model = self._registry.get(model_id)
        parse_fps(fps)  # a bad one is refused before anything starts
        wanted_speed = None if speed is None else parse_speed(speed)
        with self._lock:
            if self._closed:
                raise AppError("shutting_down", "The app is closing: watch again after it restarts.", 503)
            player = self._players.get(model_id)
            if player is None or not player.alive():
                if player is not None:
                    self._forget(player)
                player = self._start(model_id, model.env_id, model.algorithm, wanted_speed or MODEL_WATCH_SPEEDS[0])
            elif wanted_speed is not None:
                self._set_speed(player, wanted_speed)
            player.waiting += 1
        try:
            if not player.ready.wait(START_TIMEOUT_SECONDS):
                player.error = f"The player did not start within {START_TIMEOUT_SECONDS:.0f} s; try again."
            if player.error is not None:
                raise AppError(player.error_code, player.error, status=422)
            got_fps = self._live.watch_folder(model_id, player.folder, client_id, fps, player.alive)
        finally:
            with self._lock:
                player.waiting -= 1
                self._stop_if_unwatched(player)
        return {"model_id": model_id, "fps": got_fps, "speed": player.speed, "num_timesteps": player.num_timesteps}

    def unwatch(self, model_id: str, client_id: str) -> None:
        with self._lock:
            self._live.unwatch(model_id, client_id)
            player = self._players.get(model_id)
            if player is not None:
                self._stop_if_unwatched(player)

    def drop_client(self, client_id: str) -> None:
        """`client_id` is gone (disconnected): end all its watches."""
        for model_id in self._live.watched_ids():
            self.unwatch(model_id, client_id)

    def set_speed(self, model_id: str, speed: Any) -> dict[str, Any]:
        """PUT: 404 unknown model, 400 a speed other than 1, 2, 4, 409 when nobody watches it."""
        self._registry.get(model_id)
        wanted = parse_speed(speed)
        with self._lock:
            player = self._players.get(model_id)
            if player is None or not player.alive() or model_id not in self._live.watched_ids():
                raise Conflict("Nobody is watching this model: start watching it, then change its speed.")
            self._set_speed(player, wanted)
            return self._status(player)

    def status(self, model_id: str) -> dict[str, Any]:
        self._registry.get(model_id)
        with self._lock:
            player = self._players.get(model_id)
            if player is None or not player.alive():
                return {"model_id": model_id, "watching": False, "speed": None, "games": []}
            return self._status(player)

    def shutdown(self) -> None:
        """Stop every player and wait for it: none outlives the app."""
        with self._lock:
            self._closed = True
            for player in list(self._players.values()):
                self._stop(player)
            players = list(self._stopping)  # those an unwatch stopped a moment ago as well
        for player in players:
            _wait_or_kill(player.process)
            shutil.rmtree(player.folder, ignore_errors=True)

    # ---- players (under self._lock) ---------------------------------------------------------
    def _status(self, player: _Player) -> dict[str, Any]:
        watching = player.model_id in self._live.watched_ids()
        return {"model_id": player.model_id, "watching": watching, "speed": player.speed, "games": list(player.games)}

    def _start(self, model_id: str, env_id: str, algorithm: str, speed: int) -> _Player:
        source = self._registry.model_file(model_id)  # 422 model_file_missing
        check_model_zip(source)
        folder = self._root / f"{model_id}-{secrets.token_hex(4)}"
        try:
            folder.mkdir(parents=True)
            copy = folder / source.name  # the player's messages name the user's file
            shutil.copyfile(source, copy)
            check_model_zip(copy)  # replaced meanwhile by something else?
            atomic_write_text(folder / MODEL_PLAY_SPEED_FILE, str(speed))
            seed = secrets.randbelow(1_000_000)
            command = app_command(
                "model-play",
                *("--model", str(copy), "--algorithm", algorithm, "--env-id", env_id),
                *("--folder", str(folder), "--seed", str(seed)),
            )
            with (folder / PLAYER_LOG).open("wb") as log_file:
                process = start_job_process(command, log_file, cwd=folder)
        except FileNotFoundError:
            shutil.rmtree(folder, ignore_errors=True)
            raise AppError("model_file_missing", f"The model file {source} was removed just now.", 422) from None
        except OSError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            raise AppError("watch_failed", f"Could not start the player: {exc.strerror or exc}.", 507) from exc
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        player = _Player(model_id, folder, process, speed, seed)
        self._players[model_id] = player
        threading.Thread(target=self._follow, args=(player,), daemon=True, name=f"model-play-{model_id}").start()
        return player

    def _set_speed(self, player: _Player, speed: int) -> None:
        atomic_write_text(player.folder / MODEL_PLAY_SPEED_FILE, str(speed))
        player.speed = speed

    def _stop_if_unwatched(self, player: _Player) -> None:
        if player.waiting == 0 and player.model_id not in self._live.watched_ids():
            self._stop(player)

    def _stop(self, player: _Player) -> None:
        player.stopping = True
        self._live.end(player.model_id)
        if self._players.get(player.model_id) is player:
            del self._players[player.model_id]
        if player.alive():
            self._stopping.add(player)
            player.process.terminate()  # it stops at its next step; _follow reaps it
            killer = threading.Timer(STOP_WAIT_SECONDS, _kill_if_alive, args=(player.process,))
            killer.daemon = True
            killer.start()

    def _forget(self, player: _Player) -> None:
        """A player that ended by itself: out of the list (its thread cleans its folder)."""
        self._live.end(player.model_id)
        if self._players.get(player.model_id) is player:
            del self._players[player.model_id]

    # ---- one thread per player: its lines, its end ------------------------------------------
    def _follow(self, player: _Player) -> None:
        stdout = player.process.stdout
        assert stdout is not None
        try:
            for raw in stdout:
                self._on_line(player, raw)
        except Exception:
            log.exception("reading the player of %s failed", player.model_id)
        code = player.process.wait()
        if player.error is None and not player.ready.is_set():
            player.error = f"The player ended before it could play (exit code {code}).{self._log_tail(player)}"
        player.ready.set()  # nobody waits forever
        with self._lock:
            self._stopping.discard(player)
            unexpected = not player.stopping and self._players.get(player.model_id) is player
            if self._players.get(player.model_id) is player:
                self._forget(player)
        message = player.error or f"The player stopped unexpectedly (exit code {code}).{self._log_tail(player)}"
        shutil.rmtree(player.folder, ignore_errors=True)
        if unexpected and player.num_timesteps is not None:  # it played, then stopped while watched
            for listener in list(self._end_listeners):
                try:
                    listener(player.model_id, message)
                except Exception:
                    log.exception("live.ended listener %r failed", listener)

    def _on_line(self, player: _Player, raw: bytes) -> None:
        try:
            line = json.loads(raw)
        except ValueError:
            return
        if not isinstance(line, dict):
            return
        kind = line.get("type")
        if kind == "ready":
            player.num_timesteps = int(line.get("num_timesteps") or 0)
            player.ready.set()
        elif kind == "game" and isinstance(line.get("score"), int | float):
            player.games.append(float(line["score"]))
        elif kind == "error":
            player.error = str(line.get("message") or "The player failed.")
            if line.get("code") == "model_file_corrupt":
                player.error_code = "model_file_corrupt"
            player.ready.set()

    @staticmethod
    def _log_tail(player: _Player) -> str:
        try:
            lines = (player.folder / PLAYER_LOG).read_text(encoding="utf-8", errors="replace").strip().splitlines()
        except OSError:
            return ""
        return f" Its last words: {lines[-1][:300]}" if lines else ""


def _kill_if_alive(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        log.warning("the player %s did not stop within %.0f s: killed", process.pid, STOP_WAIT_SECONDS)
        process.kill()


def _wait_or_kill(process: subprocess.Popen[bytes]) -> None:
    try:
        process.wait(STOP_WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
