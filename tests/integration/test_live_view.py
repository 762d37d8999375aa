"""Live view: the real server, a real worker on ALE Pong, real Socket.IO clients."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
import socketio

from tests.helpers.api_client import call, create
from tests.helpers.run_configs import LONG_PPO
from tests.helpers.server import LiveServer
from tests.helpers.socket_events import RecordingClient

pytestmark = pytest.mark.training

FPS = 5


class LiveClient:
    """A Socket.IO client like the UI's live view: records `live.frame` with its arrival time."""

    def __init__(self, server: LiveServer) -> None:
        self.client = socketio.Client(reconnection=False)
        self.frames: list[tuple[float, dict[str, Any]]] = []
        self._lock = threading.Lock()
        self.client.on("live.frame", self._record)
        self.client.connect(server.base_url, auth={"token": server.token}, transports=["websocket"], wait_timeout=10)

    def _record(self, data: dict[str, Any]) -> None:
        with self._lock:
            self.frames.append((time.monotonic(), data))

    def call(self, event: str, data: Any) -> dict[str, Any]:
        ack = self.client.call(event, data, timeout=10)
        assert isinstance(ack, dict), ack
        return ack

    def received(self) -> list[tuple[float, dict[str, Any]]]:
        with self._lock:
            return list(self.frames)

    def wait_for_frames(self, count: int, timeout: float) -> list[tuple[float, dict[str, Any]]]:
        deadline = time.monotonic() + timeout
        while len(self.received()) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.received()

    def close(self) -> None:
        if self.client.connected:
            self.client.disconnect()


def wait_until(condition: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return bool(condition())


def test_live_view_streams_env0_only_while_watched(live_server: LiveServer, socket_client: RecordingClient) -> None:
    experiment = create(live_server, game="pong", config=LONG_PPO)
    experiment_id = experiment["id"]
    run_dir = Path(experiment["run_dir"])
    watcher, bystander = LiveClient(live_server), LiveClient(live_server)
    queued: dict[str, Any] | None = None
    try:
        socket_client.wait_for("training.progress", lambda d: d["experiment_id"] == experiment_id, 120)
        # Nobody watches: the worker trains without rendering anything.
        for _ in range(10):
            assert not (run_dir / "LIVE_VIEW").exists() and not (run_dir / "live.jpg").exists()
            time.sleep(0.2)

        ack = watcher.call("live.watch", {"experiment_id": experiment_id, "fps": FPS})
        assert ack == {"ok": True, "experiment_id": experiment_id, "fps": FPS}
        assert (run_dir / "LIVE_VIEW").read_text() == str(FPS)

        frames = watcher.wait_for_frames(3, 15)
        assert len(frames) >= 3, f"{len(frames)} live frames within 15 s"
        frames = watcher.wait_for_frames(len(frames) + 4 * FPS, 8)  # ~4 s more, to measure the rate
        payloads = [data for _, data in frames]
        for data in payloads:
            assert data["experiment_id"] == experiment_id and isinstance(data["jpeg"], bytes)
            assert (data["width"], data["height"]) == (320, 420)
        images = [cv2.imdecode(np.frombuffer(data["jpeg"], np.uint8), cv2.IMREAD_COLOR) for data in payloads]
        assert all(image is not None and image.shape == (420, 320, 3) for image in images)
        assert len({data["jpeg"] for data in payloads}) >= 3, "the screen never changed"
        steps = [data["timestep"] for data in payloads]
        assert steps == sorted(steps) and steps[-1] > 0
        arrival = [t for t, _ in frames]
        rate = (len(frames) - 1) / (arrival[-1] - arrival[0])
        print(f"live view: {len(frames)} frames at {rate:.2f} fps (asked {FPS})")
        assert 1.0 <= rate <= FPS * 1.25, f"{rate:.2f} fps for {FPS} asked"

        assert bystander.received() == []  # it never asked to watch

        ack = watcher.call("live.unwatch", {"experiment_id": experiment_id})
        assert ack == {"ok": True, "experiment_id": experiment_id}
        assert not (run_dir / "LIVE_VIEW").exists()
        time.sleep(1.0)  # a frame already on its way may still arrive
        count = len(watcher.received())
        assert wait_until(lambda: not (run_dir / "live.jpg").exists(), 5), "the worker left live.jpg behind"
        time.sleep(2.0)
        assert len(watcher.received()) == count, "frames went on after live.unwatch"

        # A watcher that disconnects without unwatching ends its watch too.
        leaver = LiveClient(live_server)
        assert leaver.call("live.watch", {"experiment_id": experiment_id})["fps"] == 8  # the default
        assert (run_dir / "LIVE_VIEW").exists()
        leaver.close()
        assert wait_until(lambda: not (run_dir / "LIVE_VIEW").exists(), 5), "LIVE_VIEW outlived its only watcher"

        # Wrong requests get an ack that says why.
        unknown = watcher.call("live.watch", {"experiment_id": "0123456789ab"})
        assert unknown["ok"] is False and unknown["error"]["code"] == "not_found"
        bad = watcher.call("live.watch", {"fps": 5})
        assert bad["ok"] is False and bad["error"]["code"] == "invalid_input"
        bad_fps = watcher.call("live.watch", {"experiment_id": experiment_id, "fps": "fast"})
        assert bad_fps["ok"] is False and bad_fps["error"]["code"] == "invalid_input"
        queued = create(live_server, game="pong", config=LONG_PPO)  # waits: one run at a time
        refused = watcher.call("live.watch", {"experiment_id": queued["id"]})
        assert refused["ok"] is False and refused["error"]["code"] == "conflict"
        assert "queued" in refused["error"]["message"] and "while it trains" in refused["error"]["message"]
    finally:
        if queued is not None:  # before the running one stops, or it would start
            call(live_server, "POST", f"/experiments/{queued['id']}/stop", 202)
        call(live_server, "POST", f"/experiments/{experiment_id}/stop", None)
        socket_client.wait_for(
            "experiment.status", lambda d: d["experiment_id"] == experiment_id and d["status"] == "stopped", 60
        )
        watcher.close()
        bystander.close()

    stopped = watcher_after_stop(live_server, experiment_id)
    assert (
        stopped["ok"] is False and stopped["error"]["code"] == "conflict" and "stopped" in stopped["error"]["message"]
    )
    assert not (run_dir / "live.jpg").exists()
    log = (run_dir / "worker.log").read_text()
    print([line for line in log.splitlines() if line.startswith("live view:")])


def watcher_after_stop(server: LiveServer, experiment_id: str) -> dict[str, Any]:
    client = LiveClient(server)
    try:
        return client.call("live.watch", {"experiment_id": experiment_id})
    finally:
        client.close()
