"""The long video's recorder: what it costs training, how fast it encodes, its memory, its size.

    .venv/bin/python -m bench.video_recorder [--steps 8192] [--rounds 2] [--frames 12000]

1. Training throughput, side by side in one run: real workers (PPO, 8 envs, Breakout) with
   the long video off, at the Standard preset's filming share (1 h of video from a run whose
   env 0 plays ~2.3 h: 43% of its frames filmed) and filming every frame (the worst case).
   Rounds alternate the three so machine noise hits them alike. Target: overhead < 5%.
2. Encoder throughput: real Breakout screens through the recorder (upscale ×2, caption bar,
   I420 into H.264 ultrafast at 320×452: the long video's defaults) in frames/s and × real time (60 fps),
   and the CPU seconds a frame costs (this process + ffmpeg), at ×2 and at ×3.
3. Recorder memory over a long recording: RSS of this process and of ffmpeg, sampled.
4. Size per hour of video, from the same recording.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parents[1]
STANDARD_SHARE = 0.43  # Standard preset: 1 h of video / (1M steps / 8 envs × 4 frames / 60 fps ≈ 2.3 h)


def worker_fps(tmp: Path, name: str, steps: int, video_hours: float) -> float:
    run_dir = tmp / name
    run_dir.mkdir()
    config = {
        "total_timesteps": steps,
        "n_envs": 8,
        "seed": 1,
        "checkpoint_every_pct": 0,
        "checkpoint_every_minutes": 0,
        "milestone_every_pct": 0,
        "eval_episodes": 0,
        "video_length_hours": video_hours,
        "video_segment_seconds": 60,
    }
    run = {"experiment_id": "000000000000", "game": "breakout", "env_id": "ALE/Breakout-v5", "algorithm": "ppo"}
    (run_dir / "config.json").write_text(json.dumps({**run, "config": config}))
    with (run_dir / "worker.log").open("wb") as log:
        subprocess.run(
            [sys.executable, "-m", "retro_ml", "worker", "--run-dir", str(run_dir)],
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
        )
    reports = [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]
    final = reports[-1]
    if final["type"] != "completed":
        raise SystemExit(f"{name}: the worker ended with {final['type']}: see {run_dir / 'worker.log'}")
    videos = [r for r in reports if r["type"] == "video" and "segment" not in r]
    filmed = videos[-1]["duration"] if videos else 0.0
    print(f"  {name:<9} {final['final_metrics']['fps']:7.1f} steps/s   filmed {filmed:6.1f} s", flush=True)
    return float(final["final_metrics"]["fps"])


def throughput(steps: int, rounds: int) -> None:
    footage_seconds = steps / 8 * 4 / 60  # env 0's frames in the run
    standard_hours = STANDARD_SHARE * footage_seconds / 3600
    print(f"1. Training throughput: PPO, 8 envs, Breakout, {steps} steps a run, {rounds} rounds")
    results: dict[str, list[float]] = {"off": [], "standard": [], "every": []}
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        for round_number in range(rounds):
            for name, hours in (("off", 0.0), ("standard", standard_hours), ("every", 10.0)):
                results[name].append(worker_fps(tmp, f"{name}{round_number}", steps, hours))
    off = statistics.median(results["off"])
    for name in ("standard", "every"):
        value = statistics.median(results[name])
        ratio = value / off
        print(f"   {name:<9} {value:7.1f} vs off {off:7.1f} steps/s: ratio {ratio:.3f} (overhead {1 - ratio:+.1%})")


def breakout_screens(count: int) -> list[np.ndarray[Any, Any]]:
    import ale_py
    import gymnasium

    gymnasium.register_envs(ale_py)
    env = gymnasium.make("ALE/Breakout-v5", frameskip=1, render_mode="rgb_array")
    env.reset(seed=0)
    screens = []
    for _ in range(count):
        _, _, terminated, truncated, _ = env.step(env.action_space.sample())
        screens.append(env.unwrapped.ale.getScreenRGB())  # type: ignore[attr-defined]
        if terminated or truncated:
            env.reset()
    env.close()
    return screens


def record(screens: list[np.ndarray[Any, Any]], frames: int, scale: int, folder: Path) -> dict[str, Any]:
    """Feed `frames` screens through a SegmentedRecorder; time, CPU, memory samples and size."""
    from retro_ml.training.long_video import ENCODER_PRESET
    from retro_ml.training.video.overlay import Caption
    from retro_ml.training.video.segments import Segment, SegmentedRecorder

    segments: list[Segment] = []
    samples: list[tuple[int, float, float]] = []
    recorder = SegmentedRecorder(
        folder, "segment_", scale=scale, fps=60, segment_frames=3600, on_segment=segments.append, preset=ENCODER_PRESET
    )
    me = psutil.Process()
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.5):
            ffmpeg = sum(c.memory_info().rss for c in me.children(recursive=True) if c.is_running()) / 1e6
            samples.append((recorder.frames, me.memory_info().rss / 1e6, ffmpeg))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    before = me.cpu_times()
    started = time.perf_counter()
    for index in range(frames):
        recorder.put(screens[index % len(screens)].copy(), Caption(index * 2, index // 900, float(index % 50), 49.0))
    recorder.finish()
    elapsed = time.perf_counter() - started
    after = me.cpu_times()
    stop.set()
    sampler.join()
    own = after.user + after.system - before.user - before.system
    ffmpeg_cpu = after.children_user + after.children_system - before.children_user - before.children_system
    return {
        "fps": frames / elapsed,
        "ms_per_frame": 1000 * (own + ffmpeg_cpu) / frames,
        "size": sum(s.path.stat().st_size for s in segments),
        "samples": samples,
        "shape": f"{segments[0].width}×{segments[0].height}",
    }


def encoder_memory_and_size(frames: int) -> None:
    screens = breakout_screens(3000)
    with tempfile.TemporaryDirectory() as folder:
        results = {scale: record(screens, frames, scale, Path(folder) / str(scale)) for scale in (2, 3)}
    for scale, result in results.items():
        print(
            f"2. Encoder ×{scale} ({result['shape']}): {result['fps']:.0f} frames/s, "
            f"{result['fps'] / 60:.1f}× real time, "
            f"{result['ms_per_frame']:.1f} ms of CPU a frame (recorder thread + ffmpeg)"
        )
    main = results[2]
    rss = [s[1] for s in main["samples"]]
    ffmpeg = [s[2] for s in main["samples"]]
    print(
        f"3. Memory while recording {frames / 60:.0f} s of video at ×2: this process {min(rss):.0f}–{max(rss):.0f} MB "
        f"(first sample {rss[0]:.0f} MB, last {rss[-1]:.0f} MB); ffmpeg {min(ffmpeg):.0f}–{max(ffmpeg):.0f} MB"
    )
    for scale, result in results.items():
        per_hour = result["size"] / (frames / 60) * 3600 / 1e6
        print(
            f"4. Size ×{scale}: {result['size'] / 1e6:.1f} MB for {frames / 60:.0f} s of Breakout: "
            f"{per_hour:.0f} MB/hour"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=8192)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--frames", type=int, default=12_000)
    args = parser.parse_args()
    throughput(args.steps, args.rounds)
    print()
    encoder_memory_and_size(args.frames)


if __name__ == "__main__":
    main()
