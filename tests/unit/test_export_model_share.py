"""`model.share`: a real SB3 model (a tiny PPO on CartPole) exported in the Hugging Face layout."""

from __future__ import annotations

import json
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import yaml

from retro_ml.errors import Conflict
from retro_ml.services.export import ExportJob, ExportService
from retro_ml.store.entities import Experiment
from tests.helpers.exports import World, make_world


@pytest.fixture(scope="module")
def sb3_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from stable_baselines3 import PPO

    model = PPO("MlpPolicy", "CartPole-v1", n_steps=64, batch_size=64, n_epochs=1, policy_kwargs={"net_arch": [8]})
    model.learn(64)
    path = tmp_path_factory.mktemp("model") / "model.zip"
    model.save(path)
    return path


@pytest.fixture
def world(tmp_path: Path, sb3_model: Path) -> World:
    world = make_world(tmp_path, name="Breakout #7", game="breakout", env_id="ALE/Breakout-v5")
    run_dir = Path(world.experiment.run_dir)
    run_dir.mkdir(parents=True)
    (run_dir / "model.zip").write_bytes(sb3_model.read_bytes())
    resolved = {"experiment_id": world.experiment.id, "env_id": "ALE/Breakout-v5", "config": {"n_envs": 8}}
    (run_dir / "config.json").write_text(json.dumps(resolved))

    def finish(e: Experiment) -> None:
        e.metadata.status = "completed"
        e.progress.timestep = 10_000_000
        e.config = {"total_timesteps": 10_000_000, "n_envs": 8, "frame_stack": 4, "learning_rate": 0.00025}
        e.artifacts.models = [{"kind": "final", "path": str(run_dir / "model.zip"), "size_bytes": 1}]

    world.experiment = world.store.update(world.experiment.id, finish)
    return world


@pytest.fixture
def service(world: World) -> Iterator[ExportService]:
    exports = ExportService(world.registry, world.library, world.store, world.bus)
    yield exports
    exports.shutdown()


def wait(job: ExportJob) -> ExportJob:
    deadline = time.monotonic() + 60
    while not job.is_finished:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert job.status == "completed", job.error
    return job


def front_matter(readme: str) -> dict[str, object]:
    assert readme.startswith("---\n")
    return yaml.safe_load(readme.split("---\n")[1])


def test_the_folder_has_the_hugging_face_layout(world: World, service: ExportService, tmp_path: Path) -> None:
    world.add_video("milestone_100", milestone_pct=100.0, timestep=10_000_000)
    evaluation = world.add_video(
        "evaluation", video_type="evaluation", milestone_pct=None, scores=[12.0, 18.0, 30.0], episode_count=3
    )
    job = wait(
        service.export_experiment(world.experiment.id, {"exporter": "model.share", "destination": str(tmp_path)})
    )
    [folder] = map(Path, job.output_paths)
    assert folder.name == "ppo-ALE-Breakout-v5" and job.experiment_id == world.experiment.id
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md",
        "config.json",
        "config.yml",
        "ppo-ALE-Breakout-v5.zip",
        "replay.mp4",
        "results.json",
    ]
    from stable_baselines3 import PPO

    loaded = PPO.load(folder / "ppo-ALE-Breakout-v5.zip")  # the real SB3 zip
    assert loaded.n_steps == 64
    assert (folder / "replay.mp4").read_bytes() == Path(evaluation.path).read_bytes()  # evaluation beats milestones

    results = json.loads((folder / "results.json").read_text())
    assert results["mean_reward"] == pytest.approx(20.0)
    assert results["std_reward"] == pytest.approx(float(np.std([12.0, 18.0, 30.0])))
    assert results["n_eval_episodes"] == 3 and results["is_deterministic"] is True
    assert results["eval_datetime"] == evaluation.metadata.created and results["source"] == "evaluation"
    assert json.loads((folder / "config.json").read_text())["config"] == {"n_envs": 8}
    config_yml = yaml.safe_load((folder / "config.yml").read_text())
    assert config_yml["env_id"] == "ALE/Breakout-v5" and config_yml["learning_rate"] == 0.00025
    assert config_yml["n_timesteps"] == 10_000_000

    readme = (folder / "README.md").read_text()
    assert front_matter(readme) == {
        "library_name": "stable-baselines3",
        "tags": ["ALE/Breakout-v5", "deep-reinforcement-learning", "reinforcement-learning", "stable-baselines3"],
        "model-index": [
            {
                "name": "PPO",
                "results": [
                    {
                        "task": {"type": "reinforcement-learning", "name": "reinforcement-learning"},
                        "dataset": {"name": "ALE/Breakout-v5", "type": "ALE/Breakout-v5"},
                        "metrics": [
                            {"type": "mean_reward", "value": "20.00 +/- 7.48", "name": "mean_reward", "verified": False}
                        ],
                    }
                ],
            }
        ],
    }
    assert "# **PPO** Agent playing **ALE/Breakout-v5**" in readme and 'PPO.load("ppo-ALE-Breakout-v5.zip"' in readme
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # nothing temporary left


def test_zip_option_and_no_evaluation(world: World, service: ExportService, tmp_path: Path) -> None:
    clip = world.add_video("milestone_100", milestone_pct=100.0, timestep=10_000_000)
    world.add_video("milestone_050", milestone_pct=50.0, timestep=5_000_000)
    world.store.update(world.experiment.id, lambda e: setattr(e, "final_metrics", {"mean_reward": 7.5, "episodes": 40}))
    payload = {"exporter": "model.share", "destination": str(tmp_path), "options": {"zip": True}}
    [archive] = map(Path, wait(service.export_experiment(world.experiment.id, payload)).output_paths)
    assert archive.name == "ppo-ALE-Breakout-v5.zip"
    with zipfile.ZipFile(archive) as opened:
        names = sorted(opened.namelist())
        assert names == [
            f"ppo-ALE-Breakout-v5/{name}"
            for name in (
                "README.md",
                "config.json",
                "config.yml",
                "ppo-ALE-Breakout-v5.zip",
                "replay.mp4",
                "results.json",
            )
        ]
        assert opened.read("ppo-ALE-Breakout-v5/replay.mp4") == Path(clip.path).read_bytes()  # the newest milestone
        results = json.loads(opened.read("ppo-ALE-Breakout-v5/results.json"))
        readme = opened.read("ppo-ALE-Breakout-v5/README.md").decode()
    assert results["mean_reward"] == 7.5 and results["std_reward"] is None and results["source"] == "training"
    assert results["n_eval_episodes"] == 40
    metric = front_matter(readme)["model-index"][0]["results"][0]["metrics"][0]  # type: ignore[index]
    assert metric["value"] == "7.50" and "no evaluation games were played" in readme
    # a second export picks a free name
    again = wait(service.export_experiment(world.experiment.id, payload))
    assert Path(again.output_paths[0]).name == "ppo-ALE-Breakout-v5 (2).zip"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".zip") == [
        "ppo-ALE-Breakout-v5 (2).zip",
        "ppo-ALE-Breakout-v5.zip",
    ]


def test_an_experiment_without_a_model_cannot_be_shared(world: World, service: ExportService, tmp_path: Path) -> None:
    (Path(world.experiment.run_dir) / "model.zip").unlink()
    world.store.update(world.experiment.id, lambda e: setattr(e.artifacts, "models", []))
    with pytest.raises(Conflict, match="has no final model yet"):
        service.export_experiment(world.experiment.id, {"exporter": "model.share", "destination": str(tmp_path)})


def test_sharing_the_run_never_takes_a_checkpoint_evaluations_video_or_scores(
    world: World, service: ExportService, tmp_path: Path
) -> None:
    """The Models tab's evaluations of a checkpoint are evaluation videos of the run too; the run's
    share is its final model, so only the run's own end-of-run evaluation counts."""
    clip = world.add_video("milestone_100", milestone_pct=100.0, timestep=10_000_000)
    world.add_video(
        "evaluation_0123456789ab_ba9876543210",
        video_type="evaluation",
        milestone_pct=None,
        scores=[1.0],
        episode_count=1,
    )
    job = wait(
        service.export_experiment(world.experiment.id, {"exporter": "model.share", "destination": str(tmp_path)})
    )
    [folder] = map(Path, job.output_paths)
    assert (folder / "replay.mp4").read_bytes() == Path(clip.path).read_bytes()
    assert json.loads((folder / "results.json").read_text())["source"] != "evaluation"
