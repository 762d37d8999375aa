"""What a user may override in a run config, with types and ranges.

Each field is checked on its own (type, range, choices), then a few cross-field rules.
Every failure is an `InvalidInput` naming the field as `config.<name>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from retro_ml.errors import InvalidInput

ALGORITHMS = ("ppo", "dqn")


@dataclass(frozen=True)
class Field:
    kind: type  # int, float or str
    low: float | None = None
    high: float | None = None
    choices: tuple[Any, ...] = ()
    nullable: bool = False
    algorithms: tuple[str, ...] = ALGORITHMS
    help: str = ""


FIELDS: dict[str, Field] = {
    "total_timesteps": Field(int, 100, 1_000_000_000, help="agent steps to train"),
    "video_length_hours": Field(float, 0, 10, help="length of the 'watch it learn' video, in hours (0: off)"),
    "long_video_scale": Field(int, 1, 8, help="pixel scale of the long video (2: 320×452 with its caption bar)"),
    "video_segment_seconds": Field(float, 1, 3600, help="the long video is written in complete files of this length"),
    "eval_episodes": Field(int, 0, 100, help="evaluation games recorded at the end; the best is kept (0: off)"),
    "n_envs": Field(int, 1, 64, help="games played in parallel"),
    "env_backend": Field(
        str, choices=("python", "native"), help="native: ale-py steps the games on C++ threads (env 0 stays filmable)"
    ),
    "frame_stack": Field(int, 1, 16),
    "seed": Field(int, 0, 2**31 - 1, nullable=True),
    "device": Field(str, choices=("auto", "cpu", "cuda")),
    "torch_threads": Field(int, 1, 64),
    "precision": Field(
        str,
        choices=("auto", "float32"),
        help="auto: the CNN trains in bfloat16 on CPUs with AMX or AVX512-BF16; float32: always",
    ),
    "progress_interval_seconds": Field(float, 0.1, 60),
    "checkpoint_every_pct": Field(float, 0, 100, help="save a checkpoint every N% of the run (0: off)"),
    "checkpoint_every_minutes": Field(float, 0, 24 * 60, help="and at least every N minutes (0: off)"),
    "keep_checkpoints": Field(int, 1, 1000, help="how many recent checkpoints to keep"),
    "milestone_every_pct": Field(float, 0, 100, help="record a clip of the agent every N% of the run (0: off)"),
    "milestone_max_seconds": Field(float, 1, 600, help="longest milestone clip, in seconds of game time"),
    "video_scale": Field(int, 1, 8, help="pixel scale of recorded videos (3: 480×630)"),
    # A study's trial (services/studies sets them): a few games of the policy every N% for Optuna's pruner
    "trial_eval_every_pct": Field(
        float, 0, 100, help="a study's trial: evaluate the policy every N% of the run (0: off)"
    ),
    "trial_eval_episodes": Field(int, 1, 20, help="games played at each trial evaluation"),
    "trial_eval_max_seconds": Field(float, 1, 600, help="longest trial evaluation game, in seconds of game time"),
    "learning_rate": Field(float, 1e-8, 1),
    "learning_rate_schedule": Field(str, choices=("linear", "constant")),
    "gamma": Field(float, 0.0, 1.0),
    "batch_size": Field(int, 2, 1_000_000),
    "max_grad_norm": Field(float, 1e-6, 1000),
    # PPO
    "n_steps": Field(int, 8, 100_000, algorithms=("ppo",)),
    "n_epochs": Field(int, 1, 100, algorithms=("ppo",)),
    "gae_lambda": Field(float, 0.0, 1.0, algorithms=("ppo",)),
    "clip_range": Field(float, 1e-6, 1.0, algorithms=("ppo",)),
    "clip_range_schedule": Field(str, choices=("linear", "constant"), algorithms=("ppo",)),
    "ent_coef": Field(float, 0.0, 1.0, algorithms=("ppo",)),
    "vf_coef": Field(float, 0.0, 10.0, algorithms=("ppo",)),
    # DQN
    "buffer_size": Field(int, 100, 10_000_000, algorithms=("dqn",)),
    "learning_starts": Field(int, 0, 1_000_000_000, algorithms=("dqn",)),
    "tau": Field(float, 1e-6, 1.0, algorithms=("dqn",)),
    "train_freq": Field(int, 1, 100_000, algorithms=("dqn",)),
    "gradient_steps": Field(int, -1, 1000, algorithms=("dqn",)),
    "target_update_interval": Field(int, 1, 10_000_000, algorithms=("dqn",)),
    "exploration_fraction": Field(float, 0.0, 1.0, algorithms=("dqn",)),
    "exploration_initial_eps": Field(float, 0.0, 1.0, algorithms=("dqn",)),
    "exploration_final_eps": Field(float, 0.0, 1.0, algorithms=("dqn",)),
    "keep_replay_buffer": Field(
        str,
        choices=("yes", "no"),
        algorithms=("dqn",),
        help="save the replay memory when the run ends (~56 KB a frame), so a continuation can keep it",
    ),
}


def check_value(name: str, value: Any, algorithm: str) -> Any:
    """Return the value, coerced (int → float where a float is expected), or raise."""
    where = f"config.{name}"
    spec = FIELDS.get(name)
    if spec is None:
        raise InvalidInput(f"'{name}' is not a setting Retro ML knows.", field=where)
    if algorithm not in spec.algorithms:
        raise InvalidInput(f"'{name}' is not a {algorithm.upper()} setting.", field=where)
    if value is None:
        if spec.nullable:
            return None
        raise InvalidInput(f"'{name}' needs a value.", field=where)
    if spec.kind is str:
        if value not in spec.choices:
            raise InvalidInput(f"'{name}' must be one of {', '.join(spec.choices)}.", field=where)
        return value
    # bool is an int in Python; a checkbox's true is never a step count.
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not numeric or (spec.kind is int and not float(value).is_integer()):
        kind = "a whole number" if spec.kind is int else "a number"
        raise InvalidInput(f"'{name}' must be {kind}, got {value!r}.", field=where)
    value = spec.kind(value)
    if (spec.low is not None and value < spec.low) or (spec.high is not None and value > spec.high):
        raise InvalidInput(f"'{name}' must be between {spec.low:g} and {spec.high:g}, got {value:g}.", field=where)
    return value


def check_consistency(config: dict[str, Any], algorithm: str) -> None:
    if algorithm == "ppo":
        rollout = config["n_steps"] * config["n_envs"]
        if config["total_timesteps"] < rollout:
            raise InvalidInput(
                f"'total_timesteps' ({config['total_timesteps']:,}) must be at least one round of "
                f"n_steps × n_envs ({rollout:,}): PPO learns in whole rounds.",
                field="config.total_timesteps",
            )
        if config["batch_size"] > rollout:
            raise InvalidInput(
                f"'batch_size' ({config['batch_size']}) must be at most n_steps × n_envs ({rollout}).",
                field="config.batch_size",
            )
    if algorithm == "dqn" and config["exploration_final_eps"] > config["exploration_initial_eps"]:
        raise InvalidInput(
            "'exploration_final_eps' must not exceed 'exploration_initial_eps'.",
            field="config.exploration_final_eps",
        )
