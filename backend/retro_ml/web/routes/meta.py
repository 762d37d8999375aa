"""Health, games, presets and system status."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from retro_ml import __version__
from retro_ml.services.games import list_games
from retro_ml.services.system import system_status

bp = Blueprint("meta", __name__, url_prefix="/api")


@bp.get("/health")
def health() -> ResponseReturnValue:
    return jsonify(status="ok", version=__version__)


@bp.get("/games")
def games() -> ResponseReturnValue:
    return jsonify(games=[g.to_dict() for g in list_games()])


@bp.get("/presets")
def presets() -> ResponseReturnValue:
    return jsonify(current_app.extensions["retro_ml"].presets.describe())


@bp.get("/system")
def system() -> ResponseReturnValue:
    return jsonify(system_status())
