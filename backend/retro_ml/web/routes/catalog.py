"""What a new run can be: `GET /api/games`, `GET /api/presets` (configs sized for this machine,
with its time estimates and their basis) and `GET /api/config-fields`.

Forms (the Training tab's New Training dialog) build their fields from config-fields instead
of hard-coding ranges the server checks: each field's type, range or choices, which
algorithms take it, the server's short help and the algorithms' default values.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from retro_ml.services.experiments.config_fields import ALGORITHMS, FIELDS, Field
from retro_ml.services.games import list_games
from retro_ml.web.routes import app_services

bp = Blueprint("catalog", __name__, url_prefix="/api")

_KINDS = {int: "int", float: "float", str: "choice"}


@bp.get("/games")
def games() -> ResponseReturnValue:
    return jsonify(games=[g.to_dict() for g in list_games()])


@bp.get("/presets")
def presets() -> ResponseReturnValue:
    services = app_services()
    return jsonify(services.presets.describe(services.calibration.estimate_with_basis, services.experiments.hardware))


def describe_field(name: str, spec: Field, defaults: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": name,
        "type": _KINDS[spec.kind],
        "min": spec.low,
        "max": spec.high,
        "choices": list(spec.choices),
        "nullable": spec.nullable,
        "algorithms": list(spec.algorithms),
        "help": spec.help,
        "defaults": {algo: defaults[algo][name] for algo in spec.algorithms if name in defaults[algo]},
    }


@bp.get("/config-fields")
def config_fields() -> ResponseReturnValue:
    catalog = app_services().presets
    defaults = {algo: dict(catalog.raw["algorithms"][algo]["defaults"]) for algo in ALGORITHMS}
    return jsonify(
        fields=[describe_field(name, spec, defaults) for name, spec in FIELDS.items()],
        algorithms=list(ALGORITHMS),
    )
