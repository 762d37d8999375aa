"""training/network_speed.py on real SB3 models of a real Atari game: faster layout, same network."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from stable_baselines3 import DQN, PPO
from stable_baselines3.common.logger import Logger

from retro_ml.training.algorithms import build_model
from retro_ml.training.envs import make_training_env
from retro_ml.training.network_speed import bfloat16_units, speed_up_network

UNITS = bfloat16_units()


@pytest.fixture(scope="module")
def env():
    env = make_training_env("ALE/Breakout-v5", 2, seed=3, frame_stack=4)
    yield env
    env.close()


def observations(env) -> torch.Tensor:
    env.seed(3)
    first = env.reset()
    stack = [first] + [env.step(np.array([1, 3]))[0] for _ in range(20)]
    return torch.as_tensor(np.concatenate(stack)).permute(0, 3, 1, 2).float()


def convolution_weights(model) -> list[torch.Tensor]:
    return [module.weight for module in model.policy.modules() if isinstance(module, torch.nn.Conv2d)]


def test_float32_is_the_same_network_in_channels_last(env) -> None:
    model = PPO("CnnPolicy", env, seed=1, device="cpu", n_steps=32, batch_size=64)
    batch = observations(env)
    with torch.no_grad():
        before = model.policy.extract_features(batch, model.policy.features_extractor)
    assert speed_up_network(model, "float32") == "CPU, channels-last, float32"
    weights = convolution_weights(model)
    assert len(weights) == 3
    assert all(w.is_contiguous(memory_format=torch.channels_last) and not w.is_contiguous() for w in weights)
    with torch.no_grad():
        after = model.policy.extract_features(batch, model.policy.features_extractor)
    assert after.dtype == torch.float32
    torch.testing.assert_close(after, before, rtol=1e-5, atol=1e-5)


@pytest.mark.skipif(UNITS is None, reason="bfloat16 is used only on CPUs with AMX or AVX512-BF16")
def test_auto_runs_the_cnn_in_bfloat16_and_the_heads_in_float32(env) -> None:
    model = PPO("CnnPolicy", env, seed=1, device="cpu", n_steps=32, batch_size=64)
    batch = observations(env)
    with torch.no_grad():
        exact = model.policy.extract_features(batch, model.policy.features_extractor)
        exact_values = model.policy.predict_values(batch)
    assert speed_up_network(model) == f"CPU, channels-last, CNN in bfloat16 ({UNITS})"
    with torch.no_grad():
        fast = model.policy.extract_features(batch, model.policy.features_extractor)
        values, log_prob, entropy = model.policy.evaluate_actions(batch, torch.zeros(len(batch), dtype=torch.long))
    # bfloat16 keeps 8 bits of mantissa: features within a few percent, returned as float32.
    assert fast.dtype == values.dtype == log_prob.dtype == entropy.dtype == torch.float32
    assert float((fast - exact).norm() / exact.norm()) < 0.03
    torch.testing.assert_close(values, exact_values, rtol=0.05, atol=0.02)
    # The weights and what the optimiser updates stay float32 (autocast's master copy).
    assert all(p.dtype == torch.float32 for p in model.policy.parameters())


def test_a_sped_up_model_trains_saves_and_loads_into_plain_sb3(env, tmp_path: Path) -> None:
    model = build_model(
        "ppo", {"n_steps": 32, "batch_size": 64, "n_epochs": 2, "seed": 1}, env, "cpu", Logger(None, [])
    )
    assert all(w.is_contiguous(memory_format=torch.channels_last) for w in convolution_weights(model))
    model.learn(128)
    model.save(tmp_path / "model.zip")
    plain = PPO.load(tmp_path / "model.zip", device="cpu")
    assert all(w.is_contiguous() for w in convolution_weights(plain))
    loaded = plain.policy.state_dict()
    assert list(loaded) == list(model.policy.state_dict())
    for name, trained in model.policy.state_dict().items():
        assert torch.equal(trained, loaded[name]), name


def test_dqn_speeds_up_its_network_and_its_target(env) -> None:
    model = DQN("CnnPolicy", env, seed=1, device="cpu", buffer_size=500, learning_starts=0)
    speed_up_network(model)
    q_weights, target_weights = convolution_weights(model)[:3], convolution_weights(model)[3:]
    assert len(target_weights) == 3
    assert all(w.is_contiguous(memory_format=torch.channels_last) for w in q_weights + target_weights)
    batch = observations(env)
    with torch.no_grad():
        online = model.q_net(batch)
        target = model.q_net_target(batch)
    assert online.dtype == target.dtype == torch.float32
    torch.testing.assert_close(online, target)  # the target starts as a copy and is sped up alike
