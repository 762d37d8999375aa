"""ale-py's C++ vector environment (`AtariVectorEnv`) as an SB3 `VecEnv`, with SB3's game protocol.

Why: SB3's Python wrappers step the games one after another on one core (~590 agent steps/s for
8 envs on a 2-core box); ale-py steps them on C++ threads with the same preprocessing built in
(~1,000-1,800 here, 10,000 on 16 cores). See ../shared/FACTS.md.

The protocol is the one `make_atari_env` + `VecFrameStack(4)` gives the old path, so models move
freely between the two (observations (4, 84, 84) uint8, oldest frame first, zero-padded after a
reset: what SB3's VecTransposeImage makes of the old path's stack):
- `ALE/*-v5` sticky actions (`repeat_action_probability=0.25`), frameskip 4 with max-pooling of
  the last two frames, up to 30 no-ops and FIRE on reset, 84x84 grey;
- learning sees a life loss as the end of an episode (SB3's EpisodicLifeEnv; ale-py's
  `life_loss_info`: the game goes on) and rewards clipped to their sign (ClipRewardEnv);
- `info["episode"]` (SB3's Monitor: `r`, `l`, `t`) only when the real game ends, with the real,
  unclipped score over all lives, so the app's statistics mean the same on both paths;
- a finished env is reset in the same step (`terminal_observation` in its info), as DummyVecEnv.

ale-py has no "game over" flag beside `terminated`: a termination with fewer lives than the step
before is a life loss, any other is the end of the game (games without lives never lose one).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from ale_py.vector_env import AtariVectorEnv
from gymnasium import spaces
from stable_baselines3.common.vec_env.base_vec_env import VecEnv, VecEnvIndices, VecEnvObs, VecEnvStepReturn

STICKY_ACTION_PROBABILITY = 0.25  # ALE/*-v5's default, kept on both paths
MAX_EPISODE_FRAMES = 108_000  # 30 minutes of play at 60 fps, as v5's max_num_frames_per_episode


class _SealedVecEnv(VecEnv):
    """A VecEnv whose envs are not Python objects one can reach into (attributes, methods, wrappers)."""

    render_mode = None

    def seed(self, seed: int | None = None) -> Sequence[int | None]:
        if seed is None:
            seed = int(np.random.randint(0, np.iinfo(np.uint32).max, dtype=np.uint32))
        self._seeds = [seed + index for index in range(self.num_envs)]
        return self._seeds

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        if attr_name == "render_mode":
            return [None for _ in self._get_indices(indices)]
        raise AttributeError(f"{type(self).__name__} has no per-env attribute {attr_name!r}")

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        raise AttributeError(f"{type(self).__name__} cannot set {attr_name!r} on its envs")

    def env_method(
        self, method_name: str, *method_args: Any, indices: VecEnvIndices = None, **kwargs: Any
    ) -> list[Any]:
        raise AttributeError(f"{type(self).__name__} cannot call {method_name!r} on its envs")

    def env_is_wrapped(self, wrapper_class: type, indices: VecEnvIndices = None) -> list[bool]:
        return [False for _ in self._get_indices(indices)]

    def _get_indices(self, indices: VecEnvIndices) -> Iterable[int]:
        if indices is None:
            return range(self.num_envs)
        if isinstance(indices, int):
            return [indices]
        return indices


class NativeAtariVecEnv(_SealedVecEnv):
    """`n_envs` games of `rom_id` ("breakout", snake_case as ale-py names its ROMs)."""

    def __init__(
        self,
        rom_id: str,
        n_envs: int,
        *,
        num_threads: int = 0,
        frame_stack: int = 4,
        terminal_on_life_loss: bool = True,
        clip_reward: bool = True,
        repeat_action_probability: float = STICKY_ACTION_PROBABILITY,
        noop_max: int = 30,
    ) -> None:
        self._env = AtariVectorEnv(
            rom_id,
            num_envs=n_envs,
            num_threads=num_threads,
            stack_num=frame_stack,
            frameskip=4,
            maxpool=True,
            noop_max=noop_max,
            use_fire_reset=True,
            episodic_life=False,  # ale-py's episodic_life restarts the whole game on a life loss
            life_loss_info=terminal_on_life_loss,
            reward_clipping=False,  # clipped here: the episode stats need the real score
            repeat_action_probability=repeat_action_probability,
            max_num_frames_per_episode=MAX_EPISODE_FRAMES,
            autoreset_mode="SameStep",
        )
        self._clip_reward = clip_reward
        self._lives = np.zeros(n_envs, dtype=np.int64)
        self._scores = np.zeros(n_envs, dtype=np.float64)
        self._lengths = np.zeros(n_envs, dtype=np.int64)
        self._started = time.monotonic()
        observation_space = self._env.single_observation_space
        action_space = self._env.single_action_space
        assert isinstance(observation_space, spaces.Box) and isinstance(action_space, spaces.Discrete)
        super().__init__(n_envs, observation_space, action_space)

    def reset(self) -> VecEnvObs:
        seeds = self._seeds
        if all(seed is not None for seed in seeds):
            observations, info = self._env.reset(seed=np.asarray(seeds, dtype=np.int64))
        elif any(seed is not None for seed in seeds):
            raise ValueError("seed all the envs or none of them")
        else:
            observations, info = self._env.reset()
        self._reset_seeds()
        self._lives = np.asarray(info["lives"], dtype=np.int64).copy()
        self._scores[:] = 0.0
        self._lengths[:] = 0
        self.reset_infos = [{} for _ in range(self.num_envs)]
        return observations

    def step_async(self, actions: np.ndarray) -> None:
        """Hands the actions to the C++ threads, which step while the caller goes on."""
        self._env.send(np.asarray(actions, dtype=np.int64).reshape(self.num_envs))

    def step_wait(self) -> VecEnvStepReturn:
        observations, rewards, terminated, truncated, info = self._env.recv()
        rewards = np.asarray(rewards, dtype=np.float64)
        lives = np.asarray(info["lives"], dtype=np.int64)
        self._scores += rewards
        self._lengths += 1
        dones = np.logical_or(terminated, truncated)
        life_lost = terminated & (lives < self._lives)
        game_over = dones & ~life_lost
        infos: list[dict[str, Any]] = [{} for _ in range(self.num_envs)]
        for index in np.flatnonzero(dones):
            episode_info = infos[index]
            episode_info["terminal_observation"] = info["final_obs"][index]
            episode_info["TimeLimit.truncated"] = bool(truncated[index] and not terminated[index])
            if game_over[index]:
                episode_info["episode"] = {
                    "r": float(self._scores[index]),
                    "l": int(self._lengths[index]),
                    "t": round(time.monotonic() - self._started, 6),
                }
                self._scores[index] = 0.0
                self._lengths[index] = 0
        self._lives = lives.copy()
        learned_rewards = np.sign(rewards) if self._clip_reward else rewards
        return observations, learned_rewards.astype(np.float32), dones, infos

    def close(self) -> None:
        self._env.close()

    def get_images(self) -> Sequence[np.ndarray | None]:
        return [None] * self.num_envs  # frames are rendered inside C++; the filmed env stays in Python


class FilmedFirstVecEnv(_SealedVecEnv):
    """Env 0 from SB3's Python stack (filmed, watched live), envs 1..N-1 native, as one VecEnv.

    The long video films every emulator frame of env 0 and the live view reads its screen; both
    need a Python env, while the C++ envs skip frames inside ale-py. The native envs step on their
    threads while env 0 steps here (`send` before, `recv` after). `venv` is env 0's stack, so code
    that walks `.venv` to reach the first emulator (the live view) finds it as on the old path.
    """

    def __init__(self, first: VecEnv, rest: NativeAtariVecEnv) -> None:
        if first.num_envs != 1:
            raise ValueError("the filmed part holds exactly env 0")
        if first.observation_space != rest.observation_space or first.action_space != rest.action_space:
            raise ValueError(f"spaces differ: {first.observation_space} vs {rest.observation_space}")
        self.venv = first
        self._rest = rest
        super().__init__(1 + rest.num_envs, rest.observation_space, rest.action_space)

    def reset(self) -> VecEnvObs:
        seeds = self._seeds
        if seeds[0] is not None:
            self.venv.seed(seeds[0])
            self._rest.seed(int(seeds[1]) if seeds[1] is not None else seeds[0] + 1)
        self._reset_seeds()
        first = self.venv.reset()
        rest = self._rest.reset()
        assert isinstance(first, np.ndarray) and isinstance(rest, np.ndarray)
        return np.concatenate([first, rest])

    def step_async(self, actions: np.ndarray) -> None:
        actions = np.asarray(actions)
        self._rest.step_async(actions[1:])  # the C++ envs step while env 0 steps in Python
        self.venv.step_async(actions[:1])

    def step_wait(self) -> VecEnvStepReturn:
        first_obs, first_rewards, first_dones, first_infos = self.venv.step_wait()
        rest_obs, rest_rewards, rest_dones, rest_infos = self._rest.step_wait()
        assert isinstance(first_obs, np.ndarray) and isinstance(rest_obs, np.ndarray)
        return (
            np.concatenate([first_obs, rest_obs]),
            np.concatenate([first_rewards, rest_rewards]).astype(np.float32),
            np.concatenate([first_dones, rest_dones]),
            [*first_infos, *rest_infos],
        )

    def close(self) -> None:
        self.venv.close()
        self._rest.close()

    def get_images(self) -> Sequence[np.ndarray | None]:
        return [*self.venv.get_images(), *self._rest.get_images()]
