"""ale-py's C++ vector environment (`AtariVectorEnv`) as an SB3 `VecEnv`, with SB3's game protocol.

Why: SB3's Python wrappers step the games one after another on one core (~590 agent steps/s for
8 envs on a 2-core box); ale-py steps them on C++ threads with the same preprocessing built in
(~1,000-1,800 here, 10,000 on 16 cores). See ../shared/FACTS.md.

The protocol is the one `make_atari_env` + `VecFrameStack(4)` gives the old path, so models move
freely between the two (observations (4, 84, 84) uint8, oldest frame first, zero-padded after a
reset: what SB3's VecTransposeImage makes of the old path's stack):
- `ALE/*-v5` sticky actions (`repeat_action_probability=0.25`), frameskip 4 with max-pooling of
  the last two frames, up to 30 no-ops on reset, 84x84 grey;
- learning sees a life loss as the end of an episode (SB3's EpisodicLifeEnv; ale-py's
  `life_loss_info`: the game goes on) and rewards clipped to their sign (ClipRewardEnv);
- after a new game and after a lost life, the steps SB3's resets take where learning does not
  see them: NOOP after a lost life (EpisodicLifeEnv), then FIRE and action 2 in games whose
  action 1 is FIRE (FireResetEnv): a Breakout agent never has to learn to serve the ball;
- the stack starts over (zero-padded) after every end of an episode, lost lives included, as
  SB3's VecFrameStack does;
- `info["episode"]` (SB3's Monitor: `r`, `l`, `t`) only when the real game ends, with the real,
  unclipped score over all lives and its length in emulator frames, so the app's statistics
  mean the same on both paths;
- a finished env is reset in the same step (`terminal_observation` in its info), as DummyVecEnv.

ale-py has no "game over" flag beside `terminated`, which a lost life sets too: a game that
ended shows as a new first frame in the step's info (`_end_game_if_restarted`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from ale_py import Action
from ale_py.vector_env import AtariVectorEnv
from gymnasium import spaces
from stable_baselines3.common.vec_env.base_vec_env import VecEnv, VecEnvIndices, VecEnvObs, VecEnvStepReturn

STICKY_ACTION_PROBABILITY = 0.25  # ALE/*-v5's default, kept on both paths
MAX_EPISODE_FRAMES = 108_000  # 30 minutes of play at 60 fps, as v5's max_num_frames_per_episode
NOOP, FIRE, AFTER_FIRE = 0, 1, 2  # SB3's FireResetEnv steps FIRE, then action 2


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
    """`n_envs` games of `rom_id` ("breakout", snake_case as ale-py names its ROMs).

    Each game is its own one-env `AtariVectorEnv` on its own C++ thread, so that one game can
    take steps the others do not: the FIRE after a lost life, which SB3's stack performs inside
    its reset (EpisodicLifeEnv steps NOOP, FireResetEnv FIRE then action 2) and ale-py's
    `life_loss_info` leaves out. One batched `AtariVectorEnv` steps all its games or none. One
    per game costs the caller ~20 µs per game and step instead of ~7 (2-core EPYC), while the
    threads still step the games in parallel as the caller goes on (`send`, then `recv`).
    """

    def __init__(
        self,
        rom_id: str,
        n_envs: int,
        *,
        frame_stack: int = 4,
        terminal_on_life_loss: bool = True,
        clip_reward: bool = True,
        repeat_action_probability: float = STICKY_ACTION_PROBABILITY,
        noop_max: int = 30,
    ) -> None:
        self._games = [
            AtariVectorEnv(
                rom_id,
                num_envs=1,
                num_threads=1,
                stack_num=frame_stack,
                frameskip=4,
                maxpool=True,
                noop_max=noop_max,
                use_fire_reset=False,  # FIRE is stepped here, as SB3 does, after every reset and lost life
                episodic_life=False,  # ale-py's episodic_life restarts the whole game on a life loss
                life_loss_info=terminal_on_life_loss,
                reward_clipping=False,  # clipped here: the episode stats need the real score
                repeat_action_probability=repeat_action_probability,
                max_num_frames_per_episode=MAX_EPISODE_FRAMES,
                autoreset_mode="SameStep",
            )
            for _ in range(n_envs)
        ]
        action_set = self._games[0].ale.get_action_set()
        fires = len(action_set) >= 3 and action_set[1] == Action.FIRE  # where SB3 wraps in FireResetEnv
        self._serve: tuple[int, ...] = (FIRE, AFTER_FIRE) if fires else ()
        self._after_life_lost: tuple[int, ...] = (NOOP, *self._serve)
        self._clip_reward = clip_reward
        self._frame_stack = frame_stack
        self._paddle = np.ones(1, dtype=np.float32)
        self._game_start = np.zeros(n_envs, dtype=np.int64)  # emulator frame at which each game began
        self._scores = np.zeros(n_envs, dtype=np.float64)
        self._stacked = np.zeros(n_envs, dtype=np.int64)  # frames in each stack since its last reset
        self._started = time.monotonic()
        observation_space = self._games[0].single_observation_space
        action_space = self._games[0].single_action_space
        assert isinstance(observation_space, spaces.Box) and isinstance(action_space, spaces.Discrete)
        self._observation_shape: tuple[int, ...] = observation_space.shape
        super().__init__(n_envs, observation_space, action_space)

    def reset(self) -> VecEnvObs:
        seeds = self._seeds
        if any(seed is not None for seed in seeds) and not all(seed is not None for seed in seeds):
            raise ValueError("seed all the envs or none of them")
        observations = np.empty((self.num_envs, *self._observation_shape), dtype=np.uint8)
        for index, (game, seed) in enumerate(zip(self._games, seeds, strict=True)):
            game_obs, info = game.reset() if seed is None else game.reset(seed=np.asarray([seed], dtype=np.int64))
            observations[index] = game_obs[0]
            self._game_start[index] = _game_start(info)
        self._reset_seeds()
        self._scores[:] = 0.0
        self.reset_infos = [{} for _ in range(self.num_envs)]
        self._play_unseen({index: list(self._serve) for index in range(self.num_envs)}, observations, self.reset_infos)
        self._stacked[:] = 1
        return self._zero_padded(observations)

    def step_async(self, actions: np.ndarray) -> None:
        """Hands the actions to the C++ threads, which step while the caller goes on."""
        actions = np.asarray(actions, dtype=np.int64).reshape(self.num_envs)
        for index, game in enumerate(self._games):
            game.ale.send(actions[index : index + 1], self._paddle)

    def step_wait(self) -> VecEnvStepReturn:
        observations = np.empty((self.num_envs, *self._observation_shape), dtype=np.uint8)
        rewards = np.zeros(self.num_envs, dtype=np.float64)
        dones = np.zeros(self.num_envs, dtype=np.bool_)
        infos: list[dict[str, Any]] = [{} for _ in range(self.num_envs)]
        unseen: dict[int, list[int]] = {}
        self._stacked += 1
        for index, game in enumerate(self._games):
            game_obs, reward, terminated, truncated, info = game.ale.recv()
            observations[index] = game_obs[0]
            rewards[index] = reward[0]
            self._scores[index] += reward[0]
            if terminated[0] or truncated[0]:
                dones[index] = True
                game_over = self._end_game_if_restarted(index, info, infos[index])
                terminal = info["final_obs"][0] if game_over else game_obs[0]
                infos[index]["terminal_observation"] = _blank_before_reset(terminal.copy(), int(self._stacked[index]))
                infos[index]["TimeLimit.truncated"] = bool(truncated[0] and not terminated[0])
                unseen[index] = list(self._serve if game_over else self._after_life_lost)
        self._play_unseen(unseen, observations, infos)
        self._stacked[dones] = 1
        learned_rewards = np.sign(rewards) if self._clip_reward else rewards
        return self._zero_padded(observations), learned_rewards.astype(np.float32), dones, infos

    def _end_game_if_restarted(self, index: int, info: dict[str, Any], env_info: dict[str, Any]) -> bool:
        """Whether ale-py began a new game in this step; if so the finished one goes into `env_info`.

        ale-py has no "game over" flag beside `terminated`, which a lost life sets too; a new game
        shows as a new first frame (`frame_number - episode_frame_number`). The length counts
        emulator frames, as SB3's Monitor on the frameskip-1 emulator does on the old path.
        """
        start = _game_start(info)
        if start == self._game_start[index]:
            return False
        env_info["episode"] = {
            "r": float(self._scores[index]),
            "l": int(start - self._game_start[index]),
            "t": round(time.monotonic() - self._started, 6),
        }
        self._game_start[index] = start
        self._scores[index] = 0.0
        return True

    def _play_unseen(
        self, pending: dict[int, list[int]], observations: np.ndarray, infos: list[dict[str, Any]]
    ) -> None:
        """Steps the games in `pending` through their actions where learning does not see them.

        Their rewards count in the game's score (SB3's Monitor sees them) but not in what is
        learned, and the last observation is the one the agent gets, as after SB3's reset.
        """
        pending = {index: actions for index, actions in pending.items() if actions}
        while pending:
            for index, actions in pending.items():
                self._games[index].ale.send(np.asarray(actions[:1], dtype=np.int64), self._paddle)
                del actions[0]
            for index in list(pending):
                game_obs, reward, terminated, _, info = self._games[index].ale.recv()
                observations[index] = game_obs[0]
                self._scores[index] += reward[0]
                if self._end_game_if_restarted(index, info, infos[index]):
                    pending[index] = list(self._serve)
                elif terminated[0]:  # another life lost while serving
                    pending[index] = list(self._after_life_lost)
                if not pending[index]:
                    del pending[index]

    def _zero_padded(self, observations: np.ndarray) -> np.ndarray:
        """Each stack's frames from before its last reset blanked out (in place)."""
        for index in np.flatnonzero(self._stacked < self._frame_stack):
            _blank_before_reset(observations[index], int(self._stacked[index]))
        return observations

    def close(self) -> None:
        for game in self._games:
            game.close()

    def get_images(self) -> Sequence[np.ndarray | None]:
        return [None] * self.num_envs  # frames are rendered inside C++; the filmed env stays in Python


def _blank_before_reset(stack: np.ndarray, stacked: int) -> np.ndarray:
    """`stack` with all but its `stacked` newest frames zeroed (in place), as SB3's VecFrameStack pads."""
    stack[: max(0, len(stack) - stacked)] = 0
    return stack


def _game_start(info: dict[str, Any]) -> int:
    """The emulator frame at which the game in a one-env ale-py `info` began."""
    return int(info["frame_number"][0]) - int(info["episode_frame_number"][0])


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
