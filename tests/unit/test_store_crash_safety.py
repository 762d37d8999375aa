"""A kill -9 at random moments during a stream of store writes: the store loads, nothing acknowledged is lost.

A real child process opens the store (real files in a temp dir) and writes in a loop: it
prints `intent ...` before each store call and `ack` after it returned. The parent kills it
with SIGKILL at random moments (fixed seed), then opens the store: every acknowledged write
must be there, and the one write in flight is either there whole or not at all. The child
compacts often (a tiny threshold), so kills also land in compactions.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from retro_ml.store import TinyDBExperimentStore
from retro_ml.store.journal import read_database
from retro_ml.store.video_store import VIDEOS_TABLE, VideoArtifactStore, VideoFilter

WRITER = """
import random, sys
from pathlib import Path
from retro_ml.store import journal
journal.COMPACT_MIN_BYTES = 3_000  # compact every few dozen writes: kills land in compactions too
from retro_ml.store import Experiment, TinyDBExperimentStore
from retro_ml.store.entities import VideoArtifact
from retro_ml.store.video_store import VideoArtifactStore, VideoFilter

path, seed = Path(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)
store = TinyDBExperimentStore(path)
videos = VideoArtifactStore(store)
experiment_ids = [e.id for e in store.list()]
video_ids = [v.id for v in videos.list(VideoFilter(), {})]
print("ready", flush=True)
n = 0
while True:
    n += 1
    name, roll = f"w{seed}-{n}", rng.random()
    if not experiment_ids or roll < 0.2:
        ident = f"{rng.getrandbits(48):012x}"
        print("intent create experiments", ident, name, flush=True)
        store.create(Experiment(id=ident, name=name, game="pong", env_id="ALE/Pong-v5", algorithm="ppo",
                                preset="quick", config={"pad": "x" * rng.randrange(2000)}, run_dir="/runs/" + ident))
        experiment_ids.append(ident)
    elif roll < 0.55:
        ident = rng.choice(experiment_ids)
        print("intent update experiments", ident, name, flush=True)
        store.update(ident, lambda e: setattr(e, "name", name))
    elif roll < 0.62:
        ident = experiment_ids.pop(rng.randrange(len(experiment_ids)))
        print("intent delete experiments", ident, "-", flush=True)
        store.delete(ident)
    elif roll < 0.8 or not video_ids:
        ident = f"{rng.getrandbits(48):012x}"
        print("intent create videos", ident, name, flush=True)
        videos.create(VideoArtifact(id=ident, experiment_id=rng.choice(experiment_ids), name=name,
                                    path=f"/runs/{ident}.mp4", type="milestone"))
        video_ids.append(ident)
    elif roll < 0.95:
        ident = rng.choice(video_ids)
        print("intent update videos", ident, name, flush=True)
        videos.update(ident, lambda v: setattr(v, "name", name))
    else:
        ident = video_ids.pop(rng.randrange(len(video_ids)))
        print("intent delete videos", ident, "-", flush=True)
        videos.delete(ident)
    print("ack", flush=True)
"""

Names = dict[str, dict[str, str]]  # table -> id -> name


def apply(expected: Names, intent: list[str]) -> None:
    kind, table, ident, name = intent
    if kind == "delete":
        expected[table].pop(ident, None)
    else:
        expected[table][ident] = name


def run_writer_until_killed(path: Path, seed: int, delay: float) -> list[str]:
    errors = path.with_name("writer.err")
    with errors.open("w") as stderr:
        command = [sys.executable, "-c", WRITER, str(path), str(seed)]
        writer = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr)
    assert writer.stdout is not None
    ready = writer.stdout.readline().strip()
    assert ready == b"ready", (ready, errors.read_text())
    time.sleep(delay)
    writer.send_signal(signal.SIGKILL)
    output = writer.stdout.read().decode()  # to the end: the pipe closes when the writer is gone
    assert writer.wait() == -signal.SIGKILL
    return output.splitlines()


def stored_names(path: Path, through_the_store: bool) -> Names:
    """What a fresh open sees: through the store and its entities, or the replayed raw document."""
    if through_the_store:
        store = TinyDBExperimentStore(path)
        try:
            videos = VideoArtifactStore(store).list(VideoFilter(), {})
            return {"experiments": {e.id: e.name for e in store.list()}, "videos": {v.id: v.name for v in videos}}
        finally:
            store.close()
    document, _ = read_database(path)
    assert document is not None
    return {
        "experiments": {d["id"]: d["name"] for d in document.get("experiments", {}).values()},
        "videos": {d["id"]: d["name"] for d in document.get(VIDEOS_TABLE, {}).values()},
    }


def test_kill_9_at_random_moments_loses_no_acknowledged_write(tmp_path: Path) -> None:
    path = tmp_path / "retro_ml.json"
    TinyDBExperimentStore(path).close()
    rng = random.Random(1414)
    expected: Names = {"experiments": {}, "videos": {}}
    acknowledged = 0
    for kill in range(24):
        lines = run_writer_until_killed(path, seed=kill, delay=rng.uniform(0.05, 0.45))
        in_flight: list[str] | None = None
        for line in lines:
            if line.startswith("intent "):
                in_flight = line.split()[1:]
            elif line == "ack" and in_flight is not None:
                apply(expected, in_flight)
                acknowledged, in_flight = acknowledged + 1, None

        # Even rounds open the real store (which compacts the journal at open and close);
        # odd ones leave the journal for the next writer to replay.
        actual = stored_names(path, through_the_store=kill % 2 == 0)
        if in_flight is not None and actual != expected:  # the killed write made it to disk whole
            apply(expected, in_flight)
        assert actual == expected, f"after kill {kill}: in flight {in_flight}"
    assert acknowledged > 100  # the loop did write under fire
    assert sum(len(names) for names in expected.values()) > 20
