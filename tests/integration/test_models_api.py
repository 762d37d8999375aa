"""The Models list (`/api/models`): a real PPO run's final model and kept checkpoints as versions,
kept in step with the run folder (pruned checkpoints leave, deleted runs take theirs along),
listed from the store after a restart, filtered, sorted, tagged and deleted."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from retro_ml.run_contract import CHECKPOINTS_DIR, checkpoint_files
from tests.helpers.api_client import call, create, fetch
from tests.helpers.cli import run_cli
from tests.helpers.run_configs import TINY_PPO
from tests.helpers.server import LiveServer, kill_workers_under, start_server
from tests.helpers.socket_events import RecordingClient

pytestmark = pytest.mark.training

# 4 checkpoints are saved (every 25%), the newest 2 kept: the 2 older ones are pruned while it runs.
CHECKPOINTED = {**TINY_PPO, "checkpoint_every_pct": 25, "checkpoint_every_minutes": 0, "keep_checkpoints": 2}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("models") / "data"
    yield folder
    kill_workers_under(folder.parent)


@pytest.fixture(scope="module")
def trained(data_dir: Path) -> Iterator[tuple[LiveServer, dict[str, Any], list[dict[str, Any]]]]:
    """One finished tiny PPO run, the `models.changed` events it caused, and the server it ran on."""
    server = start_server(data_dir)
    client = RecordingClient()
    client.connect(server.base_url, auth={"token": server.token})
    try:
        experiment = create(server, game="breakout", algorithm="ppo", config=CHECKPOINTED)
        client.wait_for("training.complete", lambda d: d["experiment_id"] == experiment["id"], 300)
        client.wait_for("models.changed", lambda d: d["experiment_id"] == experiment["id"] and d["added"], 30)
        yield server, fetch(server, experiment["id"]), [d for name, d in client.events if name == "models.changed"]
    finally:
        client.close()
        assert server.stop() == 0, server.log_text()


def models(server: LiveServer, query: str = "", expect: int = 200) -> Any:
    body = call(server, "GET", f"/models{query}", expect=expect)
    return body["models"] if expect == 200 else body


def test_a_finished_run_lists_its_final_model_and_each_kept_checkpoint(trained) -> None:  # type: ignore[no-untyped-def]
    server, experiment, changes = trained
    run_dir = Path(experiment["run_dir"])
    kept = checkpoint_files(run_dir / CHECKPOINTS_DIR)
    assert len(kept) == 2, kept  # the run pruned the older two

    listed = models(server, f"?experiment_id={experiment['id']}")
    final = [m for m in listed if m["kind"] == "final"]
    assert len(final) == 1 and final[0]["path"] == str(run_dir / "model.zip")
    assert final[0]["num_timesteps"] == experiment["progress"]["timestep"] >= 2048
    checkpoints = sorted((m["num_timesteps"], m["path"]) for m in listed if m["kind"] == "checkpoint")
    assert checkpoints == [(step, str(path)) for step, path in kept]
    for model in listed:
        assert model["size_bytes"] == Path(model["path"]).stat().st_size > 0
        assert (model["game"], model["env_id"], model["algorithm"]) == ("breakout", "ALE/Breakout-v5", "ppo")
        assert model["name"] == experiment["name"] and model["evaluation"] is None

    # Checkpoints came and went while it ran: events added them, later ones removed the pruned
    # (one pruned before its report was read never shows up at all).
    added = [i for c in changes for i in c["added"]]
    removed = [i for c in changes for i in c["removed"]]
    assert len(added) > 3 and removed and set(removed) <= set(added)
    assert set(added) - set(removed) == {m["id"] for m in listed}


def test_the_list_filters_searches_and_sorts(trained) -> None:  # type: ignore[no-untyped-def]
    server, experiment, _ = trained
    assert [m["kind"] for m in models(server, "?kind=checkpoint")] == ["checkpoint", "checkpoint"]
    assert models(server, "?game=pong") == [] and len(models(server, "?game=breakout")) == 3
    assert len(models(server, "?algorithm=PPO")) == 3 and models(server, "?algorithm=dqn") == []
    assert len(models(server, f"?q={experiment['name'][:4].lower()}")) == 3 and models(server, "?q=zzz") == []
    steps = [m["num_timesteps"] for m in models(server, "?sort=num_timesteps&order=asc")]
    assert steps == sorted(steps) and len(steps) == 3

    for query, field in (("?kind=best", "kind"), ("?sort=fun", "sort"), ("?order=up", "order")):
        error = models(server, query, expect=400)["error"]
        assert error["field"] == field and error["message"]


def test_one_version_its_tags_and_bad_ids(trained) -> None:  # type: ignore[no-untyped-def]
    server, _, _ = trained
    model = models(server)[0]
    assert call(server, "GET", f"/models/{model['id']}")["model"] == model
    tagged = call(server, "PATCH", f"/models/{model['id']}", json={"tags": ["best", " best ", "keep"]})
    assert tagged["model"]["tags"] == ["best", "keep"]
    assert [m["id"] for m in models(server, "?tag=keep")] == [model["id"]]

    assert call(server, "PATCH", f"/models/{model['id']}", 400, json={"tags": "best"})["error"]["field"] == "tags"
    assert call(server, "PATCH", f"/models/{model['id']}", 400, json={"path": "/x"})["error"]["field"] == "path"
    assert call(server, "GET", "/models/0123456789ab", 404)["error"]["code"] == "not_found"
    assert call(server, "GET", "/models/NOT-AN-ID", 400)["error"]["code"] == "invalid_input"


def test_a_restart_lists_the_same_versions_and_drops_files_deleted_meanwhile(trained, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    server, experiment, _ = trained
    before = {m["id"]: m for m in models(server)}
    copy = data_dir.parent / "copy"
    shutil.copytree(data_dir, copy)
    (copy / "server.json").unlink()  # the running server's handle: the copy's server is another one
    # The copy's records point at the original run folder: drop one checkpoint there, in the copy's view.
    oldest = min((m for m in before.values() if m["kind"] == "checkpoint"), key=lambda m: m["num_timesteps"])
    moved = Path(oldest["path"]).with_suffix(".away")
    Path(oldest["path"]).rename(moved)
    # `retro-ml models` with no app running for the copy: it is the main process for a moment.
    printed = retro_ml("models", "--data-dir", str(copy))
    assert printed.count(experiment["name"]) == 2 and oldest["id"] not in printed
    assert "2 model versions" in printed
    restarted = start_server(copy)
    try:
        after = {m["id"]: m for m in models(restarted)}
        assert set(after) == set(before) - {oldest["id"]}
        assert all(after[i] == {**before[i], "tags": after[i]["tags"]} for i in after)
    finally:
        assert restarted.stop() == 0, restarted.log_text()
        moved.rename(oldest["path"])


def test_an_imported_model_is_an_imported_version(trained, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server, _, _ = trained
    checkpoint = max((m for m in models(server) if m["kind"] == "checkpoint"), key=lambda m: m["num_timesteps"])
    (tmp_path / "zoo").mkdir()
    shutil.copyfile(checkpoint["path"], tmp_path / "zoo" / "agent.zip")
    imported = call(
        server, "POST", "/experiments/import", 201, json={"folder": str(tmp_path / "zoo"), "game": "breakout"}
    )
    experiment = imported["imported"][0]
    [version] = models(server, "?kind=imported")
    assert version["experiment_id"] == experiment["id"]
    assert version["num_timesteps"] == checkpoint["num_timesteps"]
    assert Path(version["path"]).parent == Path(experiment["run_dir"])  # the app's copy, not the user's file
    refused = call(server, "DELETE", f"/models/{version['id']}", 409)["error"]
    assert refused["code"] == "confirmation_required"


def retro_ml(*args: str) -> str:
    done = run_cli(*args, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_cli_lists_what_the_running_app_lists(trained, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    server, _, _ = trained
    printed = json.loads(retro_ml("models", "--data-dir", str(data_dir), "--json"))
    assert sorted(printed, key=lambda m: m["id"]) == sorted(models(server), key=lambda m: m["id"])
    only_final = json.loads(retro_ml("models", "--data-dir", str(data_dir), "--json", "--kind", "final"))
    assert [m["kind"] for m in only_final] == ["final"]


def test_deleting_a_checkpoint_frees_its_file_and_a_final_model_needs_a_confirmation(trained) -> None:  # type: ignore[no-untyped-def]
    server, experiment, _ = trained
    listed = models(server, f"?experiment_id={experiment['id']}")
    checkpoint = next(m for m in listed if m["kind"] == "checkpoint")
    deleted = call(server, "DELETE", f"/models/{checkpoint['id']}")["deleted"]
    assert deleted["freed_bytes"] == checkpoint["size_bytes"] and not Path(checkpoint["path"]).exists()
    assert checkpoint["id"] not in {m["id"] for m in models(server)}

    final = next(m for m in listed if m["kind"] == "final")
    refused = call(server, "DELETE", f"/models/{final['id']}", 409)["error"]
    assert refused["code"] == "confirmation_required"
    assert "model.zip" in refused["message"] and experiment["name"] in refused["message"]
    assert Path(final["path"]).is_file()  # nothing went

    call(server, "DELETE", f"/models/{final['id']}?confirm=true")
    assert not Path(final["path"]).exists()
    assert fetch(server, experiment["id"])["artifacts"]["models"] == []
    assert [m["kind"] for m in models(server, f"?experiment_id={experiment['id']}")] == ["checkpoint"]


def test_deleting_the_run_takes_its_versions_along(trained) -> None:  # type: ignore[no-untyped-def]
    server, experiment, _ = trained
    assert models(server, f"?experiment_id={experiment['id']}")
    call(server, "DELETE", f"/experiments/{experiment['id']}")
    assert models(server, f"?experiment_id={experiment['id']}") == []
