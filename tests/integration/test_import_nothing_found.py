"""Importing from a folder with no models says what it looked for (a 422, not an empty 201), and the
search through a huge tree stops at its limit and says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from retro_ml.services.importing.discovery import MAX_FOLDERS
from tests.helpers.api_client import call
from tests.helpers.server import LiveServer
from tests.helpers.socket_events import RecordingClient

LOOKED_FOR = "No SB3 model zips or RL Zoo `logs/<algo>/<env>_<n>/` runs in"


@pytest.fixture(scope="module")
def real_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A PPO saved by SB3 (untrained: discovery reads its `data`, never its weights), named as the Hub names them."""
    from stable_baselines3 import PPO

    path = tmp_path_factory.mktemp("model") / "ppo-BreakoutNoFrameskip-v4.zip"
    PPO("MlpPolicy", "CartPole-v1", n_steps=16, batch_size=16, device="cpu").save(path)
    return path


def huge_tree(root: Path) -> Path:
    """More folders than the search walks, all within its depth: 150 × 140 = 21,000."""
    for outer in range(150):
        for inner in range(140):
            (root / f"d{outer:03}" / f"e{inner:03}").mkdir(parents=True)
    return root


def test_a_folder_without_models_is_a_422_that_says_what_was_looked_for(live_server: LiveServer) -> None:
    error = call(live_server, "POST", "/experiments/import", 422, json={"folder": "/etc"})["error"]
    assert error["code"] == "nothing_to_import" and error["field"] == "folder"
    assert error["message"].startswith(f"{LOOKED_FOR} /etc (looked through ")
    assert "Pick the folder that holds your `.zip` models." in error["message"]
    assert call(live_server, "GET", "/experiments")["experiments"] == []


def test_a_huge_tree_is_searched_up_to_a_limit_that_the_answer_states(
    live_server: LiveServer, socket_client: RecordingClient, tmp_path: Path, real_model: Path
) -> None:
    tree = huge_tree(tmp_path / "disk")
    error = call(live_server, "POST", "/experiments/import", 422, json={"folder": str(tree)})["error"]
    # The search said how far it was while it walked, then that it was done.
    progress = [event for event in socket_client.of("import.progress") if event["folder"] == str(tree)]
    if not progress or not progress[-1]["done"]:
        progress.append(socket_client.wait_for("import.progress", lambda e: e["done"], 10))
    last = {name: value for name, value in progress[-1].items() if name != "seq"}
    assert last == {"folder": str(tree), "folders": MAX_FOLDERS, "files": 0, "found": 0, "done": True}
    folders = [event["folders"] for event in progress]
    assert folders == sorted(folders) and all(not event["done"] for event in progress[:-1])
    assert f"looked through {MAX_FOLDERS:,} folders" in error["message"]
    assert f"the search stops after {MAX_FOLDERS:,} folders" in error["message"]
    assert "rather than a whole disk" in error["message"]

    # A model early in the walk is imported; the answer says the search did not see everything.
    (tree / "d000" / real_model.name).write_bytes(real_model.read_bytes())
    outcome = call(live_server, "POST", "/experiments/import", 201, json={"folder": str(tree)})
    assert [e["game"] for e in outcome["imported"]] == ["breakout"]
    assert outcome["scan"] == {
        "folders": MAX_FOLDERS,
        "files": 1,
        "complete": False,
        "stopped": f"the search stops after {MAX_FOLDERS:,} folders",
    }


def test_a_folder_name_too_long_for_the_file_system_is_a_400(live_server: LiveServer) -> None:
    folder = "/tmp/" + "x" * 300
    error = call(live_server, "POST", "/experiments/import", 400, json={"folder": folder})["error"]
    assert error["code"] == "not_a_folder" and "File name too long" in error["message"]
