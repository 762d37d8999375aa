"""The bus → Socket.IO bridge numbers what it emits, so a client can tell it missed an event."""

from __future__ import annotations

import threading

from flask import Flask
from flask_socketio import SocketIO

from retro_ml.services.events import EXPERIMENT_STATUS, TRAINING_PROGRESS, EventBus
from retro_ml.web.socket_bridge import bridge_bus_to_socketio


def test_every_emitted_event_carries_the_next_sequence_number() -> None:
    app = Flask(__name__)
    socketio = SocketIO(app, async_mode="threading")
    bus = EventBus()
    bridge_bus_to_socketio(bus, socketio)
    client = socketio.test_client(app)

    def publish_from_a_thread(thread: int) -> None:
        for step in range(25):
            bus.publish(TRAINING_PROGRESS, {"experiment_id": f"run{thread}", "timestep": step})

    threads = [threading.Thread(target=publish_from_a_thread, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    payload = {"experiment_id": "run0", "status": "completed", "message": ""}
    bus.publish(EXPERIMENT_STATUS, payload)

    received = client.get_received()
    assert [event["args"][0]["seq"] for event in received] == list(range(1, 102))
    assert received[-1]["name"] == EXPERIMENT_STATUS
    assert received[-1]["args"][0] == {**payload, "seq": 101}
    assert "seq" not in payload  # subscribers share the payload: the bridge numbers a copy
