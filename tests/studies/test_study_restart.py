"""A study survives its app: kill -9 of the real server mid-trial, a restart, and the study goes on;
and stop / resume through the API. Real Optuna (studies.db), real tiny SB3 trials on ALE.

Workers outlive the app by design: the trial running when the server is killed keeps training
and evaluating meanwhile. The restarted app's runner follows it again (the same run, reattached
or replayed: services/experiments/recovery.py), reports the evaluations it made while the app was
down, and the study reaches its trials with none lost and none run twice.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.helpers.api_client import call
from tests.helpers.server import start_server
from tests.studies.study_requests import tiny_study, wait_for, wait_for_study

pytestmark = pytest.mark.training

THREE_TRIALS = tiny_study(n_trials=3, pruner="none")


def evaluations_in(run_dir: Path) -> int:
    events = run_dir / "events.jsonl"
    return events.read_text(errors="replace").count('"trial_evaluation"') if events.exists() else 0


def test_a_study_resumes_after_the_server_is_killed(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = start_server(data_dir)
    created = call(server, "POST", "/studies", 201, json=THREE_TRIALS)["study"]
    study = wait_for(
        server, created["id"], lambda s: any(t["state"] == "running" and t["intermediate_values"] for t in s["trials"])
    )
    [running] = [t for t in study["trials"] if t["state"] == "running"]
    reported = len(running["intermediate_values"])
    run_dir = Path(call(server, "GET", f"/experiments/{running['experiment_id']}")["experiment"]["run_dir"])

    server.process.kill()  # kill -9: no shutdown, the runner thread dies mid-loop
    server.process.wait(10)
    deadline = time.monotonic() + 60  # the trial's worker goes on: it evaluates again meanwhile
    while evaluations_in(run_dir) <= reported and time.monotonic() < deadline:
        time.sleep(0.2)
    assert evaluations_in(run_dir) > reported, "the trial's worker made no evaluation while the app was down"

    server = start_server(data_dir)
    try:
        study = wait_for_study(server, created["id"])
        runs = call(server, "GET", "/experiments")["experiments"]
    finally:
        assert server.stop() == 0
    assert study["status"] == "completed", study["message"]
    assert [(t["number"], t["state"]) for t in study["trials"]] == [(0, "complete"), (1, "complete"), (2, "complete")]
    again = study["trials"][running["number"]]
    assert again["experiment_id"] == running["experiment_id"]  # the same run, followed again
    assert [v["step"] for v in again["intermediate_values"]] == [1, 2, 3, 4]  # those made meanwhile too, once each
    assert sorted(r["lineage"]["trial_number"] for r in runs) == [0, 1, 2]  # one run per trial: none run twice
    assert {r["metadata"]["status"] for r in runs} == {"completed"}
    assert study["best_trial"] is not None


def test_stop_lets_the_running_trial_finish_and_resume_runs_the_rest(tmp_path: Path) -> None:
    server = start_server(tmp_path / "data")
    try:
        created = call(server, "POST", "/studies", 201, json=THREE_TRIALS)["study"]
        assert call(server, "POST", f"/studies/{created['id']}/resume", 409)["error"]["code"] == "conflict"
        wait_for(server, created["id"], lambda s: s["counts"]["running"] == 1)

        stopped = call(server, "POST", f"/studies/{created['id']}/stop", json={})["study"]
        assert stopped["status"] == "stopped" and "1 running trial(s) finish" in stopped["message"]
        assert call(server, "POST", f"/studies/{created['id']}/stop", 409)["error"]["code"] == "conflict"
        study = wait_for(server, created["id"], lambda s: s["counts"]["running"] == 0)
        assert [(t["number"], t["state"]) for t in study["trials"]] == [(0, "complete")]  # told as usual
        time.sleep(3)  # the runner looks every second: it would have asked for trial 1 by now
        study = call(server, "GET", f"/studies/{created['id']}")["study"]
        assert study["status"] == "stopped" and len(study["trials"]) == 1

        resumed = call(server, "POST", f"/studies/{created['id']}/resume", json={})["study"]
        assert resumed["status"] == "running"
        study = wait_for_study(server, created["id"])
    finally:
        assert server.stop() == 0
    assert study["status"] == "completed", study["message"]
    assert [t["state"] for t in study["trials"]] == ["complete"] * 3
