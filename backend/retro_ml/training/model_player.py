"""Plays one model version live for the Models tab's Watch: games one after another, paced to real time.

Runs in the `model-play` subprocess (commands/model_play.py), never in the main process. The games
are the evaluation's (training/episodes.py EpisodeGame): the training env `ALE/*-v5` with sticky
actions and the training preprocessing, `model.predict(obs, deterministic=True)`, the real
unclipped score over all lives; game i is played on seed `seed + i`.

The main process (services/models/watch.py) talks to it through files in its own folder, with
the training live view's protocol (run_contract/live_view.py): while `LIVE_VIEW` is fresh, at
most its fps times a second, the game screen goes to `live.jpg` (the same JPEG as training's,
with the model's step count, plus the live score, the game number and its emulator frame as
comments); `SPEED` (1, 2 or 4) sets the pace, re-read every half second, so a change of speed
needs no new process. The game runs at 60 emulator frames a second × speed (frameskip 4: 15,
30 or 60 agent steps a second); a machine too slow for that plays as fast as it can.

It stops by itself once LIVE_VIEW has been missing or stale for LIVE_VIEW_WATCH_TIMEOUT_SECONDS
(nobody watches, or the app crashed), on SIGTERM, or when its parent process is gone. Its stdout
is JSON lines: `{"type": "ready", "num_timesteps", "frame_stack"}` once the model is loaded, then
`{"type": "game", "game", "seed", "score", "frames", "steps", "game_over"}` after each game, and
last `{"type": "stopped", "reason"}` or `{"type": "error", "code", "message"}` (exit code 1; code
`model_file_corrupt` when the file is no model of that algorithm, else `watch_failed`).
"""

from __future__ import annotations

import os
import struct
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from retro_ml.run_contract import (
    LIVE_FRAME_COMMENT_PREFIX,
    LIVE_FRAME_FILE,
    LIVE_VIEW_FILE,
    LIVE_VIEW_WATCH_TIMEOUT_SECONDS,
    MODEL_PLAY_SPEED_FILE,
    MODEL_WATCH_SPEEDS,
    TEMPORARY_LIVE_FRAME_FILE,
)
from retro_ml.training.episodes import NATIVE_FPS, EpisodeGame
from retro_ml.training.live_view import encode_screen, read_fps
from retro_ml.training.model_games import ModelFileError, frame_stack_of, load_model_file
from retro_ml.training.model_job import JobOutput, watch_for_stop

CHECK_INTERVAL_SECONDS = 0.5
MAX_GAME_SECONDS = 600.0  # a game that never ends (an agent that stopped playing) gives way to the next
MAX_LAG_SECONDS = 0.25  # further behind than this, the pace starts again from now (no rush to catch up)


def read_speed(path: Path, current: int) -> int:
    """The speed SPEED asks for (1, 2 or 4); `current` when it is missing or says something else."""
    try:
        speed = int(path.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return current
    return speed if speed in MODEL_WATCH_SPEEDS else current


class Pacer:
    """Holds the game to `speed` × 60 emulator frames per wall-clock second."""

    def __init__(self, speed: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.speed = speed
        self._anchor_time = clock()
        self._anchor_frames = 0

    def restart(self, frames: int, speed: int | None = None) -> None:
        """Pace from now on, `frames` being the frame counter now (a new game, a new speed)."""
        if speed is not None:
            self.speed = speed
        self._anchor_time = self._clock()
        self._anchor_frames = frames

    def delay(self, frames: int) -> float:
        """Seconds to wait before the game may go past `frames`; 0 when late (and far behind: start again)."""
        due = self._anchor_time + (frames - self._anchor_frames) / (NATIVE_FPS * self.speed)
        late = self._clock() - due
        if late > MAX_LAG_SECONDS:
            self.restart(frames)
        return max(0.0, -late)


class WatchFiles:
    """What the main process asks through the folder: the fps (0: nobody watches) and the speed."""

    def __init__(self, folder: Path, clock: Callable[[], float] = time.monotonic) -> None:
        self.watch_file = folder / LIVE_VIEW_FILE
        self.speed_file = folder / MODEL_PLAY_SPEED_FILE
        self._clock = clock
        self.fps = 0.0
        self.speed = read_speed(self.speed_file, MODEL_WATCH_SPEEDS[0])
        self._unwatched_since: float | None = clock()
        self._next_check = float("-inf")

    def check(self) -> None:
        """At most every CHECK_INTERVAL_SECONDS: two `stat`s, a read when one changed."""
        now = self._clock()
        if now < self._next_check:
            return
        self._next_check = now + CHECK_INTERVAL_SECONDS
        try:
            stat = os.stat(self.watch_file)
        except OSError:
            stat = None
        if stat is None or time.time() - stat.st_mtime >= LIVE_VIEW_WATCH_TIMEOUT_SECONDS:
            self.fps = 0.0
            if self._unwatched_since is None:
                self._unwatched_since = now
        else:
            self.fps = read_fps(self.watch_file)
            self._unwatched_since = None
        self.speed = read_speed(self.speed_file, self.speed)

    @property
    def abandoned(self) -> bool:
        """Nobody has watched for LIVE_VIEW_WATCH_TIMEOUT_SECONDS."""
        since = self._unwatched_since
        return since is not None and self._clock() - since >= LIVE_VIEW_WATCH_TIMEOUT_SECONDS


def add_comments(jpeg: bytes, fields: dict[str, Any]) -> bytes:
    """`jpeg` with one `retro-ml name=value` COM segment per field, right after SOI."""
    segments = b""
    for name, value in fields.items():
        comment = LIVE_FRAME_COMMENT_PREFIX + f"{name}={value}".encode("ascii")
        segments += b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment
    return jpeg[:2] + segments + jpeg[2:]


class LivePlayer:
    """One loaded model playing games in a row into `folder` (see the module doc)."""

    def __init__(self, model: Any, env_id: str, folder: Path, seed: int, output: JobOutput) -> None:
        self.model = model
        self.env_id = env_id
        self.seed = seed
        self.output = output
        self.frame_stack = frame_stack_of(model)
        self.num_timesteps = int(model.num_timesteps)
        self.frame_file = folder / LIVE_FRAME_FILE
        self.temporary_file = folder / TEMPORARY_LIVE_FRAME_FILE
        self.files = WatchFiles(folder)
        self.pacer = Pacer(self.files.speed)
        self.games = 0
        self._next_frame = float("-inf")
        self._showing = False  # live.jpg is there

    def run(self, stopping: Callable[[], bool]) -> str:
        """Play until told to stop; the reason it stopped."""
        max_frames = int(MAX_GAME_SECONDS * NATIVE_FPS)
        while True:
            game = EpisodeGame(self.model, self.env_id, self.seed + self.games, self.frame_stack, max_frames)
            self.games += 1
            self.pacer.restart(0)
            try:
                reason = self._play(game, stopping)
            finally:
                game.close()
            if reason is not None:
                self._remove_frame()
                return reason
            result = game.result()
            self.output.send(
                {
                    "type": "game",
                    "game": self.games,
                    "seed": result.seed,
                    "score": result.score,
                    "frames": result.frames,
                    "steps": result.steps,
                    "game_over": result.game_over,
                }
            )

    def _play(self, game: EpisodeGame, stopping: Callable[[], bool]) -> str | None:
        """One game to its end (None), or why playing stopped."""
        while not game.over:
            if stopping():
                return "stopped"
            self.files.check()
            if self.files.abandoned:
                return "nobody watching"
            if self.files.speed != self.pacer.speed:
                self.pacer.restart(game.frames, self.files.speed)
            if not self.files.fps:
                if self._showing:
                    self._remove_frame()  # nobody watches: no stale picture left behind
            elif time.monotonic() >= self._next_frame:
                self._next_frame = time.monotonic() + 1.0 / self.files.fps
                self._write_frame(game)
            game.step()
            wait = self.pacer.delay(game.frames)
            if wait > 0:
                time.sleep(wait)
        return None

    def _write_frame(self, game: EpisodeGame) -> None:
        ale: Any = game.tap.unwrapped.ale  # type: ignore[attr-defined] # AtariEnv under the wrappers
        screen = ale.getScreenRGB()
        fields = {"score": f"{game.score:g}", "game": self.games, "game_frame": game.frames}
        jpeg = add_comments(encode_screen(screen, self.num_timesteps), fields)
        self.temporary_file.write_bytes(jpeg)
        os.replace(self.temporary_file, self.frame_file)
        self._showing = True

    def _remove_frame(self) -> None:
        self._showing = False
        for path in (self.frame_file, self.temporary_file):
            path.unlink(missing_ok=True)


def run_model_player(model_path: Path, algorithm: str, env_id: str, folder: Path, seed: int) -> int:
    output = JobOutput()
    stopping = watch_for_stop()
    try:
        import torch

        torch.set_num_threads(1)  # batch 1, one game: more threads only take cores from training runs
        player = LivePlayer(load_model_file(model_path, algorithm), env_id, folder, seed, output)
        output.send({"type": "ready", "num_timesteps": player.num_timesteps, "frame_stack": player.frame_stack})
        reason = player.run(stopping)
    except ModelFileError as error:
        output.send({"type": "error", "code": "model_file_corrupt", "message": str(error)})
        return 1
    except Exception as error:  # noqa: BLE001 - every failure ends as one readable line
        first = (str(error).strip().splitlines() or [""])[0]
        message = f"The player failed ({type(error).__name__}: {first})."
        output.send({"type": "error", "code": "watch_failed", "message": message})
        return 1
    output.send({"type": "stopped", "reason": reason})
    return 0
