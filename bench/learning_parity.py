"""Do both env paths teach the same agent? PPO with the same settings on each, several seeds.

    .venv/bin/python -m bench.learning_parity [--steps 200000] [--seeds 3] [--jobs 2] [--png curves.png]

For each path (`python`: SB3's wrappers and network, as RL Zoo trains; `native`: what the app
trains on, ale-py's C++ vector env with env 0 in Python and the network sped up by
training/network_speed.py) and each seed, one child process builds the app's training env
(`make_training_env`) and trains PPO on Breakout with RL Zoo's Atari settings (8 games × 128
steps, batch 256, 4 epochs, one torch thread), recording the real score of every finished game.
`--jobs` children run at once (niced), so the run is meant to be left in the background.

It prints, per tenth of the run, each path's mean score over its seeds and the seeds' spread
(lowest and highest seed mean), then the verdict on the last fifth of the run: the paths agree
when each path's mean lies within the other's seed range widened by their spread. `--png`
draws the curves (mean line, seed range band) with Pillow.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.training_speed import ZOO_PPO

PATHS = ("python", "native")
BINS = 10


def train_one(path: str, seed: int, steps: int, out: Path) -> None:
    """Runs in a child: trains, writes one JSON line per finished game ({"t": step, "r": score})."""
    import torch
    from stable_baselines3 import PPO
    from stable_baselines3.common.callbacks import BaseCallback

    from retro_ml.training.envs import make_training_env
    from retro_ml.training.network_speed import speed_up_network

    torch.set_num_threads(1)
    env = make_training_env("ALE/Breakout-v5", 8, seed, 4, backend=path, num_threads=1)

    class Scores(BaseCallback):
        def __init__(self) -> None:
            super().__init__()
            self.file = out.open("w")

        def _on_step(self) -> bool:
            for info in self.locals["infos"]:
                if "episode" in info:
                    self.file.write(json.dumps({"t": self.num_timesteps, "r": float(info["episode"]["r"])}) + "\n")
            return True

        def _on_training_end(self) -> None:
            self.file.close()

    model = PPO("CnnPolicy", env, seed=seed, device="cpu", verbose=0, **ZOO_PPO)  # type: ignore[arg-type]
    if path == "native":
        speed_up_network(model)  # as the app trains: channels-last, the CNN in bfloat16 where the CPU has AMX
    model.learn(steps, callback=Scores())
    env.close()


def run_child(path: str, seed: int, steps: int, folder: Path) -> tuple[str, int, list[tuple[int, float]]]:
    out = folder / f"{path}_{seed}.jsonl"
    command = [sys.executable, "-m", "bench.learning_parity", "--child", path, str(seed), str(steps), str(out)]
    subprocess.run(command, check=True, preexec_fn=lambda: os.nice(10))
    games = [json.loads(line) for line in out.read_text().splitlines()]
    print(f"  {path:<7} seed {seed}: {len(games)} games", flush=True)
    return path, seed, [(int(game["t"]), float(game["r"])) for game in games]


def binned_means(games: list[tuple[int, float]], steps: int) -> list[float | None]:
    """The mean score of the games that ended in each tenth of the run."""
    bins: list[list[float]] = [[] for _ in range(BINS)]
    for step, score in games:
        bins[min(BINS - 1, (step - 1) * BINS // steps)].append(score)
    return [statistics.fmean(scores) if scores else None for scores in bins]


def tail_mean(games: list[tuple[int, float]], steps: int) -> float:
    """The mean score of the games that ended in the last fifth of the run."""
    scores = [score for step, score in games if step > steps * 0.8]
    return statistics.fmean(scores) if scores else 0.0


def draw_png(curves: dict[str, list[list[float | None]]], steps: int, target: Path) -> None:
    """Mean line and seed range band per path, steps along x, score up y (Pillow, no plotting library)."""
    from PIL import Image, ImageDraw

    width, height, margin = 900, 520, 60
    colours = {"python": (66, 133, 244), "native": (234, 67, 53)}
    values = [v for seeds in curves.values() for curve in seeds for v in curve if v is not None]
    top = max(values + [1.0]) * 1.1
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image, "RGBA")

    def point(index: int, score: float) -> tuple[float, float]:
        x = margin + (index + 0.5) / BINS * (width - 2 * margin)
        return x, height - margin - score / top * (height - 2 * margin)

    draw.rectangle((margin, margin, width - margin, height - margin), outline="black")
    for tick in range(6):
        score = top * tick / 5
        y = point(0, score)[1]
        draw.line((margin - 5, y, margin, y), fill="black")
        draw.text((8, y - 6), f"{score:.1f}", fill="black")
    for index in range(BINS):
        x = point(index, 0)[0]
        draw.text((x - 20, height - margin + 8), f"{(index + 1) * steps // BINS // 1000}k", fill="black")
    draw.text((margin, 20), f"PPO Breakout, mean game score per tenth of {steps:,} steps", fill="black")
    for row, (path, seeds) in enumerate(curves.items()):
        colour = colours[path]
        draw.text((width - margin - 200, margin + 10 + 16 * row), f"{path}: mean, seed range", fill=colour)
        band_low, band_high, means = [], [], []
        for index in range(BINS):
            at = [curve[index] for curve in seeds if curve[index] is not None]
            if at:
                band_low.append(point(index, min(at)))
                band_high.append(point(index, max(at)))
                means.append(point(index, statistics.fmean(at)))
        if len(means) > 1:
            draw.polygon(band_high + band_low[::-1], fill=(*colour, 50))
            draw.line(means, fill=colour, width=3)
    image.save(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=200_000)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--png", type=Path, help="draw the curves into this PNG")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        path, seed, steps, out = args.child
        train_one(path, int(seed), int(steps), Path(out))
        return

    print(f"PPO, Breakout, 8 games, {args.steps:,} steps, seeds 1..{args.seeds}, {args.jobs} at once")
    runs = [(path, seed) for seed in range(1, args.seeds + 1) for path in PATHS]
    with tempfile.TemporaryDirectory() as folder, ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda run: run_child(run[0], run[1], args.steps, Path(folder)), runs))

    curves = {path: [binned_means(games, args.steps) for p, _, games in results if p == path] for path in PATHS}
    tails = {path: [tail_mean(games, args.steps) for p, _, games in results if p == path] for path in PATHS}
    print("\nMean game score per tenth of the run (mean over seeds [lowest seed, highest seed]):")
    print(f"  {'steps':>8}  " + "  ".join(f"{path:>22}" for path in PATHS))
    for index in range(BINS):
        cells = []
        for path in PATHS:
            at = [curve[index] for curve in curves[path] if curve[index] is not None]
            cells.append(f"{statistics.fmean(at):6.2f} [{min(at):5.2f}, {max(at):5.2f}]" if at else f"{'-':>22}")
        print(f"  {(index + 1) * args.steps // BINS:>8}  " + "  ".join(f"{cell:>22}" for cell in cells))

    mean = {path: statistics.fmean(tails[path]) for path in PATHS}
    spread = {path: max(tails[path]) - min(tails[path]) for path in PATHS}
    difference = abs(mean["python"] - mean["native"])
    allowed = max(spread.values())
    print("\nLast fifth of the run, per seed:")
    for path in PATHS:
        seeds = ", ".join(f"{tail:.2f}" for tail in tails[path])
        print(f"  {path:<7} {seeds}  mean {mean[path]:.2f}, spread {spread[path]:.2f}")
    verdict = "agree" if difference <= allowed else "DIFFER"
    print(f"  |python - native| = {difference:.2f}, the seeds' spread {allowed:.2f}: the paths {verdict}")
    if args.png:
        draw_png({path: [[v for v in curve] for curve in curves[path]] for path in PATHS}, args.steps, args.png)
        print(f"  curves: {args.png}")


if __name__ == "__main__":
    main()
