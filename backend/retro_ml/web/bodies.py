"""Reading request bodies: a missing, malformed, too deep or too big JSON body is a 4xx that says
what to send, never a 500.

Python's `json` recurses once per nesting level: `[[[[...` a hundred thousand deep raises
RecursionError while parsing, and anything a little under the limit would raise it later, in
whatever walks the value (validation, `jsonify`, the store). So bodies are parsed here, with
the depth checked right after (iteratively), and only shallow values reach the services. NaN,
Infinity and numbers that overflow a float are refused too: JSON has none of them, and
`int(float("inf"))` deep in a service would be a 500. The size cap (`MAX_BODY_BYTES`, Flask's
MAX_CONTENT_LENGTH) is enforced by Flask while the body is read: a 413 (web/errors.py).
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from retro_ml.errors import InvalidInput

MAX_BODY_BYTES = 2 * 2**20  # a batch of 50,000 video ids is under 1 MB; nothing the API takes is a file
MAX_JSON_DEPTH = 32  # the deepest body the API takes is 3 levels (an experiment's config); room to spare
SEND_JSON = "Send a JSON body (Content-Type: application/json)."


def json_body() -> Any:
    """The request's JSON value; 400 when there is none or it cannot be used, 413 when too big."""
    if not request.is_json:
        raise InvalidInput(SEND_JSON)
    body = parse_json(read_body())
    if body is None:
        raise InvalidInput(SEND_JSON)
    return body


def optional_json_body(default: Any) -> Any:
    """Like `json_body`, but an empty body (whatever its Content-Type) means `default`."""
    raw = read_body()
    if not raw.strip():
        return default
    body = parse_json(raw)
    if body is None:
        raise InvalidInput(SEND_JSON)
    return body


def read_body() -> bytes:
    """The raw body; 413 past MAX_BODY_BYTES. Werkzeug refuses a too-long Content-Length itself
    but cuts a chunked body (no length said) at the cap without a word: more to read is a 413."""
    raw = request.get_data(cache=True)
    if len(raw) >= MAX_BODY_BYTES and request.stream.read(1):
        raise RequestEntityTooLarge()
    return raw


def parse_json(raw: bytes) -> Any:
    """Strict JSON (no NaN/Infinity, finite numbers) at most MAX_JSON_DEPTH deep."""
    try:
        value = json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise _too_deep() from None
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, ints over 4,300 digits
        raise InvalidInput(f"The body is not valid JSON ({_short(error)}). {SEND_JSON}") from None
    if json_depth(value) > MAX_JSON_DEPTH:
        raise _too_deep()
    return value


def json_depth(value: Any) -> int:
    """How deeply lists and objects nest in `value` (a scalar: 0), without recursing."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        depth += 1
        if depth > MAX_JSON_DEPTH:
            return depth  # deep enough to refuse: no need to walk the rest
        deepest = max(deepest, depth)
        stack.extend((child, depth) for child in children)
    return deepest


def _too_deep() -> InvalidInput:
    return InvalidInput(
        f"The JSON body nests lists or objects more than {MAX_JSON_DEPTH} levels deep: "
        'send a flat object such as {"name": "..."}.'
    )


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} is too large a number")
    return value


def _short(error: ValueError) -> str:
    text = str(error)
    return text if len(text) <= 160 else f"{text[:157]}..."
