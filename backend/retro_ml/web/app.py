"""`create_app`: the Flask app, its blueprints, Socket.IO and the security layer."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, jsonify, request, session
from flask.typing import ResponseReturnValue
from flask_socketio import SocketIO

from retro_ml.services.container import Services
from retro_ml.web.bodies import MAX_BODY_BYTES
from retro_ml.web.errors import register_error_handlers
from retro_ml.web.live_socket import register_live_view
from retro_ml.web.routes import (
    catalog,
    experiments,
    exports,
    meta,
    models,
    settings,
    storage,
    studies,
    system,
    ui,
    videos,
)
from retro_ml.web.security import SESSION_KEY, LocalOnlyMiddleware, Security
from retro_ml.web.socket_bridge import bridge_bus_to_socketio, register_socket_auth


@dataclass
class WebApp:
    app: Flask
    socketio: SocketIO
    security: Security


def _session_secret(token: str) -> bytes:
    """Derived from the token: the same token (e.g. after a restart) keeps cookies valid."""
    return hmac.new(token.encode(), b"retro-ml-session", hashlib.sha256).digest()


def register_blueprints(app: Flask) -> None:
    """Every route: one blueprint per URL prefix (web/routes/__init__.py lists them). Also what
    the route fuzz test reads the URL map from, so a new route is fuzzed without being listed."""
    for blueprint in (
        meta.bp,
        catalog.bp,
        experiments.bp,
        videos.bp,
        models.bp,
        studies.bp,
        exports.bp,
        system.bp,
        storage.bp,
        settings.bp,
        ui.bp,
    ):
        app.register_blueprint(blueprint)


def create_app(services: Services, token: str, ui_root: Path, extra_hosts: frozenset[str] = frozenset()) -> WebApp:
    app = Flask(__name__, static_folder=None)
    app.config.update(
        SECRET_KEY=_session_secret(token),
        SESSION_COOKIE_NAME="retro_ml_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        UI_ROOT=str(ui_root),
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,  # a bigger body is a 413 (web/errors.py)
    )
    security = Security(token=token, extra_hosts=extra_hosts)
    app.extensions["retro_ml"] = services
    app.extensions["retro_ml_security"] = security

    @app.before_request
    def require_token() -> ResponseReturnValue | None:
        if not request.path.startswith("/api"):
            return None
        if session.get(SESSION_KEY) or security.bearer_ok(request.headers.get("Authorization")):
            return None
        return jsonify(
            error={
                "code": "unauthorized",
                "message": "Missing or wrong token: open the link Retro ML Trainer printed when it started.",
            }
        ), 401

    register_blueprints(app)
    register_error_handlers(app)

    # cors_allowed_origins=[] keeps engine.io's own check off: our middleware already
    # enforces same-origin on every request, handshake included.
    socketio = SocketIO(app, async_mode="threading", cors_allowed_origins=[], logger=False, engineio_logger=False)
    register_socket_auth(socketio, security)
    bridge_bus_to_socketio(services.bus, socketio)
    register_live_view(socketio, services.live_view, services.model_watch)
    app.wsgi_app = LocalOnlyMiddleware(app.wsgi_app, security)  # type: ignore[method-assign]
    return WebApp(app, socketio, security)
