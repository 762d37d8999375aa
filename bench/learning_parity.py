"""Do both env paths teach the same agent? PPO with the same settings on each, several seeds.

    .venv/bin/python -m bench.learning_parity [--steps 200000] [--seeds 3] [--first-seed 1] [--jobs 2]
        [--paths python,native,native-f32] [--runs-dir DIR] [--png curves.png]

For each path (`python`: SB3's wrappers and network, as RL Zoo trains; `native`: what the app
trains on, ale-py's C++ vector env with env 0 in Python and the network sped up by
training/network_speed.py, its CNN in bfloat16 where the CPU has AMX or AVX512-BF16; `native-f32`: the same
env path with the network in float32, what other CPUs train, which tells the env
path's effect from bfloat16's) and each seed, one child process builds the app's training env
(`make_training_env`) and trains PPO on Breakout with RL Zoo's Atari settings (8 games × 128
steps, batch 256, 4 epochs, one torch thread), recording the real score of every finished game.
`--jobs` children run at once (niced), so the run is meant to be left in the background.
`--runs-dir` keeps each run's games (`<path>_<seed>.jsonl`) and reuses those already there, so a
later call with more seeds (`--first-seed 4`) adds to the earlier ones instead of starting over.

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

PATHS = ("python", "native", "native-f32")
BINS = 10


def train_one(path: str, seed: int, steps: int, out: Path) -> None:
    """Runs in a child: trains, writes one JSON line per finished game ({"t": step, "r": score})."""
    import torch
    from stable_baselines3 import PPO
    from stable_baselines3.common.callbacks import BaseCallback

    from retro_ml.training.envs import make_training_env
    from retro_ml.training.network_speed import speed_up_network

    torch.set_num_threads(1)
    backend = "python" if path == "python" else "native"
    env = make_training_env("ALE/Breakout-v5", 8, seed, 4, backend=backend)

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
    if backend == "native":
        # As the app trains: channels-last, the CNN in bfloat16 where the CPU has the units (not native-f32).
        speed_up_network(model, "float32" if path == "native-f32" else "auto")
    model.learn(steps, callback=Scores())
    env.close()


def run_child(path: str, seed: int, steps: int, folder: Path) -> tuple[str, int, list[tuple[int, float]]]:
    out = folder / f"{path}_{seed}_{steps}.jsonl"
    kept = out.is_file() and out.stat().st_size > 0
    if not kept:
        partial = out.with_suffix(".part")
        command = [sys.executable, "-m", "bench.learning_parity", "--child", path, str(seed), str(steps), str(partial)]
        subprocess.run(command, check=True, preexec_fn=lambda: os.nice(10))
        partial.replace(out)
    games = read_games(out)
    print(f"  {path:<10} seed {seed}: {len(games)} games{' (kept from an earlier run)' if kept else ''}", flush=True)
    return path, seed, games


def read_games(out: Path) -> list[tuple[int, float]]:
    """A run's finished games as (step, score), from the child's JSON lines."""
    games = [json.loads(line) for line in out.read_text().splitlines()]
    return [(int(game["t"]), float(game["r"])) for game in games]


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
    colours = {"python": (66, 133, 244), "native": (234, 67, 53), "native-f32": (52, 168, 83)}
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
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--paths", default=",".join(PATHS), help="which of python, native, native-f32")
    parser.add_argument("--runs-dir", type=Path, help="keep each run's games here and reuse those already kept")
    parser.add_argument("--png", type=Path, help="draw the curves into this PNG")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        path, seed, steps, out = args.child
        train_one(path, int(seed), int(steps), Path(out))
        return

    paths = tuple(path for path in args.paths.split(",") if path)
    if "python" not in paths or any(path not in PATHS for path in paths) or len(paths) < 2:
        raise SystemExit(f"--paths: python and at least one of {', '.join(PATHS[1:])}")
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    print(f"PPO, Breakout, 8 games, {args.steps:,} steps, seeds {seeds[0]}..{seeds[-1]}, {args.jobs} at once")
    runs = [(path, seed) for seed in seeds for path in paths]
    with tempfile.TemporaryDirectory() as scratch, ThreadPoolExecutor(args.jobs) as pool:
        folder = args.runs_dir or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        results = list(pool.map(lambda run: run_child(run[0], run[1], args.steps, folder), runs))
        if args.runs_dir:  # every seed kept so far counts, not only this call's
            results = kept_results(folder, paths, args.steps)
            kept = ", ".join(f"{path} {sorted(seed for p, seed, _ in results if p == path)}" for path in paths)
            print(f"\nEvery run kept in {args.runs_dir} counts, seeds: {kept}")

    curves = {path: [binned_means(games, args.steps) for p, _, games in results if p == path] for path in paths}
    tails = {path: [tail_mean(games, args.steps) for p, _, games in results if p == path] for path in paths}
    print("\nMean game score per tenth of the run (mean over seeds [lowest seed, highest seed]):")
    print(f"  {'steps':>8}  " + "  ".join(f"{path:>22}" for path in paths))
    for index in range(BINS):
        cells = []
        for path in paths:
            at = [curve[index] for curve in curves[path] if curve[index] is not None]
            cells.append(f"{statistics.fmean(at):6.2f} [{min(at):5.2f}, {max(at):5.2f}]" if at else f"{'-':>22}")
        print(f"  {(index + 1) * args.steps // BINS:>8}  " + "  ".join(f"{cell:>22}" for cell in cells))

    mean = {path: statistics.fmean(tails[path]) for path in paths}
    spread = {path: max(tails[path]) - min(tails[path]) for path in paths}
    print("\nLast fifth of the run, per seed:")
    for path in paths:
        values = ", ".join(f"{tail:.2f}" for tail in tails[path])
        print(f"  {path:<10} {values}  mean {mean[path]:.2f}, spread {spread[path]:.2f}")
    for path in paths[1:]:
        difference = abs(mean["python"] - mean[path])
        allowed = max(spread["python"], spread[path])
        verdict = "agree" if difference <= allowed else "DIFFER"
        print(f"  |python - {path}| = {difference:.2f}, the seeds' spread {allowed:.2f}: they {verdict}")
    if args.png:
        draw_png({path: curves[path] for path in paths}, args.steps, args.png)
        print(f"  curves: {args.png}")


def kept_results(folder: Path, paths: tuple[str, ...], steps: int) -> list[tuple[str, int, list[tuple[int, float]]]]:
    """Every run of `paths` at `steps` kept in `folder`, from this call and earlier ones."""
    results = []
    for path in paths:
        for out in sorted(folder.glob(f"{path}_*_{steps}.jsonl")):
            seed = out.stem.removeprefix(f"{path}_").removesuffix(f"_{steps}")
            if not seed.isdigit():
                continue  # e.g. native_... when globbing native-f32's files or the other way round
            results.append((path, int(seed), read_games(out)))
    return results


if __name__ == "__main__":
    main()
