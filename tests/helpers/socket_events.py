"""A recording Socket.IO client for tests: connects like the UI and waits for events."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import socketio

from retro_ml.run_contract import EVENT_TYPES, LIVE_FRAME

# Every bus event the bridge forwards, and live.frame, which reaches a client only after it
# asked for it (live.watch): watching is opt-in.
EVENT_NAMES = (*EVENT_TYPES, LIVE_FRAME)
STREAMED = ("training.progress", "live.frame")  # too many to list in a failure message


class RecordingClient:
    def __init__(self) -> None:
        self.client = socketio.Client(reconnection=False)
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.connect_errors: list[Any] = []
        self._changed = threading.Condition()
        self.client.on("connect_error", self.connect_errors.append)
        for name in EVENT_NAMES:
            self.client.on(name, self._recorder(name))

    def _recorder(self, name: str) -> Callable[[dict[str, Any]], None]:
        def record(data: dict[str, Any]) -> None:
            with self._changed:
                self.events.append((name, data))
                self._changed.notify_all()

        return record

    def connect(self, base_url: str, **kwargs: Any) -> None:
        self.client.connect(base_url, transports=["websocket"], wait_timeout=10, **kwargs)

    def of(self, name: str, experiment_id: str | None = None) -> list[dict[str, Any]]:
        with self._changed:
            return [d for n, d in self.events if n == name and experiment_id in (None, d.get("experiment_id"))]

    def wait_for(self, name: str, predicate: Callable[[dict[str, Any]], bool], timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for event_name, data in self.events:
                    if event_name == name and predicate(data):
                        return data
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(n, d.get("status")) for n, d in self.events if n not in STREAMED]
                    raise AssertionError(f"no matching {name} within {timeout}s; saw {seen}")
                self._changed.wait(remaining)

    def close(self) -> None:
        if self.client.connected:
            self.client.disconnect()
