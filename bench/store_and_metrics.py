"""Experiment listing, store writes and metrics reading, side by side with doing the same naively.

    .venv/bin/python -m bench.store_and_metrics [--experiments 10000] [--videos 50000] [--writes 600]

Store: a database of realistic experiments in a temp dir; each filtered `list(limit=50)`
(median ms over repeats) beside `json.load` of the file + the same filter and sort in Python.
Metrics: a synthetic 10M-step PPO run (one dump per 1024 steps, ~10k lines) and a 200k-line
file, read with downsample=500: the first call (parses the file), an unchanged call (cache),
a call after one appended line (parses only that line), beside a full per-line json parse.
Writes: a database of 10,000 experiments + 50,000 video records; p50/p99 of one write
(update/create of an experiment, update/create of a video) through the store (journaled:
one fsync'ed line per write) beside today's approach before the journal (TinyDB rewriting the
whole file atomically per write); open time, file sizes and the cost of one compaction.
Targets: list < 50 ms; write p99 < 20 ms; metrics < 100 ms for every call after the first
(the first call parses the whole file once per process; its time is printed beside the naive parse).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from tinydb import Query, TinyDB

from retro_ml.services.experiments.metrics import DEFAULT_KEYS, MetricsReader
from retro_ml.store import Experiment, ExperimentFilter, TinyDBExperimentStore
from retro_ml.store.atomic_storage import AtomicJSONStorage, atomic_write_text, dump_document, read_json_document
from retro_ml.store.entities import VideoArtifact, VideoMetadata, VideoMetrics
from retro_ml.store.journal import journal_path_of
from retro_ml.store.migrations import SCHEMA_VERSION
from retro_ml.store.video_store import VIDEOS_TABLE, VideoArtifactStore

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
    experiment.artifacts.videos = [
        {"id": f"{i * 5 + n:012x}", "type": "milestone", "path": f"{run_dir}/videos/milestone_{n}.mp4"}
        for n in range(5)
    ]
    return experiment.to_dict()


def realistic_video(i: int, experiment_id: str, rng: random.Random) -> dict[str, Any]:
    run_dir = f"/home/ana/.local/share/retro-ml-trainer/runs/{experiment_id}"
    pct = rng.choice([10.0, 25.0, 50.0, 75.0, 100.0])
    scores = [round(rng.uniform(-21, 400), 1) for _ in range(rng.randrange(1, 6))]
    return VideoArtifact(
        id=f"{i:012x}",
        experiment_id=experiment_id,
        name=f"Pong #{i // 5 + 1} · milestone {pct:g}%",
        path=f"{run_dir}/videos/milestone_{int(pct):03d}.mp4",
        type=rng.choice(["milestone", "milestone", "best", "hour"]),
        metadata=VideoMetadata(
            duration=rng.uniform(5, 60), size_mb=rng.uniform(0.5, 40), created=f"2026-03-01T00:00:{i % 60:02d}Z",
            tags=["pong", "standard", "ppo", f"best_score:{max(scores):g}"], thumbnail_path=f"{run_dir}/t{i}.png",
            width=160, height=210, frames=rng.randrange(300, 3600), timestep=rng.randrange(1_000_000),
            milestone_pct=pct,
        ),
        metrics=VideoMetrics(avg_score=sum(scores) / len(scores), max_score=max(scores), episode_count=len(scores),
                             scores=scores),
    ).to_dict()  # fmt: skip


def percentiles(times: list[float]) -> tuple[float, float, float]:
    ordered = sorted(times)
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], ordered[-1]


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


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
    # A write appends one fsync'ed journal line; the list after an update needs no re-sort.
    writes, after_write = [], []
    for i in range(5):
        started = time.perf_counter()
        store.update(some_id, lambda e, i=i: setattr(e, "name", f"renamed {i}"))  # type: ignore[misc]
        writes.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        store.list(ExperimentFilter(status="completed", limit=50))
        after_write.append((time.perf_counter() - started) * 1000)
    print(f"{'update(id)':<22}{statistics.median(writes):>10.1f}   (journaled; see the writes table below)")
    print(f"{'list after a write':<22}{statistics.median(after_write):>10.2f}")
    return max(worst, statistics.median(after_write))


# ---- writes at v2.0 scale -----------------------------------------------------------
def write_database(path: Path, experiments: int, videos: int) -> list[str]:
    """A database file as today's store leaves it (one file, no journal); returns the video ids."""
    rng = random.Random(42)
    docs = {str(i + 1): realistic_experiment(i, rng) for i in range(experiments)}
    ids = [doc["id"] for doc in docs.values()]
    records = {str(i + 1): realistic_video(i, ids[i // 5 % len(ids)], rng) for i in range(videos)}
    meta = {"1": {"key": "schema_version", "value": SCHEMA_VERSION}}
    atomic_write_text(path, dump_document({"experiments": docs, VIDEOS_TABLE: records, "meta": meta}))
    return [doc["id"] for doc in records.values()]


def full_rewrite_writes(path: Path, video_ids: list[str], writes: int) -> dict[str, list[float]]:
    """Today's approach before the journal: TinyDB on AtomicJSONStorage rewrites the whole file per write."""
    db = TinyDB(path, storage=AtomicJSONStorage)
    db.storage.prime(read_json_document(path))  # type: ignore[attr-defined]
    experiments, videos, rng = db.table("experiments"), db.table(VIDEOS_TABLE), random.Random(3)

    def update_video(video_id: str, name: str) -> None:
        row = videos.get(Query().id == video_id)  # as the video store looked a record up
        assert row is not None
        videos.update({"name": name}, doc_ids=[row.doc_id])

    times: dict[str, list[float]] = {"update experiment": [], "update video": []}
    for n in range(writes):
        doc_id = rng.randrange(1, len(experiments) + 1)
        times["update experiment"].append(timed(partial(experiments.update, {"name": f"r{n}"}, doc_ids=[doc_id])))
        times["update video"].append(timed(partial(update_video, rng.choice(video_ids), f"r{n}")))
    return times


def renamer(name: str) -> Callable[[Any], None]:
    return lambda entity: setattr(entity, "name", name)


def journaled_writes(store: TinyDBExperimentStore, video_ids: list[str], writes: int) -> dict[str, list[float]]:
    videos, rng = VideoArtifactStore(store), random.Random(3)
    experiment_ids = [e.id for e in store.list()]
    times: dict[str, list[float]] = {"update experiment": [], "update video": [], "create experiment": [],
                                     "create video": [], "delete video": []}  # fmt: skip
    for n in range(writes):
        rename = renamer(f"r{n}")
        times["update experiment"].append(timed(partial(store.update, rng.choice(experiment_ids), rename)))
        times["update video"].append(timed(partial(videos.update, rng.choice(video_ids), rename)))
        if n % 4 == 0:
            fresh = Experiment.from_dict(realistic_experiment(10**9 + n, rng))
            times["create experiment"].append(timed(partial(store.create, fresh)))
            clip = VideoArtifact.from_dict(realistic_video(10**9 + n, fresh.id, rng))
            times["create video"].append(timed(partial(videos.create, clip)))
            times["delete video"].append(timed(partial(videos.delete, clip.id)))
    return times


def bench_writes(folder: Path, experiments: int, video_count: int, writes: int) -> float:
    path = folder / "writes.json"
    video_ids = write_database(path, experiments, video_count)
    size = path.stat().st_size / 2**20
    print(f"\nWrites: {experiments:,} experiments + {video_count:,} video records, database {size:.1f} MB")
    old_open = timed(lambda: read_json_document(path))
    old_writes = max(5, writes // 40)
    old = full_rewrite_writes(path, video_ids, old_writes)
    started = time.perf_counter()
    store = TinyDBExperimentStore(path)
    new_open = (time.perf_counter() - started) * 1000
    new = journaled_writes(store, video_ids, writes)
    journal_mb = journal_path_of(path).stat().st_size / 2**20
    print(f"{'write ms':<20}{'journal p50':>12}{'p99':>8}{'max':>8}{'n':>6}{'full rewrite p50':>18}{'p99':>8}{'n':>4}")
    worst = 0.0
    for label, times in new.items():
        p50, p99, top = percentiles(times)
        line = f"{label:<20}{p50:>12.2f}{p99:>8.2f}{top:>8.1f}{len(times):>6}"
        if label in old:
            o50, o99, _ = percentiles(old[label])
            line += f"{o50:>18.0f}{o99:>8.0f}{len(old[label]):>4}   ({o50 / p50:.0f}x at p50)"
        print(line)
        worst = max(worst, p99)
    reopen = timed(lambda: TinyDBExperimentStore(path).storage.read())
    print(f"open: one file {old_open:.0f} ms (parse); journaled {new_open:.0f} ms; "
          f"with a {journal_mb:.1f} MB journal {reopen:.0f} ms (parse + replay + compaction)")  # fmt: skip
    store.update(store.list(ExperimentFilter(limit=1))[0].id, lambda e: None)
    compaction = timed(store.storage.compact)
    print(
        f"compaction (whole file, atomic): {compaction:.0f} ms, after {journal_mb:.1f} MB of journal or more "
        f"(base {path.stat().st_size / 2**20:.1f} MB; the journal compacts past half the base, at open and close)"
    )
    store.close()
    return worst


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
    parser.add_argument("--videos", type=int, default=50_000)
    parser.add_argument(
        "--writes", type=int, default=600, help="journaled writes of each kind (1/40 as many full rewrites)"
    )
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="retro-ml-bench-") as tmp:
        folder = Path(tmp)
        list_worst = bench_store(folder, args.experiments, args.repeats)
        write_worst = bench_writes(folder, args.experiments, args.videos, args.writes)
        metrics_worst = bench_metrics(folder, args.repeats)
    print()
    ok_list, ok_write, ok_metrics = list_worst < 50, write_worst < 20, metrics_worst < 100
    print(f"target list < 50 ms:     {'PASS' if ok_list else 'FAIL'} (slowest query median {list_worst:.2f} ms)")
    print(f"target write p99 < 20 ms: {'PASS' if ok_write else 'FAIL'} (slowest kind p99 {write_worst:.2f} ms)")
    print(f"target metrics < 100 ms: {'PASS' if ok_metrics else 'FAIL'} (slowest call median {metrics_worst:.2f} ms)")
    return 0 if ok_list and ok_write and ok_metrics else 1


if __name__ == "__main__":
    raise SystemExit(main())
