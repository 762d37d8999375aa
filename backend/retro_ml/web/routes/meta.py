"""Health, games, presets (with this machine's time estimates), system status and speed calibration."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from retro_ml import __version__
from retro_ml.errors import Conflict, InvalidInput
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
    services = current_app.extensions["retro_ml"]
    return jsonify(services.presets.describe(services.calibration.estimate))


@bp.get("/system")
def system() -> ResponseReturnValue:
    return jsonify(system_status())


@bp.post("/system/calibrate")
def calibrate() -> ResponseReturnValue:
    """Start a short speed measurement (202); 409 while one runs. Body optional: {"algorithms": ["ppo", "dqn"]}."""
    body: Any = request.get_json(silent=True) if request.get_data().strip() else {}
    if not isinstance(body, dict):
        raise InvalidInput('Send a JSON object, e.g. {"algorithms": ["ppo"]}, or no body.')
    services = current_app.extensions["retro_ml"]
    if services.processes.running_ids():  # a busy CPU would measure a fraction of the real speed
        raise Conflict("Calibration needs an idle machine: run it when no training is running.")
    state = services.calibration.calibrate(body.get("algorithms", ("ppo",)))
    return jsonify(state), 202


@bp.get("/system/calibration")
def calibration() -> ResponseReturnValue:
    return jsonify(current_app.extensions["retro_ml"].calibration.describe())
