"""Existing runs on disk (RL Zoo layout, bare SB3 zips) become experiments that can be continued."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers.api_client import call
from tests.helpers.server import LiveServer
from tests.helpers.socket_events import RecordingClient


@pytest.fixture(scope="module")
def zoo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`logs/ppo/BreakoutNoFrameskip-v4_1/` as RL Zoo leaves it (a real PPO), and an A2C zip beside it."""
    import ale_py
    import gymnasium
    from stable_baselines3 import A2C, PPO
    from stable_baselines3.common.env_util import make_atari_env
    from stable_baselines3.common.vec_env import VecFrameStack

    gymnasium.register_envs(ale_py)
    root = tmp_path_factory.mktemp("old-runs")
    run = root / "logs" / "ppo" / "BreakoutNoFrameskip-v4_1"
    (run / "BreakoutNoFrameskip-v4").mkdir(parents=True)
    (run / "BreakoutNoFrameskip-v4" / "config.yml").write_text("!!python/object/apply:collections.OrderedDict\n- []\n")
    env = VecFrameStack(make_atari_env("ALE/Breakout-v5", n_envs=1, env_kwargs={"frameskip": 1}), n_stack=4)
    model = PPO("CnnPolicy", env, n_steps=16, batch_size=16, n_epochs=1, device="cpu")
    model.learn(32)
    model.save(run / "BreakoutNoFrameskip-v4.zip")
    A2C("CnnPolicy", env, device="cpu").save(root / "a2c-PongNoFrameskip-v4.zip")
    env.close()
    return root


@pytest.mark.training
def test_import_then_continue(live_server: LiveServer, socket_client: RecordingClient, zoo_folder: Path) -> None:
    outcome = call(live_server, "POST", "/experiments/import", 201, json={"folder": str(zoo_folder)})
    [imported] = outcome["imported"]
    assert imported["game"] == "breakout" and imported["algorithm"] == "ppo"
    assert imported["metadata"]["status"] == "completed" and "imported" in imported["metadata"]["tags"]
    assert imported["progress"]["timestep"] == 32
    model = Path(imported["artifacts"]["models"][0]["path"])
    assert model.parent == Path(imported["run_dir"]) and model.is_file()  # a copy the experiment owns
    assert [s["reason"] for s in outcome["skipped"]] == ["only PPO and DQN models can be imported (this one is a2c)"]

    again = call(live_server, "POST", "/experiments/import", 201, json={"folder": str(zoo_folder)})
    assert again["imported"] == [] and "already imported" in [s["reason"] for s in again["skipped"]]

    child = call(
        live_server, "POST", f"/experiments/{imported['id']}/continue", 201, json={"additional_timesteps": 1024}
    )["experiment"]
    socket_client.wait_for("training.complete", lambda d: d["experiment_id"] == child["id"], 240)
    from stable_baselines3 import PPO

    assert PPO.load(Path(child["run_dir"]) / "model.zip", device="cpu").num_timesteps >= 32 + 1024


def test_import_refuses_what_is_not_a_folder(live_server: LiveServer, tmp_path: Path) -> None:
    missing = call(live_server, "POST", "/experiments/import", 400, json={"folder": str(tmp_path / "nope")})
    assert "is not a folder" in missing["error"]["message"]
    assert call(live_server, "POST", "/experiments/import", 400, json={})["error"]["field"] == "folder"
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = call(live_server, "POST", "/experiments/import", 422, json={"folder": str(empty)})["error"]
    assert nothing["code"] == "nothing_to_import" and nothing["field"] == "folder"
    shutil.rmtree(empty)
