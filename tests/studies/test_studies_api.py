"""A study through the real server: real Optuna, real SB3 trials on ALE (tiny), real pruning.

One 4-trial study (trials one at a time): trial 0 starts from a network that fires (it scores
on every evaluation), trial 1 from one that never fires (0 on every evaluation: see
study_requests.py). Optuna's median pruner prunes trial 1 at its first evaluation: its worker
sees PRUNE, saves its model and ends `pruned`, and Optuna has it PRUNED. Then the best trial is
promoted to a full run with its values.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.helpers.api_client import call, fetch
from tests.helpers.server import LiveServer
from tests.studies.study_requests import GOOD_START, HOPELESS, TINY_TRIAL_CONFIG, tiny_study, wait_for_study

pytestmark = pytest.mark.training


def test_a_hopeless_trial_is_pruned_and_the_best_is_promoted(live_server: LiveServer) -> None:
    created = call(live_server, "POST", "/studies", 201, json=tiny_study(enqueue=[GOOD_START, HOPELESS]))["study"]
    assert created["status"] == "running" and created["storage"].endswith("/studies.db")
    assert [s["id"] for s in call(live_server, "GET", "/studies")["studies"]] == [created["id"]]

    study = wait_for_study(live_server, created["id"])
    assert study["status"] == "completed", study["message"]
    trials = {trial["number"]: trial for trial in study["trials"]}
    assert sorted(trials) == [0, 1, 2, 3]

    good, hopeless = trials[0], trials[1]
    assert good["state"] == "complete" and good["params"] == GOOD_START
    assert [v["step"] for v in good["intermediate_values"]] == [1, 2, 3, 4]
    assert good["value"] == good["intermediate_values"][-1]["value"] > 0  # the final model's mean score

    assert hopeless["state"] == "pruned" and hopeless["params"] == HOPELESS
    assert [v["value"] for v in hopeless["intermediate_values"]] == [0.0]  # pruned at its first evaluation
    run = fetch(live_server, hopeless["experiment_id"])
    assert run["metadata"]["status"] == "pruned"
    assert run["lineage"]["study_id"] == study["id"] and run["lineage"]["trial_number"] == 1
    assert run["config"]["seed"] == 2 and run["config"]["learning_rate"] == 1e-8
    assert Path(run["run_dir"], "model.zip").is_file()  # saved, like a stopped run
    assert run["progress"]["timestep"] < 1024
    pruned_runs = call(live_server, "GET", "/experiments?status=pruned")["experiments"]
    assert hopeless["experiment_id"] in [e["id"] for e in pruned_runs]

    assert study["best_trial"]["number"] in (0, 2, 3) and study["best_value"] == good["value"]
    assert study["best_so_far"][0] == {"number": 0, "value": good["value"], "best": good["value"]}
    complete = [t for t in study["trials"] if t["state"] == "complete"]
    assert (study["importance"] is None) == (len(complete) < 2) or study["importance_reason"]

    promoted = call(
        live_server, "POST", f"/studies/{study['id']}/promote", 201, json={"trial_number": 0, "total_timesteps": 4096}
    )["experiment"]
    try:
        assert promoted["config"]["learning_rate"] == 1e-8 and promoted["config"]["seed"] == 0
        assert promoted["config"]["total_timesteps"] == 4096
        assert promoted["config"].get("trial_eval_every_pct", 0) == 0  # a full run: no trial evaluations
        assert promoted["lineage"]["study_id"] == study["id"] and "promoted" in promoted["metadata"]["tags"]
        again = call(live_server, "GET", f"/studies/{study['id']}")["study"]
        assert again["trials"][0]["promoted_experiment_ids"] == [promoted["id"]]
    finally:
        call(live_server, "POST", f"/experiments/{promoted['id']}/stop", None)
        deadline = time.monotonic() + 60
        while fetch(live_server, promoted["id"])["metadata"]["status"] in ("queued", "running", "paused"):
            assert time.monotonic() < deadline
            time.sleep(0.5)


WITHOUT_N_STEPS = {key: value for key, value in TINY_TRIAL_CONFIG.items() if key != "n_steps"}
BAD_REQUESTS = [
    ({"n_trials": 0}, "n_trials"),
    ({"n_trials": 100_000}, "n_trials"),
    ({"n_trials": "ten"}, "n_trials"),
    ({"timesteps_per_trial": 10}, "timesteps_per_trial"),
    ({"params": {"warp_speed": {"low": 1, "high": 2}}}, "params.warp_speed"),
    ({"params": {"buffer_size": {"choices": [10_000]}}}, "params.buffer_size"),  # a DQN setting
    ({"params": {"learning_rate": {"low": 1e-5, "high": 5.0}}}, "params.learning_rate"),
    ({"params": {"learning_rate": {"low": 0, "high": 1e-3, "log": True}}}, "params.learning_rate"),
    ({"params": {"n_epochs": {"choices": [1, 500]}}}, "params.n_epochs"),
    (  # a rollout too big for trials of 1,024 steps
        {"params": {"n_steps": {"choices": [64, 8192]}}, "config": WITHOUT_N_STEPS},
        "params.n_steps",
    ),
    ({"sampler": "grid"}, "sampler"),
    ({"pruner": "hyperband"}, "pruner"),
    ({"game": "not_a_game"}, "game"),
    ({"storage": "mysql://root@localhost/optuna"}, "storage"),
    ({"config": {"learning_rate": 0.1}}, "config.learning_rate"),  # searched: not a config value
    ({"config": {"n_envs": 1000}}, "config.n_envs"),
    ({"enqueue": [{"learning_rate": 5.0}]}, "enqueue[0].learning_rate"),
    ({"surprise": True}, "surprise"),
]


@pytest.mark.parametrize(("change", "field"), BAD_REQUESTS, ids=[field for _, field in BAD_REQUESTS])
def test_bad_study_requests_are_400_naming_the_field(live_server: LiveServer, change: dict, field: str) -> None:
    answer = call(live_server, "POST", "/studies", 400, json=tiny_study(**change))
    assert answer["error"]["code"] == "invalid_input" and answer["error"]["field"] == field, answer
    assert call(live_server, "GET", "/studies")["studies"] == []  # nothing was created


def test_unknown_and_malformed_study_ids(live_server: LiveServer) -> None:
    assert call(live_server, "GET", "/studies/0123456789ab", 404)["error"]["code"] == "not_found"
    assert call(live_server, "GET", "/studies/nope", 400)["error"]["field"] == "id"
    assert call(live_server, "POST", "/studies/0123456789ab/promote", 404, json={})["error"]["code"] == "not_found"
    spaces = call(live_server, "GET", "/studies/search-spaces")
    assert "learning_rate" in spaces["search_spaces"]["ppo"] and "buffer_size" in spaces["search_spaces"]["dqn"]
