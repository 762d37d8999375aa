"""Experiment listing and metrics reading, side by side with doing the same naively.

    .venv/bin/python -m bench.store_and_metrics [--experiments 10000] [--repeats 30]

Store: a database of realistic experiments in a temp dir; each filtered `list(limit=50)`
(median ms over repeats) beside `json.load` of the file + the same filter and sort in Python.
Metrics: a synthetic 10M-step PPO run (one dump per 1024 steps, ~10k lines) and a 200k-line
file, read with downsample=500: the first call (parses the file), an unchanged call (cache),
a call after one appended line (parses only that line), beside a full per-line json parse.
Targets: list < 50 ms; metrics < 100 ms for every call after the first (the first call
parses the whole file once per process; its time is printed beside the naive parse).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from retro_ml.services.experiments.metrics import DEFAULT_KEYS, MetricsReader
from retro_ml.store import Experiment, ExperimentFilter, TinyDBExperimentStore
from retro_ml.store.atomic_storage import atomic_write_text, dump_document
from retro_ml.store.migrations import SCHEMA_VERSION

GAMES = ["pong", "breakout", "space_invaders", "seaquest", "ms_pacman", "qbert", "enduro", "asteroids"]
STATUSES = ["completed"] * 6 + ["failed", "stopped", "interrupted", "running", "queued"]
TAGS = ["baseline", "sweep", "long", "ci", "best", "lr-test"]
PPO_CONFIG = {
    "total_timesteps": 1_000_000, "n_envs": 8, "frame_stack": 4, "seed": None, "device": "auto",
    "torch_threads": 2, "video_length_hours": 0.5, "progress_interval_seconds": 1.0,
    "learning_rate": 0.00025, "learning_rate_schedule": "linear", "n_steps": 128, "batch_size": 256,
    "n_epochs": 4, "gamma": 0.99, "gae_lambda": 0.95, "clip_range": 0.1, "clip_range_schedule": "linear",
    "ent_coef": 0.01, "vf_coef": 0.5, "max_grad_norm": 0.5, "checkpoint_every_pct": 10,
    "checkpoint_every_minutes": 15, "keep_checkpoints": 3,
}  # fmt: skip


def median_ms(action: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


# ---- store ---------------------------------------------------------------------------
def realistic_experiment(i: int, rng: random.Random) -> dict[str, Any]:
    game = rng.choice(GAMES)
    ident = f"{i:012x}"
    run_dir = f"/home/ana/.local/share/retro-ml-trainer/runs/{ident}"
    experiment = Experiment(
        id=ident,
        name=f"{game.replace('_', ' ').title()} #{i // len(GAMES) + 1}",
        game=game,
        env_id=f"ALE/{game.title().replace('_', '')}-v5",
        algorithm=rng.choice(["ppo", "ppo", "dqn"]),
        preset=rng.choice(["quick", "standard", "epic"]),
        config=dict(PPO_CONFIG, seed=rng.randrange(1000)),
        run_dir=run_dir,
    )
    day, second = divmod(i * 97, 86_400)
    experiment.metadata.created = f"2026-{1 + day // 28 % 12:02d}-{1 + day % 28:02d}T{second // 3600:02d}:00:00.000Z"
    experiment.metadata.status = rng.choice(STATUSES)
    experiment.metadata.tags = rng.sample(TAGS, rng.randrange(3))
    metrics = {"episodes": rng.randrange(5000), "mean_reward": rng.uniform(-21, 400), "fps": rng.uniform(90, 900)}
    experiment.progress.timestep = experiment.progress.total_timesteps = 1_000_000
    experiment.progress.progress_pct, experiment.progress.metrics = 100.0, metrics
    experiment.final_metrics = dict(metrics)
    experiment.artifacts.models = [{"kind": "final", "path": f"{run_dir}/model.zip", "size_bytes": 13_421_773}]
    experiment.artifacts.logs = [{"kind": "worker", "path": f"{run_dir}/worker.log"}]
    return experiment.to_dict()


def naive_list(path: Path, keep: Callable[[dict[str, Any]], bool], limit: int) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        docs = json.load(handle)["experiments"].values()
    chosen = sorted((d for d in docs if keep(d)), key=lambda d: d["metadata"]["created"], reverse=True)
    return chosen[:limit]


def bench_store(folder: Path, count: int, repeats: int) -> float:
    rng = random.Random(42)
    path = folder / "db.json"
    experiments = {str(i + 1): realistic_experiment(i, rng) for i in range(count)}
    meta = {"1": {"key": "schema_version", "value": SCHEMA_VERSION}}
    atomic_write_text(path, dump_document({"experiments": experiments, "meta": meta}))
    started = time.perf_counter()
    store = TinyDBExperimentStore(path)
    store.count()  # the first read parses the file once
    open_ms = (time.perf_counter() - started) * 1000
    size = path.stat().st_size / 2**20
    print(f"Store: {count:,} experiments, database {size:.1f} MB, open (one parse) {open_ms:.0f} ms")
    queries: list[tuple[str, ExperimentFilter, Callable[[dict[str, Any]], bool]]] = [
        ("(no filter)", ExperimentFilter(), lambda d: True),
        ("status=completed", ExperimentFilter(status="completed"), lambda d: d["metadata"]["status"] == "completed"),
        ("game=breakout", ExperimentFilter(game="breakout"), lambda d: d["game"] == "breakout"),
        ("tag=best", ExperimentFilter(tag="best"), lambda d: "best" in d["metadata"]["tags"]),
        ("q=pong #1", ExperimentFilter(q="pong #1"), lambda d: "pong #1" in d["name"].lower()),
        (
            "status+game+tag+q",
            ExperimentFilter(status="completed", game="qbert", tag="sweep", q="QBERT"),
            lambda d: (
                d["metadata"]["status"] == "completed"
                and d["game"] == "qbert"
                and "sweep" in d["metadata"]["tags"]
                and "qbert" in d["name"].lower()
            ),
        ),
    ]
    print(f"{'list(limit=50)':<22}{'store ms':>10}{'naive ms':>10}{'naive/store':>13}{'rows':>6}")
    worst = 0.0
    for label, filters, keep in queries:
        limited = ExperimentFilter(**{**filters.__dict__, "limit": 50})
        assert [e.id for e in store.list(limited)] == [d["id"] for d in naive_list(path, keep, 50)], label
        ours = median_ms(lambda f=limited: store.list(f), repeats)  # type: ignore[misc]
        naive = median_ms(lambda k=keep: naive_list(path, k, 50), max(3, repeats // 5))  # type: ignore[misc]
        rows = len(store.list(limited))
        print(f"{label:<22}{ours:>10.2f}{naive:>10.1f}{naive / ours:>12.0f}x{rows:>6}")
        worst = max(worst, ours)
    some_id = f"{count // 2:012x}"
    get_ms = median_ms(lambda: store.get(some_id), repeats)
    print(f"{'get(id)':<22}{get_ms:>10.3f}")
    # A write rewrites the whole file (atomically, fsync'ed); the next list re-sorts once.
    writes, after_write = [], []
    for i in range(5):
        started = time.perf_counter()
        store.update(some_id, lambda e, i=i: setattr(e, "name", f"renamed {i}"))  # type: ignore[misc]
        writes.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        store.list(ExperimentFilter(status="completed", limit=50))
        after_write.append((time.perf_counter() - started) * 1000)
    print(f"{'update(id)':<22}{statistics.median(writes):>10.1f}   (rewrites the whole file; not a target)")
    print(f"{'list after a write':<22}{statistics.median(after_write):>10.2f}")
    return max(worst, statistics.median(after_write))


# ---- metrics -------------------------------------------------------------------------
def sb3_dump(step: int, total: int, rng: random.Random) -> str:
    """One PPO logger dump as the worker writes it, with SB3's keys and value kinds."""
    progress = step / total
    values: dict[str, float | int | None] = {
        "rollout/ep_len_mean": 800 + 2000 * progress + rng.random() * 50,
        "rollout/ep_rew_mean": -21 + 40 * progress + rng.gauss(0, 1),
        "time/fps": rng.randrange(600, 700),
        "time/iterations": step // 1024,
        "time/time_elapsed": int(step / 650),
        "time/total_timesteps": step,
        "train/approx_kl": rng.random() * 0.02,
        "train/clip_fraction": rng.random() * 0.2,
        "train/clip_range": 0.1 * (1 - progress),
        "train/entropy_loss": -1.7 + progress + rng.random() * 0.1,
        "train/explained_variance": rng.random(),
        "train/learning_rate": 0.00025 * (1 - progress),
        "train/loss": rng.random() * 0.1 if step % 100_000 else None,
        "train/n_updates": step // 256,
        "train/policy_gradient_loss": -rng.random() * 0.01,
        "train/value_loss": rng.random() * 0.2,
    }
    return json.dumps({"timestep": step, "time": 1_790_000_000 + step / 650, "values": values}) + "\n"


def write_metrics(path: Path, lines: int, total_steps: int) -> int:
    rng = random.Random(7)
    every = max(1, total_steps // lines)
    with path.open("w", encoding="utf-8") as handle:
        handle.writelines(sb3_dump(i * every, total_steps, rng) for i in range(1, lines + 1))
    return lines * every


def naive_metrics(path: Path) -> dict[str, list[tuple[int, Any]]]:
    series: dict[str, list[tuple[int, Any]]] = {key: [] for key in DEFAULT_KEYS}
    with path.open(encoding="utf-8") as handle:
        for raw in handle:
            record = json.loads(raw)
            for key, value in record["values"].items():
                if key in series and value is not None:
                    series[key].append((record["timestep"], value))
    return series


def bench_metrics(folder: Path, repeats: int) -> float:
    print(f"\nMetrics: default keys, downsample=500 ({len(DEFAULT_KEYS)} default keys, those present are returned)")
    print(
        f"{'file':<30}{'lines':>9}{'MB':>7}{'first ms':>10}{'cached ms':>11}{'+1 line ms':>12}"
        f"{'naive ms':>10}{'naive/+1 line':>15}{'points':>8}"
    )
    worst = 0.0
    for label, lines, total in (
        ("10M steps, PPO (1024/dump)", 9_766, 10_000_000),
        ("200k lines (10M steps, 50/dump)", 200_000, 10_000_000),
    ):
        path = folder / f"metrics-{lines}.jsonl"
        last = write_metrics(path, lines, total)
        reader = MetricsReader()
        started = time.perf_counter()
        result = reader.read_scalars(path, downsample=500)
        first = (time.perf_counter() - started) * 1000
        points = max(len(s["steps"]) for s in result["series"].values())
        assert points <= 500 and result["series"]["rollout/ep_rew_mean"]["steps"][-1] == last
        cached = median_ms(lambda p=path, r=reader: r.read_scalars(p, downsample=500), repeats)  # type: ignore[misc]
        rng, appended_times = random.Random(1), []
        for _ in range(repeats):
            last += 1024
            with path.open("a", encoding="utf-8") as handle:
                handle.write(sb3_dump(last, total, rng))
            started = time.perf_counter()
            reader.read_scalars(path, downsample=500)
            appended_times.append((time.perf_counter() - started) * 1000)
        appended = statistics.median(appended_times)
        naive = median_ms(lambda p=path: naive_metrics(p), 3)  # type: ignore[misc]
        size = path.stat().st_size / 2**20
        print(
            f"{label:<30}{lines:>9,}{size:>7.1f}{first:>10.0f}{cached:>11.3f}{appended:>12.2f}"
            f"{naive:>10.0f}{naive / appended:>14.0f}x{points:>8}"
        )
        worst = max(worst, cached, appended)
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--experiments", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="retro-ml-bench-") as tmp:
        folder = Path(tmp)
        list_worst = bench_store(folder, args.experiments, args.repeats)
        metrics_worst = bench_metrics(folder, args.repeats)
    print()
    ok_list, ok_metrics = list_worst < 50, metrics_worst < 100
    print(f"target list < 50 ms:     {'PASS' if ok_list else 'FAIL'} (slowest query median {list_worst:.2f} ms)")
    print(f"target metrics < 100 ms: {'PASS' if ok_metrics else 'FAIL'} (slowest call median {metrics_worst:.2f} ms)")
    return 0 if ok_list and ok_metrics else 1


if __name__ == "__main__":
    raise SystemExit(main())
