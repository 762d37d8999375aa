"""ONNX export of a model version's policy network (training/onnx_export.py), on real tiny PPO and DQN
models trained by the real worker: the file is checked by the export itself (onnxruntime against SB3 on
200 frames of the game), and again here, independently, on frames of another seed; a model that does
not load or that belongs to another game is refused with a clear message."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime
import pytest
from stable_baselines3 import DQN, PPO
from stable_baselines3.common.vec_env import VecTransposeImage

from retro_ml.training.envs import make_training_env
from retro_ml.training.onnx_export import OnnxExportError, export_onnx
from tests.helpers.run_configs import DQN_TINY_CONFIG, PPO_TINY_CONFIG
from tests.helpers.worker_runs import make_run_dir, run_worker_to_end, worker_log

pytestmark = pytest.mark.training

ENV_ID = "ALE/Breakout-v5"
ALGORITHMS = {"PPO": (PPO, PPO_TINY_CONFIG, "action_logits"), "DQN": (DQN, DQN_TINY_CONFIG, "q_values")}


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """model.zip of a finished 1024-step PPO run and a 600-step DQN run (the real worker)."""
    models = {}
    for algorithm, (_cls, config, _output) in ALGORITHMS.items():
        run_dir = make_run_dir(tmp_path_factory.mktemp(algorithm), "breakout", ENV_ID, algorithm.lower(), config)
        assert run_worker_to_end(run_dir) == 0, worker_log(run_dir)
        models[algorithm] = run_dir / "model.zip"
    return models


def own_frames(model: Any, seed: int, steps: int) -> tuple[np.ndarray, list[int]]:
    """Observations as SB3 makes them for the policy and its deterministic action on each."""
    env = VecTransposeImage(make_training_env(ENV_ID, 1, seed, 4))
    obs = env.reset()
    frames, actions = [], []
    for _ in range(steps):
        action, _ = model.predict(obs, deterministic=True)
        frames.append(obs[0].copy())
        actions.append(int(action[0]))
        obs, _, _, _ = env.step(action)
    env.close()
    return np.stack(frames), actions


@pytest.mark.parametrize("algorithm", ["PPO", "DQN"])
def test_the_onnx_file_picks_the_sb3_models_actions(trained: dict[str, Path], tmp_path: Path, algorithm: str) -> None:
    cls, _config, output_name = ALGORITHMS[algorithm]
    stages: list[str] = []
    metadata = export_onnx(
        trained[algorithm],
        algorithm,
        ENV_ID,
        tmp_path,
        game="breakout",
        num_timesteps=1234,
        progress=lambda _fraction, stage: stages.append(stage),
    )

    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md", "metadata.json", "model.onnx"]
    assert json.loads((tmp_path / "metadata.json").read_text(encoding="utf-8")) == metadata
    assert metadata["verification"]["frames_checked"] == 200
    assert metadata["verification"]["actions_agree"] == "200/200"
    assert metadata["verification"]["max_abs_logit_diff"] < 1e-3
    assert metadata["input"] == {
        "name": "obs",
        "shape": ["batch", 4, 84, 84],
        "dtype": "uint8",
        "layout": metadata["input"]["layout"],
    }
    assert metadata["output"]["name"] == output_name
    assert metadata["action_meanings"] == ["NOOP", "FIRE", "RIGHT", "LEFT"]
    assert (metadata["algorithm"], metadata["env_id"], metadata["num_timesteps"]) == (algorithm, ENV_ID, 1234)
    assert stages[-1] == "done"
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert output_name in readme and "200/200" in readme

    # Independently: onnxruntime on frames of another game (seed 7), batch sizes 1 and 50.
    model = cls.load(str(trained[algorithm]), device="cpu")
    frames, actions = own_frames(model, seed=7, steps=50)
    session = onnxruntime.InferenceSession(str(tmp_path / "model.onnx"), providers=["CPUExecutionProvider"])
    assert [o.name for o in session.get_outputs()] == [output_name]
    batched = session.run(None, {"obs": frames})[0]
    assert batched.shape == (50, 4)
    assert batched.argmax(axis=1).tolist() == actions
    one = session.run(None, {"obs": frames[:1]})[0]
    np.testing.assert_allclose(one[0], batched[0], rtol=1e-5, atol=1e-5)


def test_a_damaged_model_file_is_refused_with_what_is_wrong(trained: dict[str, Path], tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(trained["PPO"].read_bytes()[:5000])
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(OnnxExportError, match="could not be loaded as a PPO model"):
        export_onnx(damaged, "PPO", ENV_ID, out)


def test_a_model_of_another_game_is_refused(trained: dict[str, Path], tmp_path: Path) -> None:
    """Breakout has 4 actions, Pong 6: the Breakout model cannot be checked on Pong's frames."""
    with pytest.raises(OnnxExportError, match="trained on another game"):
        export_onnx(trained["PPO"], "PPO", "ALE/Pong-v5", tmp_path)
