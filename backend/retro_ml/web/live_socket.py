"""Socket.IO side of the live view: `live.watch` / `live.unwatch`, and `live.frame` to the watchers.

A client that watches experiment X joins the room `live:X`; frames go to that room only,
as `live.frame` `{experiment_id, jpeg: <bytes>, width, height, timestep?}` (the JPEG is a
binary attachment: the browser gets an ArrayBuffer). Every call is answered with an ack,
`{"ok": true, ...}` or `{"ok": false, "error": {"code", "message"}}`, never an exception.
Only authenticated sockets get here: the connect handler refuses the others.

A model version (the Models tab's Watch) is watched the same way with `{"model_id", "fps"?,
"speed"?: 1|2|4}` instead of an experiment id: its room is `live:model:<id>`, its frames are
`{model_id, jpeg, width, height, timestep, score, game, game_frame}`, and `live.ended`
`{model_id, message}` tells its watchers when its player stopped by itself (services/models/watch.py).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import request
from flask_socketio import SocketIO, join_room, leave_room

from retro_ml.errors import AppError, InvalidInput
from retro_ml.run_contract import (
    LIVE_ENDED,
    LIVE_FRAME,
    LIVE_UNWATCH,
    LIVE_WATCH,
    FrameInfo,
    LiveEndedEvent,
    LiveFrameEvent,
    ModelLiveFrameEvent,
)
from retro_ml.services.models.watch import ModelWatchService
from retro_ml.services.workers import LiveViewService

log = logging.getLogger(__name__)


def live_room(experiment_id: str) -> str:
    return f"live:{experiment_id}"


def model_room(model_id: str) -> str:
    return f"live:model:{model_id}"


def register_live_view(socketio: SocketIO, live_view: LiveViewService, model_watch: ModelWatchService) -> None:
    def send_frame(experiment_id: str, jpeg: bytes, info: FrameInfo) -> None:
        frame = LiveFrameEvent(experiment_id=experiment_id, jpeg=jpeg, **info)
        socketio.emit(LIVE_FRAME, frame, to=live_room(experiment_id))

    def send_model_frame(model_id: str, jpeg: bytes, info: FrameInfo) -> None:
        socketio.emit(LIVE_FRAME, ModelLiveFrameEvent(model_id=model_id, jpeg=jpeg, **info), to=model_room(model_id))

    def send_ended(model_id: str, message: str) -> None:
        socketio.emit(LIVE_ENDED, LiveEndedEvent(model_id=model_id, message=message), to=model_room(model_id))

    live_view.on_frame(send_frame)
    model_watch.on_frame(send_model_frame)
    model_watch.on_ended(send_ended)

    def watch_model(client_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        model_id = payload["model_id"]
        if not isinstance(model_id, str) or not model_id:
            raise InvalidInput('Say which model to watch: {"model_id": "...", "speed": 1}.', field="model_id")
        watching = model_watch.watch(model_id, client_id, payload.get("fps"), payload.get("speed"))
        join_room(model_room(model_id))
        if not socketio.server.manager.is_connected(client_id, "/"):
            model_watch.drop_client(client_id)  # it left while its player started
        return {"ok": True, **watching}

    @socketio.on(LIVE_WATCH)
    def on_watch(payload: Any = None) -> dict[str, Any]:
        client_id: str = request.sid  # type: ignore[attr-defined]
        try:
            if isinstance(payload, dict) and "model_id" in payload:
                return watch_model(client_id, payload)
            experiment_id = experiment_id_of(payload)
            fps = live_view.watch(experiment_id, client_id, payload.get("fps"))
            join_room(live_room(experiment_id))
            if not socketio.server.manager.is_connected(client_id, "/"):
                live_view.drop_client(client_id)  # it left while we were adding it
            return {"ok": True, "experiment_id": experiment_id, "fps": fps}
        except Exception as error:  # noqa: BLE001 - the client gets an ack, never an exception
            return error_ack(error)

    @socketio.on(LIVE_UNWATCH)
    def on_unwatch(payload: Any = None) -> dict[str, Any]:
        client_id: str = request.sid  # type: ignore[attr-defined]
        try:
            if isinstance(payload, dict) and "model_id" in payload:
                model_id = str(payload["model_id"])
                leave_room(model_room(model_id))
                model_watch.unwatch(model_id, client_id)
                return {"ok": True, "model_id": model_id}
            experiment_id = experiment_id_of(payload)
            leave_room(live_room(experiment_id))
            live_view.unwatch(experiment_id, client_id)
            return {"ok": True, "experiment_id": experiment_id}
        except Exception as error:  # noqa: BLE001
            return error_ack(error)

    @socketio.on("disconnect")
    def on_disconnect(reason: Any = None) -> None:
        live_view.drop_client(request.sid)  # type: ignore[attr-defined]
        model_watch.drop_client(request.sid)  # type: ignore[attr-defined]


def experiment_id_of(payload: Any) -> str:
    experiment_id = payload.get("experiment_id") if isinstance(payload, dict) else None
    if not isinstance(experiment_id, str) or not experiment_id:
        raise InvalidInput('Say which run to watch: {"experiment_id": "...", "fps": 8}.', field="experiment_id")
    return experiment_id


def error_ack(error: Exception) -> dict[str, Any]:
    if isinstance(error, AppError):
        return {"ok": False, "error": error.to_dict()}
    log.exception("live view request failed")
    message = f"Something went wrong inside Retro ML Trainer ({type(error).__name__}); try again."
    return {"ok": False, "error": {"code": "internal", "message": message}}
