"""Validation of `POST /api/studies`: every bad value is a 400 naming its field."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from retro_ml.errors import InvalidInput, reject_unknown_fields
from retro_ml.services.experiments.config_fields import ALGORITHMS
from retro_ml.services.experiments.requests import parse_name
from retro_ml.services.games import Game, find_game
from retro_ml.services.studies.search_space import Param, parse_space
from retro_ml.services.studies.storage import check_storage_url

ALLOWED_KEYS = frozenset(
    {"game", "algorithm", "n_trials", "timesteps_per_trial", "sampler", "pruner", "params", "name", "storage", "config"}
    | {"enqueue"}
)
MIN_TRIALS, MAX_TRIALS = 1, 1000
MIN_TRIAL_STEPS, MAX_TRIAL_STEPS = 1_000, 10_000_000
SAMPLERS = ("tpe", "random")
PRUNERS = ("median", "none")

# What every trial's run gets unless the request's `config` says otherwise: no videos nor
# checkpoints (a trial is short and there may be hundreds), 4 evaluations of 3 games each.
TRIAL_DEFAULTS: dict[str, Any] = {
    "milestone_every_pct": 0,
    "video_length_hours": 0,
    "eval_episodes": 0,
    "checkpoint_every_pct": 0,
    "checkpoint_every_minutes": 0,
    "trial_eval_every_pct": 25,
    "trial_eval_episodes": 3,
    "trial_eval_max_seconds": 60,
}
DQN_TRIAL_DEFAULTS: dict[str, Any] = {"keep_replay_buffer": "no"}  # ~56 KB a frame, per trial


@dataclass(frozen=True)
class NewStudy:
    game: Game
    algorithm: str
    n_trials: int
    timesteps_per_trial: int
    sampler: str
    pruner: str
    space: list[Param]
    space_given: bool  # the request named its parameters (else RL Zoo's defaults)
    name: str | None
    storage_url: str | None  # None: the data dir's studies.db
    config: dict[str, Any]  # the request's config overrides, checked later with the rest of the run config
    enqueue: list[dict[str, float]]


def parse_new_study(payload: Any) -> NewStudy:
    if not isinstance(payload, dict):
        raise InvalidInput('Send a JSON object like {"game": "breakout", "n_trials": 20, "timesteps_per_trial": 50000}')
    reject_unknown_fields(payload, ALLOWED_KEYS)
    if not payload.get("game"):
        raise InvalidInput("Pick a game (field 'game', e.g. \"breakout\").", field="game")
    game = find_game(payload["game"])
    algorithm = payload.get("algorithm", "ppo")
    if algorithm not in ALGORITHMS:
        raise InvalidInput(f"'algorithm' must be one of {', '.join(ALGORITHMS)}.", field="algorithm")
    n_trials = _whole(payload.get("n_trials"), "n_trials", MIN_TRIALS, MAX_TRIALS)
    steps = _whole(payload.get("timesteps_per_trial"), "timesteps_per_trial", MIN_TRIAL_STEPS, MAX_TRIAL_STEPS)
    sampler = _choice(payload.get("sampler", "tpe"), "sampler", SAMPLERS)
    pruner = _choice(payload.get("pruner", "median"), "pruner", PRUNERS)
    space = parse_space(payload.get("params"), algorithm)
    config = payload.get("config") or {}
    if not isinstance(config, dict):
        raise InvalidInput("'config' must be an object of run settings every trial starts from.", field="config")
    searched = sorted(set(config) & {p.name for p in space})
    if searched:
        raise InvalidInput(f"'{searched[0]}' is searched: leave it out of config.", field=f"config.{searched[0]}")
    storage = check_storage_url(payload["storage"]) if payload.get("storage") is not None else None
    return NewStudy(
        game=game,
        algorithm=algorithm,
        n_trials=n_trials,
        timesteps_per_trial=steps,
        sampler=sampler,
        pruner=pruner,
        space=space,
        space_given=payload.get("params") is not None,
        name=parse_name(payload.get("name")),
        storage_url=storage,
        config=dict(config),
        enqueue=parse_enqueue(payload.get("enqueue"), space, n_trials),
    )


def parse_enqueue(value: Any, space: list[Param], n_trials: int) -> list[dict[str, float]]:
    """Trials to run first, with the values given (`{name: value}`, each within the search space)."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > n_trials:
        raise InvalidInput(f"'enqueue' must be a list of at most n_trials ({n_trials}) objects.", field="enqueue")
    by_name = {param.name: param for param in space}
    trials = []
    for index, params in enumerate(value):
        where = f"enqueue[{index}]"
        if not isinstance(params, dict) or not params:
            raise InvalidInput(f"{where} must be an object of searched parameters and values.", field=where)
        for name, given in params.items():
            param = by_name.get(name)
            if param is None:
                raise InvalidInput(f"{where}: '{name}' is not searched by this study.", field=f"{where}.{name}")
            if not _fits(param, given):
                raise InvalidInput(
                    f"{where}: {given!r} is outside the search space of '{name}' ({param.to_dict()}).",
                    field=f"{where}.{name}",
                )
        trials.append(dict(params))
    return trials


def _fits(param: Param, value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return False
    if param.choices:
        return value in param.choices
    assert param.low is not None and param.high is not None
    return param.low <= value <= param.high and (param.kind is float or float(value).is_integer())


def _whole(value: Any, field: str, low: int, high: int) -> int:
    if value is None:
        raise InvalidInput(f"'{field}' is required (a whole number from {low:,} to {high:,}).", field=field)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value).is_integer():
        raise InvalidInput(f"'{field}' must be a whole number, got {value!r}.", field=field)
    if not low <= value <= high:
        raise InvalidInput(f"'{field}' must be between {low:,} and {high:,}, got {int(value):,}.", field=field)
    return int(value)


def _choice(value: Any, field: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise InvalidInput(f"'{field}' must be one of {', '.join(choices)}.", field=field)
    return str(value)
