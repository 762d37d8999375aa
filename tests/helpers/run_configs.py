"""Run configs the integration tests share."""

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
