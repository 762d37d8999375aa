"""Vectorised Atari environments for training, with SB3's standard Atari preprocessing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ale_py
import gymnasium
from stable_baselines3.common.env_util import make_atari_env
from stable_baselines3.common.vec_env import DummyVecEnv, VecEnv, VecFrameStack, VecTransposeImage

# Importing ale_py is not enough with gymnasium >= 1.0: the `ALE/` ids exist once registered.
gymnasium.register_envs(ale_py)


EnvWrapper = Callable[[gymnasium.Env[Any, Any]], gymnasium.Env[Any, Any]]
ENV_BACKENDS = ("python", "native")


def rom_id_of(env_id: str) -> str:
    """`ALE/MsPacman-v5` → `ms_pacman`, the name ale-py's ROMs and its vector env use."""
    wanted = env_id.removeprefix("ALE/").split("-v")[0].lower()
    for rom_id in ale_py.roms.get_all_rom_ids():
        if rom_id.replace("_", "") == wanted:
            return str(rom_id)
    raise ValueError(f"ale-py has no ROM for {env_id}")


def make_training_env(
    env_id: str,
    n_envs: int,
    seed: int | None,
    frame_stack: int,
    wrap_first_raw_env: EnvWrapper | None = None,
    backend: str = "python",
) -> VecEnv:
    """`n_envs` copies of `env_id` (84x84 grey, episode stats in `info["episode"]`), frames stacked.

    `backend="native"`: env 0 stays on this Python path (filmed, watched live) and the other
    envs run in ale-py's C++ vector env, each game on its own thread, with the same game
    protocol (training/native_envs.py); one env alone gains nothing from it. Where ale-py
    has no vector env (an older or unusual build), the python path stands in.
    Observations are then channel-first (4, 84, 84), what SB3 makes of the Python path's stack
    with VecTransposeImage, so a model continues on either path.
    """
    if backend not in ENV_BACKENDS:
        raise ValueError(f"env_backend must be one of {ENV_BACKENDS}, not {backend!r}")
    if backend == "native" and n_envs > 1:
        try:
            from retro_ml.training.native_envs import FilmedFirstVecEnv, NativeAtariVecEnv
        except ImportError as exc:  # an ale-py without its vector env: nothing is lost but speed
            print(f"env_backend native is not available here ({exc}): the games run on the python path", flush=True)
            return _python_envs(env_id, n_envs, seed, frame_stack, wrap_first_raw_env)
        first = VecTransposeImage(_python_envs(env_id, 1, seed, frame_stack, wrap_first_raw_env))
        rest = NativeAtariVecEnv(rom_id_of(env_id), n_envs - 1, frame_stack=frame_stack)
        env = FilmedFirstVecEnv(first, rest)
        if seed is not None:
            env.seed(seed)
        return env
    return _python_envs(env_id, n_envs, seed, frame_stack, wrap_first_raw_env)


def _python_envs(
    env_id: str, n_envs: int, seed: int | None, frame_stack: int, wrap_first_raw_env: EnvWrapper | None
) -> VecEnv:
    """SB3's own stack: `make_atari_env` (AtariWrapper, Monitor) in a DummyVecEnv, frames stacked.

    `frameskip=1` because `ALE/*-v5` already skips 4 frames and SB3's AtariWrapper skips 4
    more: left alone, every agent step would span 16 frames. v5's sticky actions stay on.
    `wrap_first_raw_env` wraps env 0's raw emulator, under SB3's wrappers (the long video's tap).
    DummyVecEnv (all envs in this process) beats SubprocVecEnv on small machines, where the
    emulators and torch compete for the same few cores anyway.
    """
    made = 0

    def make_raw_env(**kwargs: Any) -> gymnasium.Env[Any, Any]:
        nonlocal made
        env = gymnasium.make(env_id, **kwargs)
        made += 1
        return wrap_first_raw_env(env) if made == 1 and wrap_first_raw_env is not None else env

    env = make_atari_env(
        make_raw_env,
        n_envs=n_envs,
        seed=seed,
        env_kwargs={"frameskip": 1, "render_mode": "rgb_array"},
        vec_env_cls=DummyVecEnv,
    )
    return VecFrameStack(env, n_stack=frame_stack)
