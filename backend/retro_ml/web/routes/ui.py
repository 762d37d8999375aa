"""The front end: index.html, its assets, and socket.io-client from npm's node_modules."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, request, send_from_directory, session
from flask.typing import ResponseReturnValue

from retro_ml.web.security import SESSION_KEY

bp = Blueprint("ui", __name__)

# The npm packages the page loads, by the names it asks for: nothing else in node_modules is served.
VENDOR_FILES = {
    "socket.io.esm.min.js": Path("node_modules") / "socket.io-client" / "dist",
    "socket.io.min.js": Path("node_modules") / "socket.io-client" / "dist",
    "uPlot.esm.js": Path("node_modules") / "uplot" / "dist",
    "uPlot.min.css": Path("node_modules") / "uplot" / "dist",
}


def _ui_root() -> Path:
    return Path(current_app.config["UI_ROOT"])


@bp.get("/")
def index() -> ResponseReturnValue:
    token = request.args.get("token")
    if token is not None:
        # Trade the token in the URL for a session cookie, then drop it from the address bar.
        if current_app.extensions["retro_ml_security"].token_ok(token):
            session.permanent = True
            session[SESSION_KEY] = True
        return redirect("/", code=303)
    response = send_from_directory(_ui_root(), "index.html", max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/css/<path:name>")
def css(name: str) -> ResponseReturnValue:
    return send_from_directory(_ui_root() / "css", name, max_age=0)


@bp.get("/js/<path:name>")
def js(name: str) -> ResponseReturnValue:
    return send_from_directory(_ui_root() / "js", name, max_age=0)


@bp.get("/vendor/<name>")
def vendor(name: str) -> ResponseReturnValue:
    folder = VENDOR_FILES.get(name)
    if folder is None:
        abort(404)
    return send_from_directory(_ui_root() / folder, name, max_age=3600)
