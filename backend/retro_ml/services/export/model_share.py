"""`model.share`: an experiment's final model as a Hugging Face model repository folder (or zip).

The layout is the one huggingface_sb3's `package_to_hub` and RL Zoo's `push_to_hub` upload:

    <algo>-<EnvName>/                e.g. ppo-ALE-Breakout-v5 (env id with "/" → "-", as ModelName)
      <algo>-<EnvName>.zip           the SB3 model (PPO.load / DQN.load), a copy of the run's model.zip
      config.json                    the run's resolved config (the run folder's config.json)
      config.yml                     its hyperparameters as YAML (the Zoo keeps hyperparameters there)
      replay.mp4                     the evaluation video, else the newest milestone clip (if any)
      results.json                   mean_reward, std_reward, is_deterministic, n_eval_episodes, eval_datetime
      README.md                      the model card, with the YAML front matter huggingface_sb3 writes

Differences, on purpose: huggingface_sb3's config.json is the model zip's `data` plus system
info; ours is the config that reproduces the run. Nothing is evaluated again here (the server
never imports torch): the numbers come from the run's evaluation games (`eval_episodes`, played
deterministically by the worker); without them, from the last training episodes, and the card
says so. Uploading is left to the user (`huggingface-cli upload`), so no token is ever needed.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

from retro_ml.run_contract import CONFIG_FILE, MODEL_FILE
from retro_ml.services.export.base import (
    ON_CONFLICT,
    ByteProgress,
    Cancelled,
    ExportCancelled,
    Exporter,
    ExportRequest,
    Option,
    OutputSet,
    Progress,
    copy_file,
)
from retro_ml.services.export.describe import game_name, trained_steps
from retro_ml.services.videos.file_names import temp_path_for
from retro_ml.store.entities import Experiment, VideoArtifact

TRAINING_EPISODES = 100  # the worker's mean_reward covers the last 100 training episodes
_STORED = (".zip", ".mp4")  # already compressed: stored as is in the zip


def model_name(experiment: Experiment) -> str:
    """huggingface_sb3's ModelName: `<algo>-<env id with / as ->`."""
    return f"{experiment.algorithm}-{experiment.env_id.replace('/', '-')}"


def shared_file(request: ExportRequest) -> Path:
    """The model version asked for, else the run's final model."""
    assert request.experiment is not None
    return request.model.path if request.model is not None else model_file(request.experiment)


def shared_steps(request: ExportRequest) -> int:
    assert request.experiment is not None
    return request.model.num_timesteps if request.model is not None else trained_steps(request.experiment)


def model_file(experiment: Experiment) -> Path:
    for model in experiment.artifacts.models:
        if model.get("kind") == "final" and model.get("path") and Path(model["path"]).is_file():
            return Path(model["path"])
    return Path(experiment.run_dir) / MODEL_FILE


def replay_video(videos: tuple[VideoArtifact, ...]) -> VideoArtifact | None:
    """The evaluation video if there is one, else the newest milestone clip."""
    present = [v for v in videos if Path(v.path).is_file()]
    evaluations = [v for v in present if v.type == "evaluation"]
    if evaluations:
        return max(evaluations, key=lambda v: v.metadata.created)
    milestones = [v for v in present if v.type == "milestone"]
    return max(milestones, key=lambda v: (v.metadata.timestep, v.metadata.created)) if milestones else None


def evaluation_results(experiment: Experiment, videos: tuple[VideoArtifact, ...]) -> dict[str, Any]:
    """results.json as huggingface_sb3 writes it, plus `source` saying where the numbers come from."""
    evaluations = [v for v in videos if v.type == "evaluation" and v.metrics.scores]
    if evaluations:
        latest = max(evaluations, key=lambda v: v.metadata.created)
        scores = latest.metrics.scores
        mean = sum(scores) / len(scores)
        std = math.sqrt(sum((s - mean) ** 2 for s in scores) / len(scores))  # as numpy's np.std
        return {
            "mean_reward": mean,
            "std_reward": std,
            "is_deterministic": True,
            "n_eval_episodes": len(scores),
            "eval_datetime": latest.metadata.created,
            "source": "evaluation",
        }
    metrics = experiment.final_metrics or experiment.progress.metrics or {}
    mean_reward = metrics.get("mean_reward")
    return {
        "mean_reward": float(mean_reward) if mean_reward is not None else None,
        "std_reward": None,
        "is_deterministic": False,
        "n_eval_episodes": min(TRAINING_EPISODES, int(metrics.get("episodes") or 0)),
        "eval_datetime": experiment.metadata.finished or experiment.metadata.updated,
        "source": "training",
    }


def card_metadata(experiment: Experiment, results: dict[str, Any]) -> dict[str, Any]:
    """huggingface_sb3's `generate_metadata`: library, tags and a model-index with mean_reward."""
    mean, std = results["mean_reward"], results["std_reward"]
    if mean is None:
        value = "unknown"
    elif std is None:
        value = f"{mean:.2f}"
    else:
        value = f"{mean:.2f} +/- {std:.2f}"
    env_id = experiment.env_id
    return {
        "library_name": "stable-baselines3",
        "tags": [env_id, "deep-reinforcement-learning", "reinforcement-learning", "stable-baselines3"],
        "model-index": [
            {
                "name": experiment.algorithm.upper(),
                "results": [
                    {
                        "task": {"type": "reinforcement-learning", "name": "reinforcement-learning"},
                        "dataset": {"name": env_id, "type": env_id},
                        "metrics": [{"type": "mean_reward", "value": value, "name": "mean_reward", "verified": False}],
                    }
                ],
            }
        ],
    }


def model_card(
    experiment: Experiment, results: dict[str, Any], replay: VideoArtifact | None, steps: int | None = None
) -> str:
    algo, env_id, name = experiment.algorithm.upper(), experiment.env_id, model_name(experiment)
    frame_stack = int(experiment.config.get("frame_stack", 4))
    if results["source"] == "evaluation":
        evaluated = (
            f"Mean reward over {results['n_eval_episodes']} evaluation games (deterministic actions): "
            f"{results['mean_reward']:.2f} ± {results['std_reward']:.2f}."
        )
    elif results["source"] == "none":
        evaluated = "This model version has not been evaluated yet (Models tab → Evaluate), so it has no score."
    elif results["mean_reward"] is not None:
        evaluated = (
            f"Mean reward of the last {results['n_eval_episodes']} training episodes: {results['mean_reward']:.2f} "
            "(no evaluation games were played; training episodes explore, so this underestimates the agent)."
        )
    else:
        evaluated = "No episode finished during training, so there is no mean reward yet."
    replay_line = (
        f"`replay.mp4`: {'an evaluation game' if replay.type == 'evaluation' else 'the newest milestone clip'}."
        if replay is not None
        else "No video was recorded for this run."
    )
    hyperparameters = "\n".join(f"{key}: {_yaml_scalar(value)}" for key, value in experiment.config.items())
    return f"""---
{yaml_dump(card_metadata(experiment, results))}---

# **{algo}** Agent playing **{env_id}**

This is a trained model of a **{algo}** agent playing **{env_id}** ({game_name(experiment)}) using the
[stable-baselines3 library](https://github.com/DLR-RM/stable-baselines3), trained with Retro ML Trainer
for {steps if steps is not None else trained_steps(experiment):,} steps.

{evaluated}

{replay_line}

## Usage (with Stable-baselines3)

The agent sees 84×84 grey frames, {frame_stack} stacked, through SB3's Atari wrappers; ALE v5 envs
already skip 4 frames, so they are made with `frameskip=1` (the wrappers skip 4):

```python
import ale_py
import gymnasium as gym
from stable_baselines3 import {algo}
from stable_baselines3.common.env_util import make_atari_env
from stable_baselines3.common.vec_env import VecFrameStack

gym.register_envs(ale_py)
env = VecFrameStack(make_atari_env("{env_id}", n_envs=1, env_kwargs={{"frameskip": 1}}), n_stack={frame_stack})
model = {algo}.load("{name}.zip", env=env)
obs = env.reset()
for _ in range(10_000):
    action, _states = model.predict(obs, deterministic=True)
    obs, rewards, dones, infos = env.step(action)
```

To upload this folder: `huggingface-cli upload <your-name>/{name} .`

## Hyperparameters

```yaml
{hyperparameters}
```
"""


def yaml_dump(value: dict[str, Any]) -> str:
    """Block-style YAML as PyYAML writes it (lists at their key's indent); plain data only."""
    return "\n".join(_yaml_lines(value, 0)) + "\n"


def _yaml_lines(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict) and item:
                lines += [f"{pad}{_yaml_scalar(str(key))}:", *_yaml_lines(item, indent + 2)]
            elif isinstance(item, list) and item:
                lines += [f"{pad}{_yaml_scalar(str(key))}:", *_yaml_lines(item, indent)]
            else:
                lines.append(f"{pad}{_yaml_scalar(str(key))}: {_yaml_scalar(item)}")
        return lines
    for item in value:
        if isinstance(item, dict | list) and item:
            nested = _yaml_lines(item, indent + 2)
            lines += [f"{pad}- {nested[0][indent + 2 :]}", *nested[1:]]
        else:
            lines.append(f"{pad}- {_yaml_scalar(item)}")
    return lines


_PLAIN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_ ./+-]*(?<! )$")
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"})
_LOOKS_TYPED = re.compile(r"^(0[xob]|\d{4}-\d\d-\d\d|[-+]?\.?(inf|nan)$)", re.IGNORECASE)


def _yaml_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return (
            repr(value)
            if math.isfinite(value)
            else (".nan" if math.isnan(value) else f"{'-' if value < 0 else ''}.inf")
        )
    if isinstance(value, dict | list):
        return json.dumps(value) if value else ("{}" if isinstance(value, dict) else "[]")
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _YAML_WORDS and not _LOOKS_TYPED.match(text) and not _numeric(text):
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


class ModelShareExporter(Exporter):
    id = "model.share"
    label = "Share the model (Hugging Face)"
    description = (
        "The experiment's final model in the Hugging Face / RL Zoo layout: the SB3 zip, its config, a replay "
        "video, results and a model card, ready for `huggingface-cli upload`."
    )
    target = "experiment"
    options = (Option("zip", "As one zip file", "Put the folder in one .zip file.", False), ON_CONFLICT)

    def accepts(self, request: ExportRequest) -> str | None:
        assert request.experiment is not None
        if not shared_file(request).is_file():
            return (
                f"'{request.experiment.name}' has no final model yet: share it once training has completed "
                "or been stopped."
            )
        return None

    def bytes_needed(self, request: ExportRequest) -> int:
        assert request.experiment is not None
        replay = replay_video(request.videos)
        size = shared_file(request).stat().st_size + (Path(replay.path).stat().st_size if replay else 0)
        return size * (2 if request.options.get("zip") else 1)  # the zip is made from a folder beside it

    def outputs(self, request: ExportRequest) -> tuple[str, tuple[str, ...]]:
        assert request.experiment is not None
        return model_name(request.experiment), ((".zip",) if request.options.get("zip") else ("",))

    def run(self, request: ExportRequest, progress: Progress, cancelled: Cancelled) -> list[Path]:
        experiment = request.experiment
        assert experiment is not None
        stem, suffixes = self.outputs(request)
        as_zip = suffixes == (".zip",)
        out = OutputSet(request.destination, stem, suffixes, request.on_conflict)
        folder = temp_path_for(request.destination / stem) if as_zip else out.temp("")
        try:
            folder.mkdir()
            model, replay = shared_file(request), replay_video(request.videos)
            sizes = model.stat().st_size + (Path(replay.path).stat().st_size if replay else 0)
            counter = ByteProgress(sizes * (2 if as_zip else 1), lambda f: progress(f * 0.99))
            copy_file(model, folder / f"{stem}.zip", cancelled, counter.add)
            if replay is not None:
                copy_file(Path(replay.path), folder / "replay.mp4", cancelled, counter.add)
            self._write_texts(folder, request, replay)
            if as_zip:
                _zip_folder(folder, out.temp(".zip"), stem, cancelled, counter.add)
            published = out.publish()
            progress(1.0)
            return published
        finally:
            out.discard()
            if as_zip:
                shutil.rmtree(folder, ignore_errors=True)

    @staticmethod
    def _write_texts(folder: Path, request: ExportRequest, replay: VideoArtifact | None) -> None:
        experiment = request.experiment
        assert experiment is not None
        given = request.model.results if request.model is not None else None
        results = given if given is not None else evaluation_results(experiment, request.videos)
        steps = shared_steps(request)
        run_config = _run_config(experiment)
        (folder / "config.json").write_text(json.dumps(run_config, indent=2), encoding="utf-8")
        config_yml = {
            "env_id": experiment.env_id,
            "algorithm": experiment.algorithm,
            "n_timesteps": steps,
            "policy": "CnnPolicy",
            **experiment.config,
        }
        (folder / "config.yml").write_text(yaml_dump(config_yml), encoding="utf-8")
        (folder / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
        (folder / "README.md").write_text(model_card(experiment, results, replay, steps), encoding="utf-8")


def _run_config(experiment: Experiment) -> dict[str, Any]:
    """The run folder's config.json (what the worker ran with), else the same rebuilt from the record."""
    try:
        loaded = json.loads((Path(experiment.run_dir) / CONFIG_FILE).read_text(encoding="utf-8"))
        if isinstance(loaded, dict):
            return loaded
    except (OSError, ValueError):
        pass
    return {
        "experiment_id": experiment.id,
        "game": experiment.game,
        "env_id": experiment.env_id,
        "algorithm": experiment.algorithm,
        "config": experiment.config,
    }


def _zip_folder(folder: Path, target: Path, inner: str, cancelled: Cancelled, on_bytes: Any) -> None:
    with zipfile.ZipFile(target, "x") as archive:
        for path in sorted(folder.iterdir()):
            method = zipfile.ZIP_STORED if path.suffix in _STORED else zipfile.ZIP_DEFLATED
            info = zipfile.ZipInfo.from_file(path, f"{inner}/{path.name}")
            info.compress_type = method
            with path.open("rb") as reader, archive.open(info, "w", force_zip64=True) as writer:
                while chunk := reader.read(1 << 20):
                    if cancelled():
                        raise ExportCancelled()
                    writer.write(chunk)
                    if path.suffix in _STORED:
                        on_bytes(len(chunk))
