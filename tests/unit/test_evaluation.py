"""The evaluation's pure parts: how many games, their seeds, the best one, the report's score fields."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from retro_ml.training.evaluation import (
    EVAL_SEED_OFFSET,
    best_episode,
    evaluation_episodes,
    evaluation_seeds,
    record_evaluation,
    score_summary,
)


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({}, 0),
        ({"eval_episodes": None}, 0),
        ({"eval_episodes": 0}, 0),
        ({"eval_episodes": -2}, 0),
        ({"eval_episodes": 3}, 3),
    ],
)
def test_eval_episodes_absent_null_or_below_1_means_off(settings: dict[str, Any], expected: int) -> None:
    assert evaluation_episodes(settings) == expected


def test_seeded_runs_get_fixed_seeds_one_per_game() -> None:
    assert evaluation_seeds(7, 3) == [7 + EVAL_SEED_OFFSET, 8 + EVAL_SEED_OFFSET, 9 + EVAL_SEED_OFFSET]
    assert evaluation_seeds(7, 0) == []


def test_unseeded_runs_get_consecutive_seeds_from_a_random_base() -> None:
    seeds = evaluation_seeds(None, 3, random.Random(42))
    assert seeds == [seeds[0], seeds[0] + 1, seeds[0] + 2]
    assert 0 <= seeds[0] < 2**31
    assert seeds == evaluation_seeds(None, 3, random.Random(42))


def test_the_best_game_is_the_highest_score_and_the_first_of_equals() -> None:
    assert best_episode([-21.0, -19.0, -20.0]) == 1
    assert best_episode([3.0, 5.0, 5.0]) == 1
    assert best_episode([0.0]) == 0
    with pytest.raises(ValueError):
        best_episode([])


def test_score_summary_keeps_the_play_order() -> None:
    assert score_summary([2.0, 5.0, -1.0]) == {
        "scores": [2.0, 5.0, -1.0],
        "avg_score": 2.0,
        "max_score": 5.0,
        "best_score": 5.0,
        "episode_count": 3,
    }


@pytest.mark.parametrize("settings", [{}, {"eval_episodes": 0}])
def test_record_evaluation_does_nothing_when_off(tmp_path: Path, settings: dict[str, Any]) -> None:
    # No model is needed: nothing is played.
    assert record_evaluation(None, tmp_path, "ALE/Pong-v5", settings, stopping=lambda: False) is None
    assert not (tmp_path / "videos").exists()
