"""Comparing model versions through the real server (`POST /api/models/compare`): real ALE games of tiny
PPO and DQN models on the same seeds, the per-model table with Welch's t-test against the first, and one
side-by-side video (60 fps, every emulator frame of the filmed game, a 2×2 grid for three models and
1×2 for two) registered as a `comparison` video the Videos tab lists; bad requests answered 4xx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from retro_ml.training.video import probe
from tests.helpers.api_client import call
from tests.helpers.server import LiveServer
from tests.models.conftest import ModelLab
from tests.models.test_evaluate_api import evaluate, job_folders, wait_finished

pytestmark = pytest.mark.training

TILE_WIDTH, TILE_HEIGHT, GAP = 160 * 2, 210 * 2 + 44, 4  # a screen ×2 under its label bar; tiles 4 px apart


def compare(server: LiveServer, expect: int = 202, **body: Any) -> dict[str, Any]:
    return call(server, "POST", "/models/compare", expect, json=body)


def test_three_models_on_the_same_seeds_with_a_test_and_a_grid_video(model_lab: ModelLab) -> None:
    server, client, v = model_lab.server, model_lab.client, model_lab.versions
    ids = [v["ppo"]["id"], v["ppo_checkpoint"]["id"], v["dqn"]["id"]]
    job = compare(server, model_ids=ids, episodes=2, seed=5, max_seconds=6)["job"]
    assert (job["kind"], job["model_ids"], job["games_total"]) == ("comparison", ids, 6)

    done = wait_finished(server, job["id"])
    assert done["status"] == "completed", done
    result = done["result"]
    assert result["seeds"] == [5, 6] and result["test"] == "Welch's t-test (two-sided)"
    rows = result["models"]
    assert [row["model_id"] for row in rows] == ids
    assert [row["num_timesteps"] for row in rows] == [
        v["ppo"]["num_timesteps"],
        v["ppo_checkpoint"]["num_timesteps"],
        600,
    ]
    for row in rows:
        assert len(row["scores"]) == len(row["frames"]) == 2 and row["max"] == max(row["scores"])
        assert all(0 < frames <= 6 * 60 for frames in row["frames"])
    differences = result["differences"]
    assert [(d["model_id"], d["vs_model_id"]) for d in differences] == [(ids[1], ids[0]), (ids[2], ids[0])]
    for difference, row in zip(differences, rows[1:], strict=True):
        assert difference["mean_difference"] == pytest.approx(row["mean"] - rows[0]["mean"])
        assert difference["p_value"] is None or 0.0 <= difference["p_value"] <= 1.0
        assert difference["beyond_noise"] == (difference["p_value"] is not None and difference["p_value"] < 0.05)

    # The film: the game where the scores differ most, every frame of its longest game plus a last "final" frame.
    film = result["video"]
    game = film["game_index"]
    assert film["seed"] == result["seeds"][game] and "differ most" in film["chosen_because"]
    assert film["scores"] == [row["scores"][game] for row in rows]
    video = call(server, "GET", f"/videos/{result['video_id']}")["video"]
    assert video["type"] == "comparison" and video["experiment_id"] == v["ppo"]["experiment_id"]
    info = probe(video["path"])
    assert (info["fps"], info["width"], info["height"]) == (60.0, 2 * TILE_WIDTH + GAP, 2 * TILE_HEIGHT + GAP)
    assert info["frames"] == max(row["frames"][game] for row in rows) + 1
    assert job_folders(Path(video["path"]).parent) == []
    listed = call(server, "GET", "/videos?type=comparison")["videos"]
    assert [item["id"] for item in listed] == [result["video_id"]]
    client.wait_for("model.comparison.complete", lambda d: d["job"]["id"] == job["id"], 10)

    # Two models: side by side; the same seeds play the same games as above and as an evaluation.
    pair = wait_finished(server, compare(server, model_ids=ids[:2], episodes=1, seed=5, max_seconds=6)["job"]["id"])
    assert [row["scores"] for row in pair["result"]["models"]] == [row["scores"][:1] for row in rows[:2]]
    pair_video = probe(call(server, "GET", f"/videos/{pair['result']['video_id']}")["video"]["path"])
    assert (pair_video["width"], pair_video["height"]) == (2 * TILE_WIDTH + GAP, TILE_HEIGHT)
    alone = wait_finished(
        server, evaluate(server, ids[2], episodes=2, seed=5, max_seconds=6, record=False)["job"]["id"]
    )
    assert alone["result"]["evaluation"]["scores"] == rows[2]["scores"]


def test_bad_comparisons_are_4xx_and_say_why(model_lab: ModelLab) -> None:
    server, v = model_lab.server, model_lab.versions
    ppo, checkpoint, dqn, pong = (v[name]["id"] for name in ("ppo", "ppo_checkpoint", "dqn", "pong"))
    jobs_before = len(call(server, "GET", "/models/jobs")["jobs"])
    for body in (
        {"model_ids": [ppo]},
        {"model_ids": [ppo, checkpoint, dqn, v["ppo_old_checkpoint"]["id"], pong]},
        {"model_ids": [ppo, ppo]},
        {"model_ids": "ppo"},
        {"model_ids": [ppo, dqn], "episodes": 0},
        {"model_ids": [ppo, dqn], "episodes": 10_000},
    ):
        error = compare(server, 400, **body)["error"]
        assert error["code"] == "invalid_input" and error["field"] in ("model_ids", "episodes"), body
    different = compare(server, 400, model_ids=[ppo, pong])["error"]  # a PPO of Breakout, a DQN of Pong
    assert different["field"] == "model_ids" and "breakout" in different["message"] and "pong" in different["message"]
    assert compare(server, 404, model_ids=[ppo, "0123456789ab"])["error"]["code"] == "not_found"
    assert compare(server, 400)["error"]["code"] == "invalid_input"  # no body at all
    assert len(call(server, "GET", "/models/jobs")["jobs"]) == jobs_before  # no refused request made a job
