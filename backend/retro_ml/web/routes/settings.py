"""App settings: read all, change some (validated; nothing saved unless every value is valid)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from retro_ml.web.bodies import json_body

bp = Blueprint("settings", __name__, url_prefix="/api/settings")


@bp.get("")
def get_settings() -> ResponseReturnValue:
    service = current_app.extensions["retro_ml"].settings
    return jsonify(settings=service.all(), schema=service.describe())


@bp.put("")
def put_settings() -> ResponseReturnValue:
    service = current_app.extensions["retro_ml"].settings
    return jsonify(settings=service.update(json_body()), schema=service.describe())
