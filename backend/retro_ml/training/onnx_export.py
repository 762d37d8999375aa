"""An SB3 model's policy network as ONNX, checked against SB3 on real frames of its game.

The exported graph takes what the policy itself takes: uint8 observations of shape
(batch, frame_stack, 84, 84), channel first (SB3's VecTransposeImage turns the (84, 84, 4)
stack of VecFrameStack into that; the oldest frame first, the newest last), 0..255; the
division by 255 is inside the graph. It returns one number per action:
- PPO: `action_logits`, the categorical distribution's logits (softmax gives the action
  probabilities; argmax is the deterministic action).
- DQN: `q_values`, the Q-network's estimates (argmax is the greedy action).

The check plays `frames` steps of the real game with SB3's deterministic `model.predict`,
runs the ONNX file with onnxruntime on every observation it saw, and requires the ONNX
argmax to equal SB3's action on every one. torch.onnx's exporter in torch >= 2.9 is the
torch.export-based one (`dynamo=True`, needs `onnxscript`); the TorchScript one it replaced
(`dynamo=False`, deprecated) is the fallback when the new one fails.

Runs in the `model-export` subprocess only (it imports torch, SB3 and ale-py).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from stable_baselines3 import DQN, PPO
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.vec_env import VecEnv, VecTransposeImage

ONNX_FILE = "model.onnx"
METADATA_FILE = "metadata.json"
README_FILE = "README.md"
INPUT_NAME = "obs"
OUTPUT_NAMES = {"PPO": "action_logits", "DQN": "q_values"}
OUTPUT_MEANINGS = {
    "PPO": "the logits of the policy's action distribution (softmax: action probabilities; argmax: the action)",
    "DQN": "the Q-values of each action (argmax: the greedy action)",
}
DEFAULT_FRAMES = 200
OPSET = 18
MAX_BATCH = 4096
VERIFY_BATCH = 64

Progress = Callable[[float, str], None]


class OnnxExportError(Exception):
    """A failure with a message for the user (a model that does not load, a check that fails)."""


@dataclass(frozen=True)
class Verification:
    frames_checked: int
    actions_agree: int
    max_abs_logit_diff: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "frames_checked": self.frames_checked,
            "actions_agree": f"{self.actions_agree}/{self.frames_checked}",
            "max_abs_logit_diff": self.max_abs_logit_diff,
        }


class ActorLogits(torch.nn.Module):
    """An ActorCriticPolicy's path from observation to action logits (no value head, no sampling)."""

    def __init__(self, policy: Any) -> None:
        super().__init__()
        self.policy = policy

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        features = self.policy.extract_features(obs, self.policy.pi_features_extractor)
        return self.policy.action_net(self.policy.mlp_extractor.forward_actor(features))


def load_model(path: Path, algorithm: str) -> BaseAlgorithm:
    """The SB3 model on the CPU; a file that is not a loadable model is an OnnxExportError."""
    algorithm = algorithm.upper()
    classes: dict[str, type[BaseAlgorithm]] = {"PPO": PPO, "DQN": DQN}
    if algorithm not in classes:
        raise OnnxExportError(f"ONNX export takes PPO and DQN models, not {algorithm}.")
    try:
        return classes[algorithm].load(str(path), device="cpu")
    except Exception as error:  # noqa: BLE001 - SB3 raises whatever unpickling or torch.load raises
        raise OnnxExportError(
            f"The model file {path.name} could not be loaded as a {algorithm} model ({type(error).__name__}: {error})."
        ) from error


def policy_network(model: BaseAlgorithm, algorithm: str) -> torch.nn.Module:
    """observations (uint8) → one number per action, in eval mode."""
    policy: Any = model.policy
    network: torch.nn.Module = ActorLogits(policy) if algorithm.upper() == "PPO" else policy.q_net
    model.policy.set_training_mode(False)
    return network.eval()


def observation_shape(model: BaseAlgorithm) -> tuple[int, ...]:
    shape = tuple(int(n) for n in (model.observation_space.shape or ()))
    if len(shape) != 3 or shape[1:] != (84, 84):
        raise OnnxExportError(
            f"This model takes observations of shape {shape}, not the (frames, 84, 84) Atari stack "
            "Retro ML Trainer trains with: it cannot be checked on the game's frames."
        )
    return shape


def export_network(network: torch.nn.Module, shape: tuple[int, ...], output_name: str, target: Path) -> str:
    """Write the ONNX file (weights inside, batch size dynamic); returns the exporter used."""
    example = (torch.zeros((1, *shape), dtype=torch.uint8),)
    try:
        batch = torch.export.Dim("batch", min=1, max=MAX_BATCH)
        program = torch.onnx.export(
            network,
            example,
            input_names=[INPUT_NAME],
            output_names=[output_name],
            opset_version=OPSET,
            dynamo=True,
            dynamic_shapes=({0: batch},),
            external_data=False,
            verbose=False,
        )
        if program is None:
            raise RuntimeError("torch.onnx.export returned no program")
        program.save(str(target))
        return "torch.export (dynamo)"
    except Exception as error:  # noqa: BLE001 - any failure of the new exporter: try the old one
        target.unlink(missing_ok=True)
        print(f"the torch.export-based ONNX exporter failed ({type(error).__name__}: {error}); trying TorchScript")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(
            network,
            example,
            str(target),
            input_names=[INPUT_NAME],
            output_names=[output_name],
            opset_version=OPSET,
            dynamo=False,
            dynamic_axes={INPUT_NAME: {0: "batch"}, output_name: {0: "batch"}},
        )
    return "TorchScript"


def play_frames(model: BaseAlgorithm, env_id: str, frames: int, seed: int) -> tuple[np.ndarray, np.ndarray, VecEnv]:
    """`frames` observations of the real game and SB3's deterministic action for each."""
    from retro_ml.training.envs import make_training_env

    frame_stack = observation_shape(model)[0]
    env = VecTransposeImage(make_training_env(env_id, 1, seed, frame_stack))
    if env.action_space != model.action_space:
        env.close()
        raise OnnxExportError(
            f"{env_id} has {env.action_space} but the model acts in {model.action_space}: "
            "the model was trained on another game."
        )
    observations, actions = [], []
    obs: Any = env.reset()
    for _ in range(frames):
        action, _ = model.predict(obs, deterministic=True)
        observations.append(np.asarray(obs[0], dtype=np.uint8).copy())
        actions.append(int(np.asarray(action).reshape(-1)[0]))
        obs, _rewards, _dones, _infos = env.step(np.asarray(action))
    return np.stack(observations), np.asarray(actions, dtype=np.int64), env


def verify(onnx_path: Path, network: torch.nn.Module, frames: np.ndarray, actions: np.ndarray) -> Verification:
    """onnxruntime on every frame: its argmax against SB3's actions, its outputs against torch's."""
    import onnxruntime

    session = onnxruntime.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    onnx_outputs = []
    torch_outputs = []
    for start in range(0, len(frames), VERIFY_BATCH):
        batch = frames[start : start + VERIFY_BATCH]
        onnx_outputs.append(np.asarray(session.run(None, {INPUT_NAME: batch})[0]))
        with torch.no_grad():
            torch_outputs.append(network(torch.as_tensor(batch)).numpy())
    onnx_all, torch_all = np.concatenate(onnx_outputs), np.concatenate(torch_outputs)
    agree = int((onnx_all.argmax(axis=1) == actions).sum())
    return Verification(len(frames), agree, float(np.abs(onnx_all - torch_all).max()))


def action_meanings(env: VecEnv) -> list[str]:
    try:
        return [str(name) for name in env.get_attr("unwrapped")[0].get_action_meanings()]
    except Exception:  # noqa: BLE001 - names are a courtesy; an env without them still exports
        return []


def export_onnx(
    model_path: Path,
    algorithm: str,
    env_id: str,
    out_dir: Path,
    *,
    game: str = "",
    num_timesteps: int | None = None,
    frames: int = DEFAULT_FRAMES,
    seed: int = 0,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """model.onnx, metadata.json and README.md in `out_dir` (which exists); returns the metadata.

    Raises OnnxExportError when the model does not load or the ONNX file does not act like it.
    """
    report = progress or (lambda _fraction, _stage: None)
    algorithm = algorithm.upper()
    report(0.02, "loading the model")
    model = load_model(model_path, algorithm)
    shape = observation_shape(model)
    network = policy_network(model, algorithm)
    output_name = OUTPUT_NAMES[algorithm]
    report(0.1, "exporting the policy network")
    onnx_path = out_dir / ONNX_FILE
    exporter = export_network(network, shape, output_name, onnx_path)
    report(0.5, f"playing {frames} steps of {env_id}")
    observations, actions, env = play_frames(model, env_id, frames, seed)
    try:
        meanings = action_meanings(env)
    finally:
        env.close()
    report(0.85, "checking the ONNX file with onnxruntime")
    check = verify(onnx_path, network, observations, actions)
    if check.actions_agree != check.frames_checked:
        raise OnnxExportError(
            f"The ONNX file picks other actions than the SB3 model on {check.frames_checked - check.actions_agree} "
            f"of {check.frames_checked} frames (largest output difference {check.max_abs_logit_diff:.3g}): "
            "it was not kept."
        )
    steps = num_timesteps if num_timesteps is not None else int(model.num_timesteps)
    metadata: dict[str, Any] = {
        "format": "onnx",
        "file": ONNX_FILE,
        "game": game,
        "env_id": env_id,
        "algorithm": algorithm,
        "num_timesteps": steps,
        "input": {
            "name": INPUT_NAME,
            "shape": ["batch", *shape],
            "dtype": "uint8",
            "layout": "channel first: the last frame_stack 84x84 grey frames, oldest first, values 0..255",
        },
        "output": {
            "name": output_name,
            "shape": ["batch", len(meanings) or None],
            "meaning": OUTPUT_MEANINGS[algorithm],
        },
        "action_meanings": meanings,
        "opset": OPSET,
        "exporter": exporter,
        "torch_version": torch.__version__,
        "verification": check.to_dict(),
    }
    (out_dir / METADATA_FILE).write_text(json.dumps(metadata, indent=2), encoding="utf-8")
    (out_dir / README_FILE).write_text(readme(metadata), encoding="utf-8")
    report(1.0, "done")
    return metadata


def readme(metadata: dict[str, Any]) -> str:
    inputs, output, check = metadata["input"], metadata["output"], metadata["verification"]
    actions = ", ".join(f"{i} {name}" for i, name in enumerate(metadata["action_meanings"])) or "(not named)"
    frames = inputs["shape"][1]
    return f"""# {metadata["algorithm"]} agent for {metadata["env_id"]} as ONNX

The policy network of a {metadata["algorithm"]} model trained with Retro ML Trainer for
{metadata["num_timesteps"]:,} steps on {metadata["game"] or metadata["env_id"]}.

- Input `{inputs["name"]}`: uint8, shape (batch, {frames}, 84, 84): {inputs["layout"]}, as SB3's
  Atari wrappers make them (`make_atari_env` + `VecFrameStack(n_stack={frames})` + `VecTransposeImage`;
  ALE v5 envs made with `frameskip=1`, the wrapper skips 4). The division by 255 is inside the graph.
- Output `{output["name"]}`: float32, shape (batch, actions): {output["meaning"]}.
- Actions: {actions}.

Checked when exported: onnxruntime picked the same action as SB3's `model.predict(deterministic=True)`
on {check["actions_agree"]} frames of the real game (largest output difference {check["max_abs_logit_diff"]:.3g}).

```python
import numpy as np
import onnxruntime

session = onnxruntime.InferenceSession("{metadata["file"]}")
obs = np.zeros((1, {frames}, 84, 84), dtype=np.uint8)  # your stacked frames
action = int(session.run(None, {{"{inputs["name"]}": obs}})[0].argmax(axis=1)[0])
```
"""
