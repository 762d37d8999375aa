"""The Models list with many versions: listed from the store, side by side with scanning the run folders.

    .venv/bin/python -m bench.models_list [--experiments 334] [--repeats 30]

A temp data dir with N finished runs (default 334), each with model.zip and 2 kept checkpoints
(3 files: ~1,000 versions), written as the app leaves them. Printed, median and p95 ms:
- `GET /api/models` through the real Flask app (the app's way: the `model_versions` table),
  unfiltered and filtered (`?game=pong&kind=checkpoint`), and sorted by score;
- `registry.list()` alone, and the same list made by walking every run folder per request
  (list checkpoints/, stat each file), which is what the store spares every request; their ratio;
- the registry's sync at start (every run folder once), and a second start with nothing new.
Target: the list < 100 ms at 1,000 versions.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from retro_ml.config import AppPaths, ui_root
from retro_ml.run_contract import CHECKPOINTS_DIR, MODEL_FILE, checkpoint_file_name, checkpoint_files
from retro_ml.services.container import build_services
from retro_ml.store import Experiment, TinyDBExperimentStore
from retro_ml.store.entities import Metadata, Progress, new_experiment_id
from retro_ml.web.app import create_app

GAMES = ["pong", "breakout", "space_invaders", "seaquest", "ms_pacman", "qbert"]
MODEL_BYTES = b"PK" + bytes(20_000)  # the list never opens the file; its size is what it reads


def seed_runs(paths: AppPaths, count: int) -> None:
    paths.ensure()
    store = TinyDBExperimentStore(paths.database)
    for i in range(count):
        ident = new_experiment_id()
        run_dir = paths.runs / ident
        (run_dir / CHECKPOINTS_DIR).mkdir(parents=True)
        (run_dir / MODEL_FILE).write_bytes(MODEL_BYTES)
        for step in (400_000, 800_000):
            (run_dir / CHECKPOINTS_DIR / checkpoint_file_name(step)).write_bytes(MODEL_BYTES)
        game = GAMES[i % len(GAMES)]
        store.create(
            Experiment(
                id=ident,
                name=f"{game} #{i}",
                game=game,
                env_id=f"ALE/{game}-v5",
                algorithm="ppo" if i % 3 else "dqn",
                preset="quick",
                config={},
                run_dir=str(run_dir),
                metadata=Metadata(status="completed"),
                progress=Progress(timestep=1_000_000, total_timesteps=1_000_000, progress_pct=100.0),
            )
        )
    store.close()


def scan_folders(store: TinyDBExperimentStore) -> list[dict[str, object]]:
    """The list without a table: every run folder walked and every file stat'ed, per request."""
    found: list[dict[str, object]] = []
    for experiment in store.list():
        run_dir = Path(experiment.run_dir)
        files = [(experiment.progress.timestep, run_dir / MODEL_FILE), *checkpoint_files(run_dir / CHECKPOINTS_DIR)]
        for steps, path in files:
            if path.is_file():
                stat = path.stat()
                found.append({"experiment_id": experiment.id, "path": str(path), "steps": steps, "size": stat.st_size})
    return found


def timed(call: Callable[[], object], repeats: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", type=int, default=334)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-models-") as folder:
        paths = AppPaths(Path(folder) / "data")
        seed_runs(paths, args.experiments)
        start = time.perf_counter()
        services = build_services(paths)
        first_start = time.perf_counter() - start
        versions = services.models.count()
        services.shutdown()
        start = time.perf_counter()
        services = build_services(paths)
        second_start = time.perf_counter() - start
        client = create_app(services, "bench", ui_root()).app.test_client()
        headers = {"Authorization": "Bearer bench"}

        def get(query: str) -> Callable[[], object]:
            def call() -> object:
                response = client.get(f"/api/models{query}", headers=headers)
                assert response.status_code == 200, response.data
                return response

            return call

        rows = [
            ("GET /api/models", timed(get(""), args.repeats)),
            ("GET /api/models?game=pong&kind=checkpoint", timed(get("?game=pong&kind=checkpoint"), args.repeats)),
            ("GET /api/models?sort=score", timed(get("?sort=score"), args.repeats)),
            ("registry.list() (no HTTP, no JSON)", timed(services.models.list, args.repeats)),
            ("scan the run folders (no table)", timed(lambda: scan_folders(services.store), args.repeats)),
        ]
        services.shutdown()
    print(f"{args.experiments} runs, {versions} model versions")
    print(f"{'':44} {'median ms':>10} {'p95 ms':>8}")
    for label, (median, p95) in rows:
        print(f"{label:44} {median:10.1f} {p95:8.1f}")
    first_ms, again_ms = first_start * 1000, second_start * 1000
    print(f"registry sync at start: first {first_ms:.0f} ms (whole app start), again {again_ms:.0f} ms")
    store_ms, registry_ms, scan_ms = rows[0][1][0], rows[3][1][0], rows[4][1][0]
    print(f"scanning the folders / the registry's list: {scan_ms / registry_ms:.2f}x (warm page cache: the")
    print("scan's best case; the table also holds what no folder has: evaluations and tags)")
    verdict = "OK" if store_ms < 100 else "SLOW"
    print(f"target: the whole list < 100 ms at {versions} versions: {store_ms:.1f} ms {verdict}")


if __name__ == "__main__":
    main()
