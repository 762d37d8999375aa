"""The native env path (`env_backend: native`, ale-py's C++ vector env) in real workers and the real server."""

from __future__ import annotations

from pathlib import Path

import pytest

from retro_ml.training.network_speed import bfloat16_units
from retro_ml.training.video import probe
from tests.helpers.api_client import create, fetch
from tests.helpers.run_configs import DQN_TINY_CONFIG, PPO_TINY_CONFIG, TINY_PPO
from tests.helpers.server import LiveServer
from tests.helpers.socket_events import RecordingClient
from tests.helpers.video_frames import assert_captioned_game_frame, decoded_frame
from tests.helpers.worker_runs import assert_finished_run, make_run_dir, read_events, reports_of, run_worker_to_end

pytestmark = pytest.mark.training

NATIVE = {"env_backend": "native", "n_envs": 3}
NO_CHECKPOINTS = {"checkpoint_every_pct": 0, "checkpoint_every_minutes": 0}


def test_ppo_trains_on_the_native_path_through_the_server(
    live_server: LiveServer, socket_client: RecordingClient
) -> None:
    experiment = create(live_server, game="breakout", algorithm="ppo", config={**TINY_PPO, **NATIVE})
    assert experiment["config"]["env_backend"] == "native"
    socket_client.wait_for("training.complete", lambda d: d["experiment_id"] == experiment["id"], 240)
    stored = fetch(live_server, experiment["id"])
    assert stored["metadata"]["status"] == "completed", stored["metadata"]
    metrics = stored["progress"]["metrics"]
    # Random Breakout games last ~200 steps: every env finished several, counted with real scores.
    assert metrics["episodes"] >= 9 and metrics["mean_reward"] >= 0 and metrics["best_reward"] >= 1
    from stable_baselines3 import PPO

    model = PPO.load(stored["artifacts"]["models"][0]["path"], device="cpu")
    assert model.num_timesteps >= 2048 and model.observation_space.shape == (4, 84, 84)
    # The network trained in oneDNN's layout (network_speed.py), in bfloat16 only on a CPU with bfloat16 units.
    log = (Path(experiment["run_dir"]) / "worker.log").read_text()
    units = bfloat16_units()
    precision = f"CNN in bfloat16 ({units})" if units else "float32"
    assert f"network: CPU, channels-last, {precision}" in log


def test_live_view_and_long_video_film_env_0_on_the_native_path(
    live_server: LiveServer, socket_client: RecordingClient
) -> None:
    target_seconds = 4.0
    config = {
        **TINY_PPO,
        **NATIVE,
        "total_timesteps": 4096,
        "video_length_hours": target_seconds / 3600,
        "video_segment_seconds": 2,
    }
    experiment = create(live_server, game="pong", config=config)
    run_dir = Path(experiment["run_dir"])
    socket_client.wait_for("training.progress", lambda d: d["experiment_id"] == experiment["id"], 120)
    ack = socket_client.client.call("live.watch", {"experiment_id": experiment["id"], "fps": 5}, timeout=10)
    assert ack == {"ok": True, "experiment_id": experiment["id"], "fps": 5}
    frame = socket_client.wait_for("live.frame", lambda d: d["experiment_id"] == experiment["id"], 60)
    assert (frame["width"], frame["height"]) == (320, 420) and len(frame["jpeg"]) > 1000

    socket_client.wait_for("training.complete", lambda d: d["experiment_id"] == experiment["id"], 240)
    # Env 0, the Python env beside the C++ ones, was filmed frame by frame: parts, then the joined video.
    hour = [video for video in socket_client.of("video.generated", experiment["id"]) if video["video_type"] == "hour"]
    assert len(hour) >= 2, hour
    joined = Path(hour[-1]["video_path"])
    assert joined.is_relative_to(run_dir) and joined.is_file()
    info = probe(joined)
    assert info["codec"] == "h264" and info["fps"] == pytest.approx(60)
    assert info["duration"] == pytest.approx(target_seconds, rel=0.15)
    # ×2, the default: the screen went to ffmpeg as I420 (training/video/yuv.py), the picture is intact.
    assert (info["width"], info["height"], info["pix_fmt"]) == (320, 420 + 32, "yuv420p")
    assert_captioned_game_frame(decoded_frame(joined, 30), game_height=420)


def test_a_model_trained_on_the_python_path_continues_on_the_native_path(tmp_path: Path) -> None:
    from stable_baselines3 import PPO

    parent_config = {**PPO_TINY_CONFIG, **NO_CHECKPOINTS, "total_timesteps": 1024, "env_backend": "python"}
    parent = make_run_dir(tmp_path, "breakout", "ALE/Breakout-v5", "ppo", parent_config, experiment_id="parent")
    assert_finished_run(parent, run_worker_to_end(parent), "completed")
    parent_steps = PPO.load(parent / "model.zip", device="cpu").num_timesteps

    child_config = {**PPO_TINY_CONFIG, **NO_CHECKPOINTS, **NATIVE, "total_timesteps": 1024}
    resume_from = {"model_path": str(parent / "model.zip"), "num_timesteps": parent_steps}
    child = make_run_dir(
        tmp_path, "breakout", "ALE/Breakout-v5", "ppo", child_config, experiment_id="child", resume_from=resume_from
    )
    events = assert_finished_run(child, run_worker_to_end(child), "completed", start_timesteps=parent_steps)
    assert reports_of(events, "progress")[-1]["metrics"]["episodes"] >= 1
    assert PPO.load(child / "model.zip", device="cpu").num_timesteps >= parent_steps + 1024


def test_dqn_trains_on_the_native_path(tmp_path: Path) -> None:
    from stable_baselines3 import DQN

    config = {**DQN_TINY_CONFIG, **NO_CHECKPOINTS, **NATIVE}
    run_dir = make_run_dir(tmp_path, "breakout", "ALE/Breakout-v5", "dqn", config)
    events = assert_finished_run(run_dir, run_worker_to_end(run_dir), "completed")
    assert read_events(run_dir)[-1]["type"] == "completed"
    assert reports_of(events, "progress")[-1]["metrics"]["episodes"] >= 1
    assert DQN.load(run_dir / "model.zip", device="cpu").num_timesteps >= config["total_timesteps"]
