"""ale-py's C++ vector env behind SB3's VecEnv: the contract the training path relies on (real ALE)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from retro_ml.training.envs import make_training_env, rom_id_of
from retro_ml.training.live_view import first_env_ale
from retro_ml.training.native_envs import FilmedFirstVecEnv, NativeAtariVecEnv

STEPS = 1500


def play(env: NativeAtariVecEnv | FilmedFirstVecEnv, seed: int, steps: int = STEPS, action_seed: int = 0):
    """Random play from a seeded reset: observations, learned rewards, dones and infos per step."""
    env.seed(seed)
    first = env.reset()
    actions = np.random.default_rng(action_seed).integers(0, env.action_space.n, size=(steps, env.num_envs))
    trace = [env.step(step_actions) for step_actions in actions]
    return first, trace


def episodes(trace) -> list[tuple[int, float, int]]:
    return [
        (i, info["episode"]["r"], info["episode"]["l"])
        for _, _, _, infos in trace
        for i, info in enumerate(infos)
        if "episode" in info
    ]


def test_reset_and_step_shapes() -> None:
    env = NativeAtariVecEnv("breakout", 3)
    try:
        first, trace = play(env, seed=1, steps=5)
        assert env.observation_space.shape == (4, 84, 84)
        assert first.shape == (3, 4, 84, 84) and first.dtype == np.uint8
        # A fresh stack is zero-padded with the newest frame last, as SB3's VecFrameStack.
        assert not first[:, :3].any() and first[:, 3].any()
        observations, rewards, dones, infos = trace[-1]
        assert observations.shape == (3, 4, 84, 84) and observations.dtype == np.uint8
        assert rewards.shape == (3,) and rewards.dtype == np.float32
        assert dones.shape == (3,) and dones.dtype == np.bool_
        assert isinstance(infos, list) and len(infos) == 3
    finally:
        env.close()


def test_episode_stats_are_the_real_game_score_across_lives() -> None:
    """Learning sees life losses and clipped rewards; the stats see whole games, real points and frames."""
    learning = NativeAtariVecEnv("breakout", 4)
    unclipped = NativeAtariVecEnv("breakout", 4, clip_reward=False)
    try:
        _, learning_trace = play(learning, seed=7)
        _, unclipped_trace = play(unclipped, seed=7)
    finally:
        learning.close()
        unclipped.close()
    games = episodes(learning_trace)
    assert len(games) >= 4, games
    # Clipping changes what is learned, not the game: the same seeds and actions play the same games.
    assert games == episodes(unclipped_trace)
    sums, steps, lives_lost = np.zeros(4), np.zeros(4, dtype=int), np.zeros(4, dtype=int)
    for _, rewards, dones, infos in unclipped_trace:
        sums += rewards
        steps += 1
        for i in np.flatnonzero(dones):
            if "episode" not in infos[i]:
                lives_lost[i] += 1
                continue
            episode = infos[i]["episode"]
            assert episode["r"] == sums[i]  # the points of all its lives, unclipped
            # Its length counts emulator frames, as SB3's Monitor does on the old path: 4 per agent
            # step, up to 30 no-ops at the start, 3 steps after each lost life and 2 at the start
            # that the agent does not see (NOOP, FIRE, RIGHT), and fewer in the step the game ends.
            unseen = 4 * (3 * lives_lost[i] + 2)
            assert 4 * (steps[i] - 1) + unseen < episode["l"] <= 4 * steps[i] + unseen + 30
            sums[i], steps[i], lives_lost[i] = 0, 0, 0
    learning_dones = sum(int(dones.sum()) for _, _, dones, _ in learning_trace)
    assert learning_dones >= 2 * len(games)  # Breakout has 5 lives: more ends of episodes than games
    learned = np.concatenate([rewards for _, rewards, _, _ in learning_trace])
    assert set(np.unique(learned)) <= {-1.0, 0.0, 1.0}
    assert np.abs(np.concatenate([rewards for _, rewards, _, _ in unclipped_trace])).max() > 1


def test_a_lost_life_ends_the_stack_as_vec_frame_stack_does() -> None:
    """After a lost life the agent sees a fresh, zero-padded stack; the terminal one is the last play."""
    env = NativeAtariVecEnv("breakout", 2)
    try:
        _, trace = play(env, seed=4)
    finally:
        env.close()
    checked = 0
    for step in range(5, len(trace)):
        observations, _, dones, infos = trace[step]
        previous = trace[step - 1][0]
        for i in np.flatnonzero(dones):
            if "episode" in infos[i] or trace[step - 4][2][i] or trace[step - 3][2][i] or trace[step - 2][2][i]:
                continue  # a new game, or a life shorter than a full stack
            terminal = infos[i]["terminal_observation"]
            assert np.array_equal(terminal[:3], previous[i, 1:])  # the stack goes on to its last frame
            assert not np.array_equal(terminal[3], observations[i, 3])  # FIRE and RIGHT came between
            assert not observations[i, :3].any() and observations[i, 3].any()
            checked += 1
    assert checked >= 4, "random Breakout loses several lives in 1,500 steps"


def test_terminal_observation_and_same_step_reset() -> None:
    env = NativeAtariVecEnv("pong", 2, noop_max=0)
    try:
        _, trace = play(env, seed=3, steps=2000)
    finally:
        env.close()
    ends = [(step, i) for step, (_, _, dones, _) in enumerate(trace) for i in np.flatnonzero(dones)]
    assert ends, "a random Pong game lasts under 2,000 steps"
    step, i = ends[0]
    observations, _, _, infos = trace[step]
    terminal = infos[i]["terminal_observation"]
    assert terminal.shape == (4, 84, 84) and terminal.any()
    assert infos[i]["TimeLimit.truncated"] is False
    assert infos[i]["episode"]["r"] <= -1  # Pong has no lives: the episode ends with the game
    # The env was reset in the same step: its new stack starts empty, unlike the terminal one.
    assert not observations[i, :3].any() and terminal[:3].any()


def test_seeds_reproduce_and_sticky_actions_are_on() -> None:
    def observed(seed: int, **kwargs: float) -> np.ndarray:
        env = NativeAtariVecEnv("breakout", 2, **kwargs)  # type: ignore[arg-type]
        try:
            _, trace = play(env, seed=seed, steps=300)
        finally:
            env.close()
        return np.stack([observations for observations, _, _, _ in trace])

    same = observed(11)
    assert np.array_equal(same, observed(11))
    assert not np.array_equal(same, observed(12))
    # v5's sticky actions (p=0.25): with them off, the same seed and actions play differently.
    assert not np.array_equal(same, observed(11, repeat_action_probability=0.0))


def test_filmed_first_env_stays_in_python() -> None:
    env = make_training_env("ALE/Pong-v5", 3, seed=5, frame_stack=4, backend="native")
    try:
        assert isinstance(env, FilmedFirstVecEnv) and env.num_envs == 3
        assert first_env_ale(env).getScreenRGB().shape == (210, 160, 3)  # the live view's source
        first, trace = play(env, seed=5, steps=1800)
        assert first.shape == (3, 4, 84, 84)
        finished = {i for i, _, _ in episodes(trace)}
        assert 0 in finished and finished & {1, 2}, finished  # both parts report whole games
        assert all(r <= -1 for _, r, _ in episodes(trace))
    finally:
        env.close()


def test_rom_ids() -> None:
    assert rom_id_of("ALE/Breakout-v5") == "breakout"
    assert rom_id_of("ALE/MsPacman-v5") == "ms_pacman"
    assert rom_id_of("ALE/SpaceInvaders-v5") == "space_invaders"
    with pytest.raises(ValueError, match="no ROM"):
        rom_id_of("ALE/NoSuchGame-v5")


def test_where_ale_py_has_no_vector_env_the_python_path_stands_in(monkeypatch, capsys) -> None:
    """`native` is the default: an ale-py build without `ale_py.vector_env` must still train."""
    monkeypatch.delitem(sys.modules, "retro_ml.training.native_envs", raising=False)
    monkeypatch.setitem(sys.modules, "ale_py.vector_env", None)  # `import ale_py.vector_env` now fails
    env = make_training_env("ALE/Breakout-v5", 2, seed=1, frame_stack=4, backend="native")
    try:
        assert not isinstance(env, FilmedFirstVecEnv) and env.num_envs == 2
        assert env.reset().shape == (2, 84, 84, 4)  # the python path's stack, transposed by SB3 as before
    finally:
        env.close()
    assert "env_backend native is not available here" in capsys.readouterr().out


def lives_lost_doing_nothing(env, steps: int = 1000) -> int:
    """Life losses in Breakout when the agent only ever chooses NOOP: the ball is launched by the
    env's own FIRE or not at all."""
    env.seed(1)
    env.reset()
    lost = 0
    for _ in range(steps):
        _, _, dones, infos = env.step(np.zeros(env.num_envs, dtype=np.int64))
        lost += int(dones[0] and "episode" not in infos[0])
        if "episode" in infos[0]:
            break
    return lost


def test_a_lost_life_is_followed_by_fire_as_on_the_python_path() -> None:
    python = make_training_env("ALE/Breakout-v5", 1, None, 4, backend="python")
    native = NativeAtariVecEnv("breakout", 1, repeat_action_probability=0.0)
    try:
        assert lives_lost_doing_nothing(python) == 4  # then the game ends: FIRE served every ball
        assert lives_lost_doing_nothing(native) == 4
    finally:
        python.close()
        native.close()
