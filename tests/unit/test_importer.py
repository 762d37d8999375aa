"""Finding importable models: real SB3 zips (saved here by SB3) laid out as users and RL Zoo leave them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from retro_ml.errors import AppError
from retro_ml.services.importing.discovery import (
    ImportCandidate,
    ScanLimits,
    ScanReport,
    find_import_candidates,
    game_for_env_id,
    parse_env_id,
    read_model_info,
    scan_for_models,
)


@pytest.fixture(scope="module")
def real_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A PPO that trained 32 steps and an untrained DQN, saved by SB3, plus a real Monitor CSV."""
    import ale_py
    import gymnasium
    from stable_baselines3 import DQN, PPO
    from stable_baselines3.common.env_util import make_atari_env

    gymnasium.register_envs(ale_py)
    folder = tmp_path_factory.mktemp("models")
    env = make_atari_env("ALE/Pong-v5", n_envs=1, env_kwargs={"frameskip": 1}, monitor_dir=str(folder / "monitor"))
    ppo = PPO("CnnPolicy", env, n_steps=16, batch_size=16, n_epochs=1, device="cpu")
    ppo.learn(32)
    ppo.save(folder / "ppo.zip")
    DQN("CnnPolicy", env, buffer_size=64, learning_starts=0, device="cpu").save(folder / "dqn.zip")
    env.close()
    return {"ppo": folder / "ppo.zip", "dqn": folder / "dqn.zip", "monitor": folder / "monitor" / "0.monitor.csv"}


def put(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def test_real_sb3_zips_tell_their_algorithm_and_steps(real_models: dict[str, Path]) -> None:
    with zipfile.ZipFile(real_models["ppo"]) as archive:
        data = json.loads(archive.read("data"))
    assert data["num_timesteps"] == 32 and "policy_class" in data  # the keys the importer relies on
    ppo, dqn = read_model_info(real_models["ppo"]), read_model_info(real_models["dqn"])
    assert ppo is not None and (ppo.algorithm, ppo.num_timesteps) == ("ppo", 32)
    assert dqn is not None and (dqn.algorithm, dqn.num_timesteps) == ("dqn", 0)


@pytest.mark.parametrize(
    ("text", "env_id", "game_id"),
    [
        ("BreakoutNoFrameskip-v4", "BreakoutNoFrameskip-v4", "breakout"),
        ("ppo-SpaceInvadersNoFrameskip-v4", "SpaceInvadersNoFrameskip-v4", "space_invaders"),
        ("ALE/Breakout-v5", "ALE/Breakout-v5", "breakout"),
        ("ALE-MsPacman-v5", "ALE/MsPacman-v5", "ms_pacman"),
        ("PongDeterministic-v4", "PongDeterministic-v4", "pong"),
        ("Pong-ramNoFrameskip-v4", "Pong-ramNoFrameskip-v4", None),  # RAM observations: not our pixel envs
        ("CartPole-v1", "CartPole-v1", None),
        ("final_model", None, None),
    ],
)
def test_env_ids_map_to_our_games(text: str, env_id: str | None, game_id: str | None) -> None:
    assert parse_env_id(text) == env_id
    assert game_for_env_id(env_id) == game_id


def test_finds_bare_zips_zoo_runs_and_our_runs(real_models: dict[str, Path], tmp_path: Path) -> None:
    ppo, dqn = real_models["ppo"], real_models["dqn"]
    hub = put(ppo, tmp_path / "downloads" / "ppo-BreakoutNoFrameskip-v4.zip")
    anonymous = put(dqn, tmp_path / "misc" / "agent.zip")
    # RL Zoo, finished: final model, best model, checkpoints, params folder, monitor file.
    zoo = tmp_path / "logs" / "dqn" / "SpaceInvadersNoFrameskip-v4_1"
    zoo_final = put(dqn, zoo / "SpaceInvadersNoFrameskip-v4.zip")
    put(dqn, zoo / "best_model.zip")
    put(dqn, zoo / "rl_model_10000_steps.zip")
    (zoo / "SpaceInvadersNoFrameskip-v4").mkdir()
    (zoo / "SpaceInvadersNoFrameskip-v4" / "config.yml").write_text("!!python/object/apply:collections.OrderedDict\n")
    # RL Zoo with an ALE v5 env (slashes become dashes in names) and the real Monitor CSV.
    zoo_v5 = tmp_path / "logs" / "ppo" / "ALE-Pong-v5_2"
    zoo_v5_final = put(ppo, zoo_v5 / "ALE-Pong-v5.zip")
    put(real_models["monitor"], zoo_v5 / "0.monitor.csv")
    # RL Zoo run stopped early: only checkpoints; the newest one stands for the run.
    early = tmp_path / "logs" / "qrdqn" / "PongNoFrameskip-v4_3"
    (early / "PongNoFrameskip-v4").mkdir(parents=True)
    put(dqn, early / "rl_model_500_steps.zip")
    newest = put(dqn, early / "rl_model_2000_steps.zip")
    # A Retro ML Trainer run folder from another data dir.
    ours = tmp_path / "old-data" / "runs" / "abcdef123456"
    ours_model = put(ppo, ours / "model.zip")
    (ours / "config.json").write_text(json.dumps({"env_id": "ALE/Pong-v5", "algorithm": "ppo", "game": "pong"}))
    # Not models: skipped quietly.
    (tmp_path / "misc" / "photos.zip").write_bytes(zipfile_with(tmp_path, {"a.jpg": b"x"}))
    (tmp_path / "misc" / "broken.zip").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "misc" / "half.zip").write_bytes(zipfile_with(tmp_path, {"data": b"{}"}))
    put(ppo, tmp_path / ".cache" / "hidden.zip")

    found = find_import_candidates(tmp_path)

    assert found == [
        ImportCandidate(hub, "ppo", "BreakoutNoFrameskip-v4", "breakout", 32, "sb3-zip"),
        ImportCandidate(zoo_final, "dqn", "SpaceInvadersNoFrameskip-v4", "space_invaders", 0, "rl-zoo"),
        ImportCandidate(zoo_v5_final, "ppo", "ALE/Pong-v5", "pong", 32, "rl-zoo"),
        ImportCandidate(newest, "qrdqn", "PongNoFrameskip-v4", "pong", 0, "rl-zoo"),
        ImportCandidate(anonymous, "dqn", None, None, 0, "sb3-zip"),
        ImportCandidate(ours_model, "ppo", "ALE/Pong-v5", "pong", 32, "sb3-zip"),
    ]


def zipfile_with(tmp_path: Path, entries: dict[str, bytes]) -> bytes:
    path = tmp_path / "scratch.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    data = path.read_bytes()
    path.unlink()
    return data


def test_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AppError, match="is not a folder"):
        find_import_candidates(tmp_path / "nope")


def test_scanning_never_loads_torch_or_sb3(real_models: dict[str, Path]) -> None:
    code = (
        "import sys; from pathlib import Path; from retro_ml.services.importing import find_import_candidates; "
        f"found = find_import_candidates(Path({str(real_models['ppo'].parent)!r})); "
        "assert [c.algorithm for c in found] == ['dqn', 'ppo'], found; "
        "heavy = [m for m in ('torch', 'stable_baselines3', 'gymnasium', 'ale_py') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_search_stops_at_its_time_limit_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    discovery = scan_for_models(tmp_path, ScanLimits(seconds=-1))  # already past its deadline
    assert discovery.candidates == []
    assert discovery.scan == ScanReport(folders=0, files=0, stopped="the search stops after -1 seconds")
    assert "stops after -1 seconds). Pick the folder" in discovery.scan.nothing_found_message(tmp_path)
