"""LiveViewService with real files and a real store; the worker's part is played by the test."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from retro_ml.errors import Conflict, InvalidInput, NotFound
from retro_ml.services.workers.live_view import LiveViewService, jpeg_info, parse_fps
from retro_ml.store import Experiment, TinyDBExperimentStore
from retro_ml.store.entities import new_experiment_id
from retro_ml.training.live_view import encode_screen


class Workers:
    """Which experiments have a live worker (the process manager's `is_running`)."""

    def __init__(self) -> None:
        self.running: set[str] = set()

    def is_running(self, experiment_id: str) -> bool:
        return experiment_id in self.running


class Frames:
    def __init__(self) -> None:
        self.received: list[tuple[str, bytes, dict[str, Any]]] = []
        self.arrived = threading.Condition()

    def __call__(self, experiment_id: str, jpeg: bytes, info: dict[str, Any]) -> None:
        with self.arrived:
            self.received.append((experiment_id, jpeg, info))
            self.arrived.notify_all()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[tuple[str, bytes, dict[str, Any]]]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count, timeout)
            return list(self.received)


@pytest.fixture
def workers() -> Workers:
    return Workers()


@pytest.fixture
def service(store: TinyDBExperimentStore, workers: Workers) -> Any:
    live_view = LiveViewService(store, workers)
    yield live_view
    live_view.shutdown()


def add_run(store: TinyDBExperimentStore, tmp_path: Path, status: str = "running") -> Experiment:
    experiment_id = new_experiment_id()
    run_dir = tmp_path / "runs" / experiment_id
    run_dir.mkdir(parents=True)
    experiment = Experiment(
        id=experiment_id,
        name="Pong #1",
        game="pong",
        env_id="ALE/Pong-v5",
        algorithm="ppo",
        preset="quick",
        config={},
        run_dir=str(run_dir),
    )
    experiment.metadata.status = status
    return store.create(experiment)


def screen(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (210, 160, 3), dtype=np.uint8)


def write_frame(run_dir: Path, seed: int, timestep: int) -> bytes:
    """What the worker does: live.jpg replaced atomically."""
    jpeg = encode_screen(screen(seed), timestep)
    (run_dir / "live.tmp.jpg").write_bytes(jpeg)
    os.replace(run_dir / "live.tmp.jpg", run_dir / "live.jpg")
    return jpeg


def test_frames_flow_to_listeners_while_watched(service: Any, store: Any, workers: Workers, tmp_path: Path) -> None:
    run = add_run(store, tmp_path)
    workers.running.add(run.id)
    run_dir = Path(run.run_dir)
    frames = Frames()
    service.on_frame(frames)

    assert service.watch(run.id, "client-a", 15) == 15
    assert (run_dir / "LIVE_VIEW").read_text() == "15"
    first = write_frame(run_dir, 1, 1234)
    [(experiment_id, jpeg, info)] = frames.wait_for(1)
    assert (experiment_id, jpeg) == (run.id, first)
    assert info == {"width": 320, "height": 420, "timestep": 1234}
    time.sleep(0.3)
    assert len(frames.received) == 1  # the same file is not sent twice
    second = write_frame(run_dir, 2, 1300)
    assert frames.wait_for(2)[-1][1] == second

    service.unwatch(run.id, "client-a")
    assert not (run_dir / "LIVE_VIEW").exists() and service.watched_ids() == []
    write_frame(run_dir, 3, 1400)
    time.sleep(0.3)
    assert len(frames.received) == 2


def test_fps_is_the_highest_asked_and_watches_end_with_their_clients(
    service: Any, store: Any, workers: Workers, tmp_path: Path
) -> None:
    run = add_run(store, tmp_path)
    workers.running.add(run.id)
    watch_file = Path(run.run_dir) / "LIVE_VIEW"
    assert service.watch(run.id, "a", 4) == 4
    assert service.watch(run.id, "b", 99) == 15  # clamped
    assert watch_file.read_text() == "15"
    service.unwatch(run.id, "b")
    assert watch_file.read_text() == "4"
    service.unwatch(run.id, "nobody")  # not watching: nothing happens
    service.drop_client("a")  # disconnected
    assert not watch_file.exists() and service.watched_ids() == []


def test_the_watch_ends_when_the_worker_is_gone(service: Any, store: Any, workers: Workers, tmp_path: Path) -> None:
    run = add_run(store, tmp_path)
    workers.running.add(run.id)
    service.watch(run.id, "a", 15)
    workers.running.clear()
    deadline = time.monotonic() + 5
    while service.watched_ids() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert service.watched_ids() == [] and not (Path(run.run_dir) / "LIVE_VIEW").exists()


def test_heartbeat_keeps_live_view_fresh(service: Any, store: Any, workers: Workers, tmp_path: Path) -> None:
    run = add_run(store, tmp_path)
    workers.running.add(run.id)
    service.watch(run.id, "a", 15)
    watch_file = Path(run.run_dir) / "LIVE_VIEW"
    old = time.time() - 60
    os.utime(watch_file, (old, old))
    time.sleep(2.5)
    assert time.time() - watch_file.stat().st_mtime < 2


def test_only_a_training_run_can_be_watched(service: Any, store: Any, workers: Workers, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        service.watch("0123456789ab", "a", 8)
    for status in ("queued", "completed", "stopped"):
        run = add_run(store, tmp_path, status)
        with pytest.raises(Conflict, match=f"is {status}: its game screen can only be watched while it trains"):
            service.watch(run.id, "a", 8)
        assert not (Path(run.run_dir) / "LIVE_VIEW").exists()
    orphan = add_run(store, tmp_path, "running")  # recorded as running, but no worker
    with pytest.raises(Conflict, match="not training right now"):
        service.watch(orphan.id, "a", 8)
    assert service.watched_ids() == []


def test_parse_fps() -> None:
    assert parse_fps(None) == 8 and parse_fps(0) == 1 and parse_fps(7.6) == 8 and parse_fps(100) == 15
    for wrong in ("8", True, [8], float("nan")):
        with pytest.raises(InvalidInput):
            parse_fps(wrong)


def test_jpeg_info_without_our_comment() -> None:
    import cv2

    ok, data = cv2.imencode(".jpg", np.zeros((30, 40, 3), np.uint8))
    assert ok and jpeg_info(data.tobytes()) == {"width": 40, "height": 30}
    decoded = cv2.imdecode(np.frombuffer(encode_screen(screen(0), 5), np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape == (420, 320, 3)  # the comment segment does not bother decoders
