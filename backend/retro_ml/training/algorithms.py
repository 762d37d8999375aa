"""Turn the flat run config (docs/CONTRACT.md) into a PPO or DQN model with `CnnPolicy`.

Each algorithm takes the keys listed in its table and ignores every other key: the run
config also carries run-level settings (`total_timesteps`, `n_envs`, `device`...) and the
API has already rejected keys nobody knows.

Continuing a run (`resume_from` in the worker config, docs/CONTRACT.md) loads the parent's
model.zip instead of building a fresh model; see `load_model` for which settings of the
child's config apply to the loaded model.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import torch
from stable_baselines3 import DQN, PPO
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.logger import Logger
from stable_baselines3.common.type_aliases import Schedule
from stable_baselines3.common.utils import FloatSchedule, LinearSchedule
from stable_baselines3.common.vec_env import VecEnv

from retro_ml.training.network_speed import speed_up_network
from retro_ml.training.replay_memory import load_replay_memory

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


class ResumeError(ValueError):
    """The model to continue from is missing, unreadable or does not fit; the message names the file."""


def schedule_value(value: float, schedule: str, part_fraction: float = 1.0) -> float | Schedule:
    """ "constant" keeps `value`; "linear" decays it to 0 over this run's steps.

    SB3 calls a schedule with `progress_remaining`, which goes from 1 to 0 over all the
    model's steps. LinearSchedule from 1 -> 0 is `progress_remaining * value`, and unlike a
    lambda it is pickled by reference into model.zip (SB3's own class: any SB3 loads it).

    A continued run keeps counting the parent's steps, so there `progress_remaining` only
    goes from `part_fraction` (= additional / (start + additional)) to 0. Scaling the start
    by 1 / part_fraction makes "linear" begin at `value` when the continuation begins and
    still reach 0 at its end: `progress_remaining * value / part_fraction`.
    """
    if schedule == "constant":
        return float(value)
    if schedule == "linear":
        return LinearSchedule(start=float(value) / part_fraction, end=0.0, end_fraction=1.0)
    raise ValueError(f"Unknown schedule {schedule!r}: use 'linear' or 'constant'.")


def algorithm_kwargs(algorithm: str, config: dict[str, Any], part_fraction: float = 1.0) -> dict[str, Any]:
    """Constructor arguments for `algorithm` taken from the flat run `config`.

    `part_fraction` is the share of the model's steps this run trains (below 1 only when
    continuing a run): see `schedule_value`.
    """
    if algorithm not in ALGORITHM_ARGUMENTS:
        raise ValueError(f"Unknown algorithm {algorithm!r}: choose one of {', '.join(ALGORITHM_CLASSES)}.")
    kwargs: dict[str, Any] = {}
    for name in ALGORITHM_ARGUMENTS[algorithm]:
        if config.get(name) is None:
            continue  # SB3's default
        value = config[name]
        if name in SCHEDULED_ARGUMENTS:
            value = schedule_value(value, config.get(SCHEDULED_ARGUMENTS[name]) or "constant", part_fraction)
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
    print(f"network: {speed_up_network(model, config.get('precision'))}", flush=True)
    return model


def read_saved_num_timesteps(model_path: Path) -> int:
    """The step counter stored in an SB3 model.zip, read without loading the model.

    SB3 saves its plain attributes as JSON in the archive's `data` member. Reading it first
    checks, before the environments are built, that the file is there and is a model.
    """
    if not model_path.is_file():
        raise ResumeError(f"The model to continue from is missing: {model_path} does not exist.")
    try:
        with zipfile.ZipFile(model_path) as archive:
            data = json.loads(archive.read("data"))
        return int(data["num_timesteps"])
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        raise ResumeError(
            f"The model to continue from cannot be read: {model_path} is not an SB3 model.zip ({_one_line(exc)})."
        ) from exc


def load_model(
    algorithm: str,
    config: dict[str, Any],
    env: VecEnv,
    device: torch.device | str,
    logger: Logger,
    model_path: Path,
    start_timesteps: int,
    replay_buffer_path: Path | None = None,
) -> BaseAlgorithm:
    """The model saved at `model_path`, set up to train `config["total_timesteps"]` more steps.

    The child's config applies to the loaded model wherever SB3 allows it:
    - `learning_rate` and `clip_range` (with their schedules) replace the saved ones through
      `custom_objects`, so the saved schedule objects are not even unpickled. A "linear"
      schedule runs over this continuation: it starts at the configured value and reaches 0
      at the end of the additional steps (`schedule_value`).
    - every other hyperparameter of the algorithm's table (n_steps, n_epochs, ent_coef,
      buffer_size, ...) and `seed` are set on the model before SB3 rebuilds its buffers.
    - DQN's `learning_starts` counts from the continuation's start: the replay buffer is not
      saved in model.zip, so it has to fill again before gradient steps make sense. Unless
      `replay_buffer_path` names the parent's kept memory (training/replay_memory.py): it is
      loaded and `learning_starts` stays counted from the model's first step.
    - DQN's exploration keeps SB3's schedule over all the model's steps, so a continuation
      of a run that already finished exploring acts at about `exploration_final_eps`.
    The policy network's shape cannot change: it is always the saved one.
    """
    additional = int(config["total_timesteps"])
    part_fraction = additional / (start_timesteps + additional)
    kwargs = algorithm_kwargs(algorithm, config, part_fraction)
    custom_objects = {name: kwargs.pop(name) for name in SCHEDULED_ARGUMENTS if name in kwargs}
    if "learning_rate" in custom_objects:
        custom_objects["lr_schedule"] = FloatSchedule(custom_objects["learning_rate"])
    if algorithm == "dqn" and "learning_starts" in kwargs and replay_buffer_path is None:
        kwargs["learning_starts"] = start_timesteps + int(kwargs["learning_starts"])
    try:
        model = ALGORITHM_CLASSES[algorithm].load(
            model_path,
            env=env,
            device=device,
            custom_objects=custom_objects,
            seed=config.get("seed"),
            **kwargs,
        )
    except MemoryError:
        raise
    except Exception as exc:
        raise ResumeError(
            f"Cannot continue from {model_path}: {type(exc).__name__}: {_one_line(exc)}"
            f" (is it a {algorithm.upper()} model of the same game and frame_stack?)"
        ) from exc
    if replay_buffer_path is not None:
        try:
            load_replay_memory(model, replay_buffer_path)
        except MemoryError:
            raise
        except Exception as exc:
            raise ResumeError(
                f"Cannot load the replay memory {replay_buffer_path}: {type(exc).__name__}: {_one_line(exc)}"
                " (continue without keeping it, or free memory)"
            ) from exc
    model.set_logger(logger)
    print(f"network: {speed_up_network(model, config.get('precision'))}", flush=True)
    return model


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
