"""Studies in a real PostgreSQL server (tests/helpers/postgres.py, one cluster per session).

Two machines on one study, simulated by two processes with their own data dirs: the app (the
real server; its Settings name the PostgreSQL URL) creates the study, `retro-ml tune --join`
in another data dir runs trials of it meanwhile. Trial numbers are never given twice, each side
runs its trials as its own runs, and each app lists every trial, the other machine's without a
run of its own. The password stays out of answers, logs and the studies' records. A storage
that cannot be reached (a closed port, a wrong password) is a 422 with nothing created.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import optuna
import pytest

from tests.helpers.api_client import call
from tests.helpers.postgres import PostgresServer, free_port
from tests.helpers.server import LiveServer, kill_workers_under, start_server
from tests.studies.study_requests import TINY_TRIAL_CONFIG, tiny_study, wait_for, wait_for_study

QUICK_TRIALS = {**TINY_TRIAL_CONFIG, "trial_eval_every_pct": 50, "trial_eval_max_seconds": 5}


def optuna_study_names(url: str) -> list[str]:
    return [summary.study_name for summary in optuna.get_all_study_summaries(storage=url)]


@pytest.mark.training
def test_two_machines_share_a_postgresql_study(tmp_path: Path, postgres: PostgresServer) -> None:
    url = postgres.create_database("shared")
    app = start_server(tmp_path / "app")
    joiner: subprocess.Popen[str] | None = None
    try:
        settings = call(app, "PUT", "/settings", json={"study_storage_url": url})["settings"]
        redacted = url.replace(postgres.password, "***")
        assert settings["study_storage_url"] == redacted
        assert call(app, "GET", "/settings")["settings"]["study_storage_url"] == redacted
        # sent back as shown, the password saved stays
        call(app, "PUT", "/settings", json={"study_storage_url": redacted})
        other_server = postgres.url("shared", password="***", port=postgres.port + 1)
        refused = call(app, "PUT", "/settings", 400, json={"study_storage_url": other_server})
        assert refused["error"]["field"] == "settings.study_storage_url"

        request = tiny_study(name="shared study", pruner="none", config=QUICK_TRIALS)
        created = call(app, "POST", "/studies", 201, json=request)["study"]
        assert created["storage"] == redacted  # the Settings' storage, its password hidden
        joiner = subprocess.Popen(
            [sys.executable, "-m", "retro_ml", "tune", "--join", "shared study", "--storage", url,
             "--data-dir", str(tmp_path / "machine-b")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        out, _ = joiner.communicate(timeout=400)
        assert joiner.returncode == 0, out
        study = wait_for_study(app, created["id"])
    finally:
        if joiner is not None and joiner.poll() is None:
            joiner.kill()
        assert app.stop() == 0

    assert study["status"] == "completed", study["message"]
    numbers = [trial["number"] for trial in study["trials"]]
    assert numbers == [0, 1, 2, 3] and study["counts"]["complete"] == 4  # no number twice, none lost
    mine = [t for t in study["trials"] if t["local"]]
    theirs = [t for t in study["trials"] if not t["local"]]
    assert mine and theirs, study["trials"]  # both machines ran trials
    assert all(t["experiment_id"] and t["machine"] for t in mine)
    assert all(t["experiment_id"] is None and t["machine"] for t in theirs)
    assert "Joined study shared study" in out and "Study shared study: completed. Best: trial" in out
    for trial in theirs:
        assert f"Trial {trial['number']}: complete" in out  # the joiner's own trials, no "on <host>"

    # The password is only in the app's settings: not in its log, its studies' records, the joiner's output
    for text in (app.log_text(), out):
        assert postgres.password not in text
    database = json.loads((tmp_path / "app" / "retro_ml.json").read_text())
    assert postgres.password in json.dumps(database["settings"])
    assert postgres.password not in json.dumps(database["studies"])
    assert postgres.password not in (tmp_path / "machine-b" / "retro_ml.json").read_text()

    # Machine B's app lists the study too (its password from libpq's PGPASSWORD), its own trials with runs
    machine_b = start_server(tmp_path / "machine-b", env={"PGPASSWORD": postgres.password})
    try:
        seen_by_b = call(machine_b, "GET", f"/studies/{study['id']}")["study"]
        runs_of_b = call(machine_b, "GET", "/experiments")["experiments"]
    finally:
        assert machine_b.stop() == 0
    assert [t["number"] for t in seen_by_b["trials"]] == numbers and seen_by_b["status"] == "completed"
    assert {t["number"] for t in seen_by_b["trials"] if t["local"]} == {t["number"] for t in theirs}
    assert sorted(r["lineage"]["trial_number"] for r in runs_of_b) == [t["number"] for t in theirs]
    assert {r["lineage"]["study_id"] for r in runs_of_b} == {study["id"]}  # one study id on both machines


@pytest.mark.parametrize("case", ["closed port", "wrong password"])
def test_an_unreachable_storage_is_a_422_and_creates_nothing(
    live_server: LiveServer, postgres: PostgresServer, case: str
) -> None:
    url = postgres.create_database(f"unreachable_{case.replace(' ', '_')}")
    bad = postgres.url("x", port=free_port()) if case == "closed port" else url.replace(postgres.password, "nope")
    started = time.monotonic()
    answer = call(live_server, "POST", "/studies", 422, json=tiny_study(name="never", storage=bad))
    seconds = time.monotonic() - started
    print(f"{case}: refused in {seconds:.2f} s")
    error: dict[str, Any] = answer["error"]
    assert error["code"] == "storage_unavailable" and error["field"] == "storage"
    assert "cannot be opened" in error["message"] and "***" in error["message"]
    assert postgres.password not in error["message"] and "nope" not in error["message"]
    assert call(live_server, "GET", "/studies")["studies"] == []
    assert optuna_study_names(url) == []
    assert "nope" not in live_server.log_text() and postgres.password not in live_server.log_text()
    joined = call(live_server, "POST", "/studies/join", 422, json={"study": "never", "storage": bad})
    assert joined["error"]["code"] == "storage_unavailable"
    if case == "wrong password":  # the right password, a study it does not have: 404 naming it
        missing = call(live_server, "POST", "/studies/join", 404, json={"study": "never", "storage": url})
        assert missing["error"]["field"] == "study"
    assert call(live_server, "GET", "/studies")["studies"] == []


def test_join_refuses_a_study_retro_ml_did_not_make(live_server: LiveServer, postgres: PostgresServer) -> None:
    url = postgres.create_database("foreign")
    optuna.create_study(storage=url, study_name="someone else's")
    answer = call(live_server, "POST", "/studies/join", 422, json={"study": "someone else's", "storage": url})
    assert answer["error"]["code"] == "not_a_retro_ml_study", answer
    assert call(live_server, "POST", "/studies/join", 400, json={"study": ""})["error"]["field"] == "study"
    assert call(live_server, "GET", "/studies")["studies"] == []


@pytest.mark.training
def test_a_machine_that_dies_mid_trial_has_its_trial_failed_and_retried(
    tmp_path: Path, postgres: PostgresServer
) -> None:
    """kill -9 of a joined machine and of its trial's worker (a machine gone): no heartbeat for the
    grace period (6 s here), so the app fails that trial and runs it again, same parameters."""
    url = postgres.create_database("lost_machine")
    short_grace = {"RETRO_ML_STUDY_GRACE_SECONDS": "6"}
    app = start_server(tmp_path / "app", env=short_grace)
    joiner: subprocess.Popen[str] | None = None
    try:
        request = tiny_study(name="lost", n_trials=3, pruner="none", storage=url)
        created = call(app, "POST", "/studies", 201, json=request)["study"]
        joiner = subprocess.Popen(
            [sys.executable, "-m", "retro_ml", "tune", "--join", "lost", "--storage", url,
             "--data-dir", str(tmp_path / "machine-b")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True,
            env={**os.environ, **short_grace},
        )  # fmt: skip
        study = wait_for(app, created["id"], lambda s: any(not t["local"] for t in s["trials"]))
        [lost] = [t for t in study["trials"] if not t["local"]]
        joiner.kill()
        joiner.wait(10)
        assert kill_workers_under(tmp_path / "machine-b")  # its trial's worker, which would outlive it
        study = wait_for_study(app, created["id"])
    finally:
        if joiner is not None and joiner.poll() is None:
            joiner.kill()
        assert app.stop() == 0

    assert study["status"] == "completed", study["message"]
    trials = {t["number"]: t for t in study["trials"]}
    assert trials[lost["number"]]["state"] == "failed" and not trials[lost["number"]]["local"]
    [retry] = [t for t in study["trials"] if t["retry_of"] == lost["number"]]
    assert retry["local"] and retry["state"] == "complete" and retry["params"] == lost["params"]
    assert study["counts"] == {"running": 0, "complete": 3, "pruned": 0, "failed": 1, "waiting": 0}
