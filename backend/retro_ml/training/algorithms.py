"""Turn the flat run config (docs/CONTRACT.md) into a PPO or DQN model with `CnnPolicy`.

Each algorithm takes the keys listed in its table and ignores every other key: the run
config also carries run-level settings (`total_timesteps`, `n_envs`, `device`...) and the
API has already rejected keys nobody knows.
"""

from __future__ import annotations

from typing import Any

import torch
from stable_baselines3 import DQN, PPO
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.logger import Logger
from stable_baselines3.common.type_aliases import Schedule
from stable_baselines3.common.utils import LinearSchedule
from stable_baselines3.common.vec_env import VecEnv

ALGORITHM_CLASSES: dict[str, type[BaseAlgorithm]] = {"ppo": PPO, "dqn": DQN}

# config key -> constructor argument, per algorithm.
ALGORITHM_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "ppo": (
        "learning_rate",
        "n_steps",
        "batch_size",
        "n_epochs",
        "gamma",
        "gae_lambda",
        "clip_range",
        "ent_coef",
        "vf_coef",
        "max_grad_norm",
    ),
    "dqn": (
        "learning_rate",
        "buffer_size",
        "learning_starts",
        "batch_size",
        "tau",
        "gamma",
        "train_freq",
        "gradient_steps",
        "target_update_interval",
        "exploration_fraction",
        "exploration_initial_eps",
        "exploration_final_eps",
        "max_grad_norm",
    ),
}

# constructor argument -> config key naming its schedule ("linear" or "constant").
SCHEDULED_ARGUMENTS: dict[str, str] = {
    "learning_rate": "learning_rate_schedule",
    "clip_range": "clip_range_schedule",
}


def schedule_value(value: float, schedule: str) -> float | Schedule:
    """ "constant" keeps `value`; "linear" decays it to 0 as training progresses.

    SB3 calls a schedule with `progress_remaining`, which goes from 1 to 0. LinearSchedule
    from 1 -> 0 over the whole run is `progress_remaining * value`, and unlike a lambda it
    is pickled by reference into model.zip.
    """
    if schedule == "constant":
        return float(value)
    if schedule == "linear":
        return LinearSchedule(start=float(value), end=0.0, end_fraction=1.0)
    raise ValueError(f"Unknown schedule {schedule!r}: use 'linear' or 'constant'.")


def algorithm_kwargs(algorithm: str, config: dict[str, Any]) -> dict[str, Any]:
    """Constructor arguments for `algorithm` taken from the flat run `config`."""
    if algorithm not in ALGORITHM_ARGUMENTS:
        raise ValueError(f"Unknown algorithm {algorithm!r}: choose one of {', '.join(ALGORITHM_CLASSES)}.")
    kwargs: dict[str, Any] = {}
    for name in ALGORITHM_ARGUMENTS[algorithm]:
        if config.get(name) is None:
            continue  # SB3's default
        value = config[name]
        if name in SCHEDULED_ARGUMENTS:
            value = schedule_value(value, config.get(SCHEDULED_ARGUMENTS[name]) or "constant")
        elif name == "train_freq" and isinstance(value, list):
            value = tuple(value)  # JSON has no tuples; SB3 wants (n, "step" | "episode")
        kwargs[name] = value
    return kwargs


def build_model(
    algorithm: str,
    config: dict[str, Any],
    env: VecEnv,
    device: torch.device | str,
    logger: Logger,
) -> BaseAlgorithm:
    """A fresh `CnnPolicy` model of `algorithm` ("ppo" or "dqn") that logs to `logger`."""
    kwargs = algorithm_kwargs(algorithm, config)
    model = ALGORITHM_CLASSES[algorithm](
        "CnnPolicy",
        env,
        seed=config.get("seed"),
        device=device,
        verbose=1,
        **kwargs,
    )
    model.set_logger(logger)
    return model
