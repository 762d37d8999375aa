"""The app itself: `GET /api/health` (up, and which version) and `GET /api/about` (version, docs,
data folder and the licences of what the app bundles)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from retro_ml import __version__
from retro_ml.services.system import about
from retro_ml.web.routes import app_services

bp = Blueprint("meta", __name__, url_prefix="/api")


@bp.get("/health")
def health() -> ResponseReturnValue:
    return jsonify(status="ok", version=__version__)


@bp.get("/about")
def about_app() -> ResponseReturnValue:
    return jsonify(about(Path(current_app.config["UI_ROOT"]), app_services().paths.data_dir))
