"""App settings, `/api/settings`: read all, change some (validated; nothing saved unless every value is valid).
Answers show a URL's password as `***` (SettingsService.public)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from retro_ml.web.bodies import json_body
from retro_ml.web.routes import app_services

bp = Blueprint("settings", __name__, url_prefix="/api/settings")


@bp.get("")
def get_settings() -> ResponseReturnValue:
    service = app_services().settings
    return jsonify(settings=service.public(), schema=service.describe())


@bp.put("")
def put_settings() -> ResponseReturnValue:
    service = app_services().settings
    return jsonify(settings=service.public(service.update(json_body())), schema=service.describe())
