"""What a run will write, estimated before it starts (services/experiments/disk_estimate.py)."""

from __future__ import annotations

from retro_ml.services.experiments.disk_estimate import REPLAY_FRAME_BYTES, estimate
from retro_ml.services.experiments.presets import load_presets
from retro_ml.store.entities import Experiment

MB = 1024 * 1024
catalog = load_presets()


def experiment(algorithm: str, **overrides: object) -> Experiment:
    config = catalog.resolve("quick", algorithm, dict(overrides))
    return Experiment("e1", "run", "pong", "ALE/Pong-v5", algorithm, "quick", config, run_dir="/tmp/run")


def test_a_dqn_run_that_keeps_its_replay_memory_counts_the_whole_buffer() -> None:
    kept = estimate(experiment("dqn", buffer_size=50_000), 27 * MB, 400 * MB)
    assert kept.replay_memory == 50_000 * REPLAY_FRAME_BYTES  # 2.8 GB: SB3 pickles the whole arrays
    assert kept.total == kept.checkpoints + kept.models + kept.videos + kept.other + kept.replay_memory
    assert "replay memory" in kept.describe()
    dropped = estimate(experiment("dqn", buffer_size=50_000, keep_replay_buffer="no"), 27 * MB, 400 * MB)
    assert dropped.replay_memory == 0 and dropped.total == kept.total - kept.replay_memory
    assert estimate(experiment("ppo"), 20 * MB, 400 * MB).replay_memory == 0
