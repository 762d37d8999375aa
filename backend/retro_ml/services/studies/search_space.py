"""What a study searches: per parameter a range ({low, high, log}) or a list of choices.

The defaults are RL Baselines3 Zoo's search spaces for PPO and DQN (rl_zoo3/hyperparams_opt.py),
kept to the parameters a run's config has (no network architecture or activation) and to
values that are safe on a desktop: gamma and gae_lambda as Zoo's lists of choices, DQN's
replay memory at most 50,000 frames by default (~56 KB a frame), train_freq without Zoo's
subsampling. A request may replace the space with its own, within SAFE_BOUNDS (wider than the
defaults, never beyond what a run config accepts): any other parameter, or a bound outside
those, is a 400 naming `params.<name>`.

PPO's `n_steps` choices are those whose rollout (n_steps × n_envs) fits twice into a trial, so
every trial learns in several rounds and is evaluated between them; `batch_size` is capped at one
rollout per trial (`fit_to_rollout`); DQN's `learning_starts` choices start learning within the
first half of a trial.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from retro_ml.errors import InvalidInput
from retro_ml.services.experiments.config_fields import FIELDS

GAMMAS = (0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 0.9999)

DEFAULT_SPACES: dict[str, dict[str, dict[str, Any]]] = {
    "ppo": {
        "learning_rate": {"low": 1e-5, "high": 0.002, "log": True},
        "n_steps": {"choices": [32, 64, 128, 256, 512, 1024, 2048]},
        "batch_size": {"choices": [32, 64, 128, 256, 512]},
        "gamma": {"choices": list(GAMMAS)},
        "gae_lambda": {"choices": [0.8, 0.9, 0.92, 0.95, 0.98, 0.99, 1.0]},
        "ent_coef": {"low": 1e-8, "high": 0.1, "log": True},
        "clip_range": {"choices": [0.1, 0.2, 0.3, 0.4]},
        "n_epochs": {"choices": [1, 5, 10, 20]},
        "max_grad_norm": {"low": 0.3, "high": 2.0},
    },
    "dqn": {
        "learning_rate": {"low": 1e-5, "high": 0.01, "log": True},
        "gamma": {"choices": list(GAMMAS)},
        "batch_size": {"choices": [16, 32, 64, 100, 128, 256, 512]},
        "buffer_size": {"choices": [10_000, 25_000, 50_000]},
        "exploration_final_eps": {"low": 0.0, "high": 0.2},
        "exploration_fraction": {"low": 0.0, "high": 0.5},
        "target_update_interval": {"choices": [1, 1000, 5000, 10000, 15000, 20000]},
        "learning_starts": {"choices": [0, 1000, 5000, 10000, 20000]},
        "train_freq": {"choices": [1, 4, 8, 16]},
    },
}

# The widest a request may search: (low, high) per parameter, both algorithms where they share it.
SAFE_BOUNDS: dict[str, tuple[float, float]] = {
    "learning_rate": (1e-8, 0.1),
    "gamma": (0.8, 0.9999),
    "batch_size": (8, 4096),
    "max_grad_norm": (0.1, 10.0),
    "n_steps": (8, 8192),
    "gae_lambda": (0.8, 1.0),
    "ent_coef": (0.0, 0.2),
    "clip_range": (0.05, 0.5),
    "n_epochs": (1, 30),
    "vf_coef": (0.1, 2.0),
    "buffer_size": (1_000, 200_000),
    "exploration_final_eps": (0.0, 0.5),
    "exploration_fraction": (0.0, 1.0),
    "target_update_interval": (1, 100_000),
    "learning_starts": (0, 1_000_000),
    "train_freq": (1, 1000),
    "gradient_steps": (1, 64),
    "tau": (0.001, 1.0),
    # A trial's seed: searched only when asked for (e.g. to compare starting points)
    "seed": (0, 2**31 - 1),
}


@dataclass(frozen=True)
class Param:
    """One searched parameter: `choices`, else a `low`..`high` range (`log`: sampled on a log scale)."""

    name: str
    kind: type  # int or float
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple[float, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        if self.choices:
            return {"choices": list(self.choices)}
        return {"low": self.low, "high": self.high, "log": self.log}

    def suggest(self, trial: Any) -> float:
        """The value Optuna's `trial` picks (an enqueued trial's own value when it has one)."""
        if self.choices:
            return trial.suggest_categorical(self.name, list(self.choices))
        assert self.low is not None and self.high is not None
        if self.kind is int:
            return trial.suggest_int(self.name, int(self.low), int(self.high), log=self.log)
        return trial.suggest_float(self.name, self.low, self.high, log=self.log)

    def values(self) -> tuple[float, ...]:
        """The extremes (a range) or every choice."""
        if self.choices:
            return self.choices
        assert self.low is not None and self.high is not None
        return (self.low, self.high)


def default_space(algorithm: str) -> dict[str, dict[str, Any]]:
    return {name: dict(spec) for name, spec in DEFAULT_SPACES[algorithm].items()}


def parse_space(value: Any, algorithm: str) -> list[Param]:
    """The search space of a create request's `params` (None: the algorithm's default)."""
    if value is None:
        value = default_space(algorithm)
    if not isinstance(value, dict) or not value:
        raise InvalidInput(
            'params must be an object like {"learning_rate": {"low": 1e-5, "high": 0.001, "log": true}}.',
            field="params",
        )
    return [parse_param(name, spec, algorithm) for name, spec in value.items()]


def parse_param(name: Any, spec: Any, algorithm: str) -> Param:
    where = f"params.{name}"
    field = FIELDS.get(name) if isinstance(name, str) else None
    if field is None or name not in SAFE_BOUNDS or algorithm not in field.algorithms:
        searchable = ", ".join(sorted(n for n in SAFE_BOUNDS if algorithm in FIELDS[n].algorithms))
        raise InvalidInput(f"'{name}' cannot be searched for {algorithm.upper()}: use {searchable}.", field=where)
    if not isinstance(spec, dict):
        raise InvalidInput(f"'{name}' needs {{low, high, log?}} or {{choices: [...]}}.", field=where)
    kind = int if field.kind is int else float
    unknown = sorted(set(spec) - {"low", "high", "log", "choices"})
    if unknown:
        raise InvalidInput(f"'{name}' has an unknown key '{unknown[0]}' (use low, high, log or choices).", field=where)
    if "choices" in spec:
        if set(spec) != {"choices"}:
            raise InvalidInput(f"'{name}': give either choices or low/high, not both.", field=where)
        choices = spec["choices"]
        if not isinstance(choices, list) or not 1 <= len(choices) <= 50:
            raise InvalidInput(f"'{name}': choices must be a list of 1 to 50 numbers.", field=where)
        values = tuple(dict.fromkeys(_number(name, c, kind, where) for c in choices))
        for choice in values:
            _within_safe(name, choice, where)
        return Param(name, kind, choices=values)
    if "low" not in spec or "high" not in spec:
        raise InvalidInput(f"'{name}' needs both low and high (or choices).", field=where)
    low, high = _number(name, spec["low"], kind, where), _number(name, spec["high"], kind, where)
    log = spec.get("log", False)
    if not isinstance(log, bool):
        raise InvalidInput(f"'{name}': log must be true or false.", field=where)
    if low > high:
        raise InvalidInput(f"'{name}': low ({low:g}) must not exceed high ({high:g}).", field=where)
    if log and low <= 0:
        raise InvalidInput(f"'{name}': a log scale needs low above 0.", field=where)
    _within_safe(name, low, where)
    _within_safe(name, high, where)
    return Param(name, kind, low=low, high=high, log=log)


def _number(name: str, value: Any, kind: type, where: str) -> float:
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not numeric or (kind is int and not float(value).is_integer()):
        what = "whole numbers" if kind is int else "numbers"
        raise InvalidInput(f"'{name}' takes {what}, got {value!r}.", field=where)
    return int(value) if kind is int else float(value)


def _within_safe(name: str, value: float, where: str) -> None:
    low, high = SAFE_BOUNDS[name]
    if not low <= value <= high:
        raise InvalidInput(f"'{name}' must stay between {low:g} and {high:g} (got {value:g}).", field=where)


def fit_to_trials(space: list[Param], algorithm: str, timesteps: int, n_envs: int, given: bool) -> list[Param]:
    """The space narrowed to what a trial of `timesteps` steps can use (see the module doc).

    A default space drops the choices that do not fit; a space the request gave is refused
    (400 naming the parameter) when one of its values does not fit.
    """
    fitted = []
    for param in space:
        limit = _fit_limit(param.name, algorithm, timesteps, n_envs)
        if limit is None or max(param.values()) <= limit:
            fitted.append(param)
            continue
        what, unit = limit_text(param.name, n_envs)
        if given or not param.choices or min(param.choices) > limit:
            raise InvalidInput(
                f"'{param.name}' up to {max(param.values()):g} does not fit trials of {timesteps:,} steps: "
                f"{what} at most {limit:g}{unit}; lower it or give trials more steps.",
                field=f"params.{param.name}" if given else "timesteps_per_trial",
            )
        fitted.append(Param(param.name, param.kind, choices=tuple(c for c in param.choices if c <= limit)))
    return fitted


def _fit_limit(name: str, algorithm: str, timesteps: int, n_envs: int) -> float | None:
    if algorithm == "ppo" and name == "n_steps":
        return timesteps // (2 * max(1, n_envs))  # at least two rounds of n_steps × n_envs
    if algorithm == "dqn" and name == "learning_starts":
        return timesteps // 2
    return None


def limit_text(name: str, n_envs: int) -> tuple[str, str]:
    if name == "n_steps":
        return f"two rounds of n_steps × {n_envs} games must fit, so n_steps is", ""
    return "learning must start within the first half, so learning_starts is", ""


def fit_to_rollout(config: dict[str, Any], algorithm: str) -> dict[str, Any]:
    """A trial's config with PPO's batch_size capped at one rollout (n_steps × n_envs)."""
    if algorithm == "ppo":
        rollout = int(config["n_steps"]) * int(config["n_envs"])
        if int(config["batch_size"]) > rollout:
            return {**config, "batch_size": rollout}
    return config
