"""Reading request bodies: a missing or malformed JSON body is a 400 that says what to send."""

from __future__ import annotations

from typing import Any

from flask import request

from retro_ml.errors import InvalidInput


def json_body() -> Any:
    body = request.get_json(silent=True)
    if body is None:
        raise InvalidInput("Send a JSON body (Content-Type: application/json).")
    return body
