"""Validation of what a client sends to create an experiment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retro_ml.errors import InvalidInput, reject_unknown_fields
from retro_ml.run_contract import MODEL_FILE, REPLAY_BUFFER_FILE
from retro_ml.services.experiments.presets import PresetCatalog
from retro_ml.services.experiments.sizing import Hardware
from retro_ml.services.games import Game, find_game
from retro_ml.store.entities import Experiment

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
    reject_unknown_fields(payload, ALLOWED_KEYS)
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


def kept_replay_memory(parent: Experiment, source: Path, payload: Any) -> str | None:
    """The parent's replay memory a continuation loads, from the request's `keep_replay_buffer`.

    A DQN run that ended with `keep_replay_buffer: "yes"` left replay_buffer.pkl beside its final
    model (training/replay_memory.py); continuing from that model keeps it unless the request
    says `false`. A continuation from a checkpoint has no memory of that moment to keep.
    """
    keep = payload.get("keep_replay_buffer") if isinstance(payload, dict) else None
    if keep is not None and not isinstance(keep, bool):
        raise InvalidInput("'keep_replay_buffer' must be true or false.", field="keep_replay_buffer")
    memory = Path(parent.run_dir) / REPLAY_BUFFER_FILE
    available = parent.algorithm == "dqn" and source.name == MODEL_FILE and memory.is_file()
    if keep and not available:
        raise InvalidInput(
            f"'{parent.name}' has no replay memory to keep: DQN runs save it when they end"
            " (keep_replay_buffer: yes); continue without it.",
            field="keep_replay_buffer",
        )
    return str(memory) if available and keep is not False else None
