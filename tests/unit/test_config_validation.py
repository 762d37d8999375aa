from __future__ import annotations

from typing import Any

import pytest

from retro_ml.errors import InvalidInput
from retro_ml.services.experiments.presets import load_presets
from retro_ml.services.experiments.requests import parse_new_experiment
from retro_ml.services.games import find_game, list_games

catalog = load_presets()


def test_presets_resolve_to_full_rl_zoo_atari_configs() -> None:
    ppo = catalog.resolve("quick", "ppo")
    assert ppo | {"total_timesteps": 0} == ppo | {
        "n_envs": 8,
        "n_steps": 128,
        "batch_size": 256,
        "n_epochs": 4,
        "learning_rate": 2.5e-4,
        "learning_rate_schedule": "linear",
        "clip_range": 0.1,
        "clip_range_schedule": "linear",
        "ent_coef": 0.01,
        "frame_stack": 4,
        "total_timesteps": 0,
    }
    dqn = catalog.resolve("epic", "dqn")
    assert (
        dqn["buffer_size"] == 50_000 and dqn["target_update_interval"] == 1000 and dqn["exploration_final_eps"] == 0.01
    )
    assert [p["id"] for p in catalog.describe()["presets"]] == ["quick", "standard", "epic", "epic_10h"]
    assert catalog.describe()["presets"][0]["video_length_hours"] == 0.5


def test_overrides_apply_and_coerce() -> None:
    config = catalog.resolve(
        "quick",
        "ppo",
        {"total_timesteps": 2048.0, "n_envs": 2, "n_steps": 64, "batch_size": 64, "learning_rate": 1, "seed": 7},
    )
    assert config["total_timesteps"] == 2048 and isinstance(config["total_timesteps"], int)
    assert config["learning_rate"] == 1.0 and isinstance(config["learning_rate"], float)
    assert config["seed"] == 7


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"total_timesteps": -5}, "config.total_timesteps", "between"),
        ({"total_timesteps": "lots"}, "config.total_timesteps", "whole number"),
        ({"total_timesteps": True}, "config.total_timesteps", "whole number"),
        ({"n_envs": 2.5}, "config.n_envs", "whole number"),
        ({"n_envs": 0}, "config.n_envs", "between 1 and 64"),
        ({"learning_rate": 0}, "config.learning_rate", "between"),
        ({"n_steps": None}, "config.n_steps", "needs a value"),
        ({"batch_size": 4096}, "config.batch_size", "at most n_steps × n_envs"),
        ({"total_timesteps": 1000}, "config.total_timesteps", "at least one round of n_steps × n_envs (1,024)"),
        ({"seed": -1}, "config.seed", "between"),
        ({"buffer_size": 1000}, "config.buffer_size", "not a PPO setting"),
        ({"rm_rf": 1}, "config.rm_rf", "not a setting"),
        ({"device": "tpu"}, "config.device", "one of auto, cpu, cuda"),
        ({"precision": "bfloat16"}, "config.precision", "one of auto, float32"),
    ],
)
def test_bad_overrides_name_the_field(overrides: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        catalog.resolve("quick", "ppo", overrides)
    assert caught.value.field == field and words in caught.value.message
    assert caught.value.status == 400


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "game"),
        ({"game": "nosuchgame"}, "game"),
        ({"game": "pong", "algorithm": "a2c"}, "algorithm"),
        ({"game": "pong", "preset": "forever"}, "preset"),
        ({"game": "pong", "name": 42}, "name"),
        ({"game": "pong", "name": "x" * 101}, "name"),
        ({"game": "pong", "tags": "one"}, "tags"),
        ({"game": "pong", "config": [1]}, "config"),
        ({"game": "pong", "colour": "red"}, "colour"),
    ],
)
def test_bad_requests_name_the_field(payload: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_new_experiment(payload, catalog)
    assert caught.value.field == field


def test_request_defaults_and_game_lookup() -> None:
    request = parse_new_experiment(
        {"game": "Space Invaders", "name": "  my   run ", "tags": ["a", "a", " b "]}, catalog
    )
    assert request.game.env_id == "ALE/SpaceInvaders-v5"
    assert (request.algorithm, request.preset, request.name, request.tags) == ("ppo", "quick", "my run", ["a", "b"])


def test_every_registered_single_player_game_is_listed() -> None:
    games = list_games()
    assert len(games) == 104  # ale-py 0.12 ships 108 ROMs; 4 are two-player only
    assert find_game("ALE/Pong-v5").id == "pong"
    assert all(g.env_id.startswith("ALE/") and g.env_id.endswith("-v5") for g in games)
