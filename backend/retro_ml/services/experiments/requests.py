"""Validation of what a client sends to create an experiment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from retro_ml.errors import InvalidInput
from retro_ml.services.experiments.presets import PresetCatalog
from retro_ml.services.experiments.sizing import Hardware
from retro_ml.services.games import Game, find_game

MAX_NAME_LENGTH = 100
MAX_TAGS = 20
MAX_TAG_LENGTH = 40
ALLOWED_KEYS = frozenset({"game", "algorithm", "preset", "name", "tags", "config"})


@dataclass(frozen=True)
class NewExperiment:
    game: Game
    algorithm: str
    preset: str
    name: str | None
    tags: list[str]
    config: dict[str, Any]


def resource_defaults(settings: dict[str, Any]) -> dict[str, Any]:
    """Settings' resource defaults as config values; 0 / "auto" leave the hardware sizing's own."""
    defaults: dict[str, Any] = {}
    if settings.get("default_n_envs"):
        defaults["n_envs"] = int(settings["default_n_envs"])
    if settings.get("default_torch_threads"):
        defaults["torch_threads"] = int(settings["default_torch_threads"])
    if settings.get("default_device") in ("cpu", "cuda"):
        defaults["device"] = settings["default_device"]
    return defaults


def parse_new_experiment(
    payload: Any, presets: PresetCatalog, defaults: dict[str, Any] | None = None, hardware: Hardware | None = None
) -> NewExperiment:
    """`hardware` sizes the run; `defaults` (resource settings) apply over that where the
    request's config does not set the key."""
    if not isinstance(payload, dict):
        raise InvalidInput('Send a JSON object like {"game": "breakout"}.')
    unknown = sorted(set(payload) - ALLOWED_KEYS)
    if unknown:
        raise InvalidInput(f"Unknown field '{unknown[0]}'.", field=unknown[0])
    if not payload.get("game"):
        raise InvalidInput("Pick a game (field 'game', e.g. \"breakout\").", field="game")
    game = find_game(payload["game"])
    algorithm = presets.check_algorithm(payload.get("algorithm", "ppo"))
    preset = str(payload.get("preset") or "quick")
    config = presets.resolve(preset, algorithm, payload.get("config"), defaults, hardware)
    return NewExperiment(
        game, algorithm, preset, parse_name(payload.get("name")), parse_tags(payload.get("tags")), config
    )


def parse_name(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput("'name' must be text.", field="name")
    name = " ".join(value.split())
    if not name:
        return None
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"'name' is too long (at most {MAX_NAME_LENGTH} characters).", field="name")
    return name


def parse_tags(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise InvalidInput("'tags' must be a list of words.", field="tags")
    tags = list(dict.fromkeys(t.strip() for t in value if t.strip()))
    if len(tags) > MAX_TAGS or any(len(t) > MAX_TAG_LENGTH for t in tags):
        raise InvalidInput(f"At most {MAX_TAGS} tags of {MAX_TAG_LENGTH} characters each.", field="tags")
    return tags
