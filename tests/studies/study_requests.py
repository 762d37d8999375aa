"""The tiny studies the study tests share: real PPO trials of ~1,000 steps on Space Invaders.

Space Invaders scores only when the agent fires, so a policy that never fires scores 0 in every
game, whatever the game's seed. The trials here learn at a rate of 1e-8 (nothing, in 1,024 steps),
so each plays as its seed's freshly built network: seed 0's fires (~90 points in 10 s of game
time), seed 2's never does (0). That makes the trial with seed 2 hopeless on every evaluation,
without relying on what a thousand steps could teach.
"""

import time
from collections.abc import Callable
from typing import Any

from tests.helpers.api_client import call
from tests.helpers.server import LiveServer

TINY_TRIAL_CONFIG: dict[str, Any] = {
    "n_envs": 2,
    "n_steps": 64,
    "batch_size": 64,
    "n_epochs": 1,
    "env_backend": "python",
    "precision": "float32",
    "torch_threads": 1,
    "trial_eval_every_pct": 25,
    "trial_eval_episodes": 1,
    "trial_eval_max_seconds": 10,
}
GOOD_START = {"learning_rate": 1e-8, "seed": 0}
HOPELESS = {"learning_rate": 1e-8, "seed": 2}


def tiny_study(**overrides: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "game": "space_invaders",
        "algorithm": "ppo",
        "n_trials": 4,
        "timesteps_per_trial": 1024,
        "sampler": "random",
        "pruner": "median",
        "params": {"learning_rate": {"low": 1e-8, "high": 1e-3, "log": True}, "seed": {"choices": [0, 2]}},
        "config": TINY_TRIAL_CONFIG,
    }
    request.update(overrides)
    return request


def wait_for_study(server: LiveServer, study_id: str, timeout: float = 300.0) -> dict[str, Any]:
    """The study once it is no longer running."""
    return wait_for(server, study_id, lambda study: study["status"] != "running", timeout)


def wait_for(
    server: LiveServer, study_id: str, condition: Callable[[dict[str, Any]], bool], timeout: float = 300.0
) -> dict[str, Any]:
    """GET /api/studies/<id> every half second until `condition(study)`."""
    deadline = time.monotonic() + timeout
    while True:
        study = call(server, "GET", f"/studies/{study_id}")["study"]
        if condition(study):
            return study
        if time.monotonic() > deadline:
            raise AssertionError(f"study {study_id}: not there after {timeout} s: {study}")
        time.sleep(0.5)
