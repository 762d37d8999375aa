"""Every API failure is JSON `{"error": {"code", "message"}}`; bad input is a 4xx, never a 500."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from retro_ml.errors import AppError
from retro_ml.web.bodies import MAX_BODY_BYTES

log = logging.getLogger(__name__)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(AppError)
    def app_error(error: AppError) -> ResponseReturnValue:
        return jsonify(error=error.to_dict()), error.status

    @app.errorhandler(RequestEntityTooLarge)
    def body_too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
        megabytes = MAX_BODY_BYTES / 2**20
        message = (
            f"The request body is larger than {megabytes:g} MB, the most the API takes: "
            "send the settings or ids themselves, not files."
        )
        return jsonify(error={"code": "body_too_large", "message": message}), 413

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        if not request.path.startswith("/api"):
            return error
        code = (error.name or "error").lower().replace(" ", "_")
        return jsonify(error={"code": code, "message": error.description or error.name}), error.code or 500

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> ResponseReturnValue:
        log.exception("unexpected error on %s %s", request.method, request.path)
        message = (
            f"Something went wrong inside Retro ML Trainer ({type(error).__name__}). Your data is safe; try again."
        )
        return jsonify(error={"code": "internal", "message": message}), 500
