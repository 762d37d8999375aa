"""`retro-ml model-job SPEC.json`: evaluate one model or compare 2-4 models, in a subprocess.

The main process (services/models/jobs.py) writes the spec, starts this process and reads its
stdout, one JSON object a line:
- `{"type": "progress", "stage": "playing", "done", "total", "model_index", "score"}` after each
  game (`done` of `total` games over all models), then `{"type": "progress", "stage": "recording",
  "done", "total", "model_index": null, "score": null}` before the video is recorded;
- last, `{"type": "result", ...}` (shapes below) or `{"type": "failed", "message"}`.
Anything else it prints (SB3, ALE's banner) goes to stderr.

The spec: `{"kind": "evaluate"|"compare", "env_id", "models": [{"path", "algorithm", "label"}],
"episodes", "seed", "max_seconds", "record", "torch_threads"?, "work_dir", "destination", "video_name",
"thumbnail_name"}`. The model paths are copies the main process made in `work_dir`, so a
checkpoint its still-training run prunes meanwhile does not matter. Videos are recorded in
`work_dir` and renamed into `destination` (the run's videos/ folder) just before the result is
printed: nothing half-written ever carries a final name.

SIGTERM, or the main process going away, stops the job at the next check (every second of game
time): the video being recorded is dropped, and the exit code is 130 with a `failed` line.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from retro_ml.training.comparison_video import Contender, record_comparison
from retro_ml.training.episodes import ClipStopped, EpisodeResult
from retro_ml.training.model_games import ModelFileError, ModelGames, game_seeds

STOPPED_EXIT_CODE = 130
PARENT_CHECK_SECONDS = 0.5


class JobOutput:
    """The JSON lines on the real stdout; everything else printed goes to stderr."""

    def __init__(self) -> None:
        self._out = sys.stdout
        sys.stdout = sys.stderr

    def send(self, line: dict[str, Any]) -> None:
        self._out.write(json.dumps(line) + "\n")
        self._out.flush()


def watch_for_stop() -> Callable[[], bool]:
    """`stopping()`: True after SIGTERM or once the parent process is gone."""
    stop = threading.Event()
    parent = os.getppid()

    def watch_parent() -> None:
        while not stop.wait(PARENT_CHECK_SECONDS):
            if os.getppid() != parent:
                stop.set()

    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threading.Thread(target=watch_parent, daemon=True, name="parent-watch").start()
    return stop.is_set


def game_facts(played: list[EpisodeResult]) -> dict[str, Any]:
    return {
        "scores": [episode.score for episode in played],
        "lengths": [episode.steps for episode in played],
        "frames": [episode.frames for episode in played],
        "capped": [not episode.game_over for episode in played],
    }


def video_facts(path: Path, thumbnail: Path, width: int, height: int, frames: int, duration: float) -> dict[str, Any]:
    return {
        "path": str(path),
        "thumbnail": str(thumbnail),
        "width": width,
        "height": height,
        "frames": frames,
        "duration": round(duration, 3),
    }


def filmed_game(scores_by_model: list[list[float]]) -> int:
    """The game the comparison films: where the models' scores differ most (first of equals)."""
    games = len(scores_by_model[0])
    spread = [max(s[i] for s in scores_by_model) - min(s[i] for s in scores_by_model) for i in range(games)]
    return max(range(games), key=lambda index: (spread[index], -index))


class ModelJob:
    def __init__(self, spec: dict[str, Any], output: JobOutput, stopping: Callable[[], bool]) -> None:
        self.spec = spec
        self.output = output
        self.stopping = stopping
        self.work_dir = Path(spec["work_dir"])
        self.destination = Path(spec["destination"])
        self.seeds = game_seeds(int(spec["seed"]), int(spec["episodes"]))
        self.max_seconds = float(spec["max_seconds"])
        self.total = len(self.seeds) * len(spec["models"])
        self.done = 0

    def run(self) -> dict[str, Any]:
        import torch

        # One game at a time, batch 1: more threads only take cores from a training run beside it.
        torch.set_num_threads(int(self.spec.get("torch_threads") or 1))
        players = [
            ModelGames.load(Path(entry["path"]), entry["algorithm"], self.spec["env_id"], self.max_seconds)
            for entry in self.spec["models"]
        ]
        played = [self._play_all(index, player) for index, player in enumerate(players)]
        result: dict[str, Any] = {
            "type": "result",
            "kind": self.spec["kind"],
            "seeds": self.seeds,
            "max_seconds": self.max_seconds,
            "models": [
                {"num_timesteps": player.num_timesteps, **game_facts(games)}
                for player, games in zip(players, played, strict=True)
            ],
            "video": None,
        }
        if not self.spec.get("record", True):
            return result
        self.output.send(
            {
                "type": "progress",
                "stage": "recording",
                "done": self.done,
                "total": self.total,
                "model_index": None,
                "score": None,
            }
        )
        if self.spec["kind"] == "evaluate":
            result["video"] = self._record_best(players[0], played[0])
        else:
            result["video"] = self._record_comparison(players, played)
        return result

    def _play_all(self, model_index: int, player: ModelGames) -> list[EpisodeResult]:
        def on_game(_index: int, episode: EpisodeResult) -> None:
            self.done += 1
            self.output.send(
                {
                    "type": "progress",
                    "stage": "playing",
                    "done": self.done,
                    "total": self.total,
                    "model_index": model_index,
                    "score": episode.score,
                }
            )

        return player.play_all(self.seeds, self.stopping, on_game)

    def _paths(self) -> tuple[Path, Path]:
        return self.work_dir / self.spec["video_name"], self.work_dir / self.spec["thumbnail_name"]

    def _record_best(self, player: ModelGames, played: list[EpisodeResult]) -> dict[str, Any]:
        video, thumbnail = self._paths()
        recorded = player.record_best(played, video, thumbnail, self.stopping)
        assert recorded.width is not None and recorded.height is not None
        final_video, final_thumbnail = self._move_into_place(video, thumbnail)
        facts = video_facts(
            final_video, final_thumbnail, recorded.width, recorded.height, recorded.frames, recorded.duration
        )
        return {**facts, "seed": recorded.seed, "score": recorded.score}

    def _record_comparison(self, players: list[ModelGames], played: list[list[EpisodeResult]]) -> dict[str, Any]:
        game = filmed_game([[episode.score for episode in games] for games in played])
        contenders = [
            Contender(model=player.model, frame_stack=player.frame_stack, label=str(entry["label"]))
            for player, entry in zip(players, self.spec["models"], strict=True)
        ]
        video, thumbnail = self._paths()
        recorded = record_comparison(
            contenders, self.spec["env_id"], self.seeds[game], players[0].max_frames, video, thumbnail, self.stopping
        )
        final_video, final_thumbnail = self._move_into_place(video, thumbnail)
        facts = video_facts(
            final_video, final_thumbnail, recorded.width, recorded.height, recorded.frames, recorded.duration
        )
        return {
            **facts,
            "seed": self.seeds[game],
            "game_index": game,
            "chosen_because": "the seed where the models' scores differ most (the first of equals)",
            "scores": recorded.scores,
        }

    def _move_into_place(self, video: Path, thumbnail: Path) -> tuple[Path, Path]:
        """Thumbnail first, then the video: a video under its final name always has its thumbnail."""
        self.destination.mkdir(parents=True, exist_ok=True)
        final_thumbnail = self.destination / thumbnail.name
        final_video = self.destination / video.name
        os.replace(thumbnail, final_thumbnail)
        os.replace(video, final_video)
        return final_video, final_thumbnail


def run_model_job(spec_path: Path) -> int:
    output = JobOutput()
    stopping = watch_for_stop()
    started = time.monotonic()
    try:
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        result = ModelJob(spec, output, stopping).run()
    except ClipStopped:
        output.send({"type": "failed", "message": "The job was cancelled."})
        return STOPPED_EXIT_CODE
    except ModelFileError as error:
        output.send({"type": "failed", "message": str(error)})
        return 1
    except Exception as error:  # noqa: BLE001 - every failure becomes the job's message
        first = (str(error).strip().splitlines() or [""])[0]
        output.send({"type": "failed", "message": f"{type(error).__name__}: {first}".rstrip(": ")})
        return 1
    result["seconds"] = round(time.monotonic() - started, 2)
    output.send(result)
    return 0
