"""The start-up sweep on real folders: which runs folders it covers, what it removes, and the runs it
leaves alone (active in the store, or named by a live `retro-ml worker --run-dir` process)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from retro_ml.services.storage.leftovers import live_run_dirs, runs_folders, sweep_leftovers
from retro_ml.store.entities import Experiment, new_experiment_id
from tests.helpers.desktop import wait_until


def _run(runs_folder: Path, status: str) -> Experiment:
    experiment_id = new_experiment_id()
    run_dir = runs_folder / experiment_id
    (run_dir / "checkpoints").mkdir(parents=True)
    (run_dir / "checkpoints" / "step_100.zip").write_bytes(b"c")
    (run_dir / "checkpoints" / ".step_200.tmp.zip").write_bytes(b"half")
    (run_dir / "videos" / "hour").mkdir(parents=True)
    (run_dir / "videos" / "milestone_10.mp4").write_bytes(b"v")
    (run_dir / "videos" / ".milestone_20.mp4.ab12.part").write_bytes(b"half")
    (run_dir / "videos" / "hour" / ".segment_0001.png.tmp").write_bytes(b"half")
    experiment = Experiment(
        id=experiment_id,
        name=f"run {status}",
        game="pong",
        env_id="ALE/Pong-v5",
        algorithm="ppo",
        preset="quick",
        config={},
        run_dir=str(run_dir),
    )
    experiment.metadata.status = status
    return experiment


def _leftovers(experiment: Experiment) -> list[Path]:
    run_dir = Path(experiment.run_dir)
    return [p for p in run_dir.rglob(".*") if p.is_file()]


@pytest.fixture
def process_naming() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        process.kill()
        process.wait()


def test_sweeps_every_known_runs_folder_and_spares_active_and_live_runs(
    tmp_path: Path, process_naming: list[subprocess.Popen[bytes]]
) -> None:
    data_runs, custom, earlier = tmp_path / "data" / "runs", tmp_path / "custom", tmp_path / "earlier"
    for folder in (data_runs, custom, earlier):
        folder.mkdir(parents=True)
    done_here, done_earlier = _run(data_runs, "completed"), _run(earlier, "failed")
    running, paused, owned = _run(custom, "running"), _run(custom, "paused"), _run(custom, "interrupted")
    trashes = [folder / ".trash-0123456789ab-a1b2c3" for folder in (data_runs, custom, earlier)]
    for trash in trashes:
        (trash / "videos").mkdir(parents=True)
    not_ours = [earlier / ".trash-photos", custom / "notes.part"]
    not_ours[0].mkdir()
    not_ours[1].write_text("mine")
    # a clip recorder (or a worker the store lost track of) still writes in `owned`'s folder
    process_naming.append(
        subprocess.Popen(
            [sys.executable, "-c", "import time; time.sleep(60)", "worker", "--run-dir", owned.run_dir, "--clips"]
        )
    )
    wait_until(lambda: str(Path(owned.run_dir).resolve()) in live_run_dirs(), 10, "the process to show")
    experiments = [done_here, done_earlier, running, paused, owned]

    assert set(runs_folders(experiments, [data_runs, custom])) == {data_runs, custom, earlier}
    result = sweep_leftovers(experiments, [data_runs, custom])

    assert not any(trash.exists() for trash in trashes)
    assert _leftovers(done_here) == [] and _leftovers(done_earlier) == []
    for kept in (done_here, done_earlier):
        assert (Path(kept.run_dir) / "checkpoints" / "step_100.zip").exists()
        assert (Path(kept.run_dir) / "videos" / "milestone_10.mp4").exists()
    assert all(len(_leftovers(e)) == 3 for e in (running, paused, owned))
    assert all(path.exists() for path in not_ours)
    assert len(result.removed) == 3 + 2 * 3
    assert sorted(map(str, result.skipped_live)) == sorted(e.run_dir for e in (running, paused, owned))


def test_a_missing_runs_folder_or_run_folder_is_no_error(tmp_path: Path) -> None:
    gone = _run(tmp_path / "runs", "completed")
    shutil.rmtree(gone.run_dir)
    result = sweep_leftovers([gone], [tmp_path / "never-made"])
    assert result.removed == [] and result.runs_folders == [tmp_path / "runs"]
