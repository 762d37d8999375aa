"""Bridges the event bus to Socket.IO, and guards the socket handshake with the token."""

from __future__ import annotations

import itertools
import threading
from typing import Any

from flask import request, session
from flask_socketio import ConnectionRefusedError, SocketIO

from retro_ml.services.events import EventBus, EventData
from retro_ml.web.security import SESSION_KEY, Security


def bridge_bus_to_socketio(bus: EventBus, socketio: SocketIO) -> None:
    """Every bus event goes to every connected (authenticated) client, same name, same payload plus
    `seq`: 1, 2, 3... over all bus events of this server process, so a client that sees a number
    skipped knows it missed an event. Numbered and emitted under one lock: clients get them in order."""
    numbers = itertools.count(1)
    in_order = threading.Lock()

    def forward(event_type: str, data: EventData) -> None:
        with in_order:
            socketio.emit(event_type, {**data, "seq": next(numbers)})

    bus.subscribe_all(forward)


def register_socket_auth(socketio: SocketIO, security: Security) -> None:
    @socketio.on("connect")
    def on_connect(auth: Any = None) -> bool:
        token = auth.get("token") if isinstance(auth, dict) else None
        if (
            security.token_ok(token)
            or session.get(SESSION_KEY)
            or security.bearer_ok(request.headers.get("Authorization"))
        ):
            return True
        # socketio's ConnectionRefusedError (not the builtin): the client gets message + data.
        raise ConnectionRefusedError("Missing or wrong token: open the link Retro ML Trainer printed.", {"status": 401})
