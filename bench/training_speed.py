"""Training speed on this machine: bare SB3 against the app's worker on both env paths, side by side.

    .venv/bin/python -m bench.training_speed [--steps 16384] [--rounds 2] [--n-envs 8]

Six variants, PPO on Breakout with RL Zoo's Atari settings (n_steps 128, batch 256, 4 epochs),
alternated round by round so that machine noise hits them alike:
- `sb3`: bare stable-baselines3, `make_atari_env` in a DummyVecEnv + VecFrameStack(4), the way
  RL Zoo trains (torch threads as the app's default);
- `python`, `python+rec`: the app's worker on the old env path, recording off / with the Quick
  preset's recording (milestone clips every 10%, the long video at Quick's share of env 0's
  frames, the evaluation games at the end);
- `native`, `native+rec`: the same on the native path (ale-py's C++ vector env, env 0 in Python);
- `native+rec+f32`: as `native+rec` with `precision: float32`, what a CPU without bfloat16 units gets (the
  worker's network is channels-last on every CPU and its CNN in bfloat16 only with AMX or AVX512-BF16:
  training/network_speed.py).
Each prints steps/s as the worker reports it (its training clock) and as wall time of the whole
worker process (start-up, clips and evaluation included), then the ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUICK_SHARE = 0.86  # Quick: 0.5 h of video from a run whose env 0 plays ~0.58 h (250k steps / 8 envs)
ZOO_PPO = {
    "n_steps": 128,
    "batch_size": 256,
    "n_epochs": 4,
    "learning_rate": 2.5e-4,
    "clip_range": 0.1,
    "ent_coef": 0.01,
    "vf_coef": 0.5,
}


def bare_sb3(steps: int, n_envs: int, threads: int) -> None:
    """Runs in a child process: prints one JSON line with the steps/s of `learn()`."""
    import ale_py
    import gymnasium
    import torch
    from stable_baselines3 import PPO
    from stable_baselines3.common.env_util import make_atari_env
    from stable_baselines3.common.vec_env import DummyVecEnv, VecFrameStack

    gymnasium.register_envs(ale_py)
    torch.set_num_threads(threads)
    env = VecFrameStack(
        make_atari_env("ALE/Breakout-v5", n_envs=n_envs, seed=1, env_kwargs={"frameskip": 1}, vec_env_cls=DummyVecEnv),
        n_stack=4,
    )
    model = PPO("CnnPolicy", env, seed=1, device="cpu", verbose=0, **ZOO_PPO)  # type: ignore[arg-type]
    started = time.perf_counter()
    model.learn(steps)
    elapsed = time.perf_counter() - started
    print(json.dumps({"fps": model.num_timesteps / elapsed, "wall_fps": model.num_timesteps / elapsed}))


def run_bare(steps: int, n_envs: int, threads: int) -> tuple[float, float]:
    started = time.perf_counter()
    output = subprocess.run(
        [sys.executable, "-m", "bench.training_speed", "--bare", str(steps), "--n-envs", str(n_envs)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    wall = time.perf_counter() - started
    result = json.loads(output.strip().splitlines()[-1])
    return float(result["fps"]), steps / wall


def run_worker(
    tmp: Path, name: str, steps: int, n_envs: int, backend: str, recording: bool, precision: str = "auto"
) -> tuple[float, float]:
    run_dir = tmp / name
    run_dir.mkdir()
    env0_seconds = steps / n_envs * 4 / 60  # env 0's game time in the run
    config = {
        **ZOO_PPO,
        "total_timesteps": steps,
        "n_envs": n_envs,
        "env_backend": backend,
        "precision": precision,
        "seed": 1,
        "checkpoint_every_pct": 0,
        "checkpoint_every_minutes": 0,
        "milestone_every_pct": 10 if recording else 0,
        "milestone_max_seconds": 120,
        "eval_episodes": 3 if recording else 0,
        "video_length_hours": QUICK_SHARE * env0_seconds / 3600 if recording else 0,
        "video_segment_seconds": 60,
    }
    run = {"experiment_id": "000000000000", "game": "breakout", "env_id": "ALE/Breakout-v5", "algorithm": "ppo"}
    (run_dir / "config.json").write_text(json.dumps({**run, "config": config}))
    started = time.perf_counter()
    with (run_dir / "worker.log").open("wb") as log:
        subprocess.run(
            [sys.executable, "-m", "retro_ml", "worker", "--run-dir", str(run_dir)],
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
        )
    wall = time.perf_counter() - started
    reports = [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]
    if reports[-1]["type"] != "completed":
        raise SystemExit(f"{name}: the worker ended with {reports[-1]['type']}: see {run_dir / 'worker.log'}")
    return float(reports[-1]["final_metrics"]["fps"]), steps / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=16384)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--n-envs", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="torch threads (the app's default is 2)")
    parser.add_argument("--bare", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        bare_sb3(args.bare, args.n_envs, args.threads)
        return

    variants = ("sb3", "python", "python+rec", "native", "native+rec", "native+rec+f32")
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    print(f"PPO, Breakout, {args.n_envs} envs, {args.steps} steps a run, {args.rounds} rounds (steps/s)")
    print(f"  {'variant':<15} {'training':>9} {'wall':>8}")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        for round_number in range(args.rounds):
            for name in variants:
                if name == "sb3":
                    result = run_bare(args.steps, args.n_envs, args.threads)
                else:
                    backend, *extras = name.split("+")
                    precision = "float32" if "f32" in extras else "auto"
                    folder_name = f"{name.replace('+', '_')}{round_number}"
                    result = run_worker(tmp, folder_name, args.steps, args.n_envs, backend, "rec" in extras, precision)
                results[name].append(result)
                print(f"  {name:<15} {result[0]:9.1f} {result[1]:8.1f}", flush=True)

    median = {name: statistics.median(fps for fps, _ in runs) for name, runs in results.items()}
    wall = {name: statistics.median(w for _, w in runs) for name, runs in results.items()}
    print("\nMedians (training clock) and ratios:")
    for name in variants:
        print(f"  {name:<15} {median[name]:7.1f} steps/s  ×{median[name] / median['sb3']:.2f} of bare SB3")
    for backend in ("python", "native"):
        cost = 1 - median[f"{backend}+rec"] / median[backend]
        wall_cost = 1 - wall[f"{backend}+rec"] / wall[backend]
        print(f"  recording costs the {backend} path {cost:+.1%} (training clock), {wall_cost:+.1%} (wall)")
    print(
        f"  native / python: ×{median['native'] / median['python']:.2f} (off), "
        f"×{median['native+rec'] / median['python+rec']:.2f} (recording)"
    )
    print("  targets on 2 cores: native+rec >= 1.5x bare SB3, recording costs <= 5%")


if __name__ == "__main__":
    main()
