"""Run configs the tests share. TINY_PPO, LONG_PPO and TINY_DQN are sent to the server's API, which
fills in the rest from the preset; PPO_TINY_CONFIG and DQN_TINY_CONFIG are a worker's whole config,
for a worker started without a server (tests.helpers.worker_runs)."""

from typing import Any

# A tiny PPO run: 2 envs × 64 steps per rollout, 2048 steps in all (~15 s on 2 cores).
# Videos off (milestone clips, the long video, the evaluation): each costs whole games to
# record; the tests of videos turn them on.
TINY_PPO = {
    "total_timesteps": 2048,
    "n_envs": 2,
    "n_steps": 64,
    "batch_size": 64,
    "n_epochs": 1,
    "milestone_every_pct": 0,
    "video_length_hours": 0,
    "eval_episodes": 0,
}
# Long enough never to finish within a test: for stop, pause, kill and restart cases.
LONG_PPO = {**TINY_PPO, "total_timesteps": 500_000}
# A tiny DQN run: 600 steps, learning from step 100 out of a 1000-step buffer.
TINY_DQN = {
    "total_timesteps": 600,
    "buffer_size": 1000,
    "learning_starts": 100,
    "batch_size": 32,
    "target_update_interval": 100,
    "milestone_every_pct": 0,
}

# Whole worker configs, 1024 PPO and 600 DQN steps: what config.json holds for a worker started directly.
PPO_TINY_CONFIG: dict[str, Any] = {
    "total_timesteps": 1024,
    "n_envs": 2,
    "frame_stack": 4,
    "seed": 0,
    "device": "auto",
    "torch_threads": 2,
    "video_length_hours": 0,
    "progress_interval_seconds": 1.0,
    "learning_rate": 0.00025,
    "learning_rate_schedule": "linear",
    "n_steps": 64,
    "batch_size": 64,
    "n_epochs": 1,
    "gamma": 0.99,
    "gae_lambda": 0.95,
    "clip_range": 0.1,
    "clip_range_schedule": "linear",
    "ent_coef": 0.01,
    "vf_coef": 0.5,
    "max_grad_norm": 0.5,
    "milestone_every_pct": 0,
}

DQN_TINY_CONFIG: dict[str, Any] = {
    "total_timesteps": 600,
    "n_envs": 1,
    "frame_stack": 4,
    "seed": 0,
    "device": "auto",
    "torch_threads": 2,
    "video_length_hours": 0,
    "progress_interval_seconds": 1.0,
    "learning_rate": 0.0001,
    "learning_rate_schedule": "constant",
    "buffer_size": 1000,
    "learning_starts": 100,
    "batch_size": 32,
    "tau": 1.0,
    "gamma": 0.99,
    "train_freq": 4,
    "gradient_steps": 1,
    "target_update_interval": 100,
    "exploration_fraction": 0.1,
    "exploration_initial_eps": 1.0,
    "exploration_final_eps": 0.01,
    "max_grad_norm": 10,
    "milestone_every_pct": 0,
}
