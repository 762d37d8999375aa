"""What an evaluation or a comparison request asks for, checked before any job exists.

Every problem is an AppError (a 4xx): a body that is not what the route documents, an unknown
model id (404), 1 or 5 models, the same model twice, models of different games, a model file
that is gone (422 `model_file_missing`) or is no SB3 model (422 `model_file_corrupt`: the
archive must hold SB3's `data` member). What only loading the model can tell ends in a failed
job instead, with the loader's message.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retro_ml.errors import AppError, InvalidInput
from retro_ml.services.models.registry import ModelRegistry
from retro_ml.store.entities import ModelVersion

DEFAULT_EPISODES = 10
MAX_EPISODES = 1000
MIN_MODELS, MAX_MODELS = 2, 4
DEFAULT_MAX_SECONDS = 120.0  # each game's cap in game time, like the milestone clips (milestone_max_seconds)
MAX_MAX_SECONDS = 1800.0  # ALE v5 ends a game after 30 minutes anyway
MAX_SEED = 2**31 - 1 - MAX_EPISODES  # game i plays seed + i, and ALE takes seeds below 2**31

EVALUATE_FIELDS = frozenset({"episodes", "seed", "record", "max_seconds"})
COMPARE_FIELDS = frozenset({"model_ids", "episodes", "seed", "record", "max_seconds"})


@dataclass(frozen=True)
class GamesRequest:
    """The games every model plays: `episodes` games on seeds seed, seed+1, ...; each capped at `max_seconds`."""

    episodes: int
    seed: int
    record: bool
    max_seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {"episodes": self.episodes, "seed": self.seed, "record": self.record, "max_seconds": self.max_seconds}


def _body(payload: Any, fields: frozenset[str], example: str) -> dict[str, Any]:
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise InvalidInput(f"Send a JSON object, e.g. {example}.")
    unknown = sorted(set(payload) - fields)
    if unknown:
        raise InvalidInput(f"Unknown field '{unknown[0]}': send only {', '.join(sorted(fields))}.", field=unknown[0])
    return payload


def _integer(body: dict[str, Any], name: str, default: int, low: int, high: int, what: str) -> int:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"'{name}' is {what}: a whole number from {low:,} to {high:,}.", field=name)
    return value


def parse_games(body: dict[str, Any]) -> GamesRequest:
    episodes = _integer(body, "episodes", DEFAULT_EPISODES, 1, MAX_EPISODES, "how many games each model plays")
    seed = _integer(body, "seed", 0, 0, MAX_SEED, "the first game's seed")
    record = body.get("record", True)
    if not isinstance(record, bool):
        raise InvalidInput("'record' is true (film the games) or false.", field="record")
    max_seconds = body.get("max_seconds", DEFAULT_MAX_SECONDS)
    if (
        isinstance(max_seconds, bool)
        or not isinstance(max_seconds, int | float)
        or not 1 <= max_seconds <= MAX_MAX_SECONDS
    ):
        raise InvalidInput(
            f"'max_seconds' caps each game: from 1 to {MAX_MAX_SECONDS:g} seconds of game time.", field="max_seconds"
        )
    return GamesRequest(episodes=episodes, seed=seed, record=record, max_seconds=float(max_seconds))


def parse_evaluate(payload: Any) -> GamesRequest:
    return parse_games(_body(payload, EVALUATE_FIELDS, '{"episodes": 10, "seed": 0}'))


def parse_compare(payload: Any) -> tuple[list[str], GamesRequest]:
    body = _body(payload, COMPARE_FIELDS, '{"model_ids": ["<id>", "<id>"], "episodes": 10}')
    ids = body.get("model_ids")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise InvalidInput("'model_ids' is a list of 2 to 4 model ids.", field="model_ids")
    if not MIN_MODELS <= len(ids) <= MAX_MODELS:
        raise InvalidInput(f"Compare 2 to 4 models, not {len(ids)}.", field="model_ids")
    if len(set(ids)) != len(ids):
        twice = next(i for i in ids if ids.count(i) > 1)
        raise InvalidInput(f"Model '{twice}' is listed twice: compare different versions.", field="model_ids")
    return ids, parse_games(body)


def same_game(models: list[ModelVersion]) -> None:
    """Models of different games cannot play the same seeds: a seed is a game's start, not a difficulty."""
    games = {model.env_id for model in models}
    if len(games) > 1:
        described = ", ".join(f"{model.name or model.id} ({model.algorithm}) plays {model.game}" for model in models)
        raise InvalidInput(
            f"Only versions of one game can be compared: {described}. The same seeds only mean the same games "
            "within one game, so choose versions of a single game.",
            field="model_ids",
        )


def checked_model_file(registry: ModelRegistry, model: ModelVersion) -> Path:
    """The version's .zip, if it is there and looks like an SB3 model (a zip with a `data` member)."""
    path = registry.model_file(model.id)
    check_sb3_zip(path)
    return path


def check_sb3_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            archive.getinfo("data")
    except (OSError, zipfile.BadZipFile, KeyError) as exc:
        reason = "it has no 'data' member" if isinstance(exc, KeyError) else f"{type(exc).__name__}: {exc}"
        raise AppError(
            "model_file_corrupt",
            f"The model file {path} is not a Stable-Baselines3 model ({reason}). Delete this version, or train "
            "or import the model again.",
            status=422,
        ) from exc


def label_of(model: ModelVersion) -> str:
    """How a model is named in a comparison: its run's name, kind and step count."""
    kind = "" if model.kind == "final" else f" ({model.kind})"
    return f"{model.name or model.game}{kind} · step {model.num_timesteps:,}"
