"""Experiments: create (and start), list, get, stop."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from retro_ml.errors import InvalidInput
from retro_ml.services.experiments import ExperimentManager
from retro_ml.store.entities import STATUSES
from retro_ml.store.experiment_store import ExperimentFilter

bp = Blueprint("experiments", __name__, url_prefix="/api/experiments")


def _manager() -> ExperimentManager:
    return current_app.extensions["retro_ml"].experiments


def _json_body() -> Any:
    body = request.get_json(silent=True)
    if body is None:
        raise InvalidInput("Send a JSON body (Content-Type: application/json).")
    return body


def _filters() -> ExperimentFilter:
    args = request.args
    status = args.get("status") or None
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"Unknown status '{status}': use one of {', '.join(STATUSES)}.", field="status")
    limit = None
    if args.get("limit"):
        try:
            limit = int(args["limit"])
        except ValueError:
            limit = -1
        if not 1 <= limit <= 100_000:
            raise InvalidInput("'limit' must be a whole number from 1 to 100000.", field="limit")
    return ExperimentFilter(
        status=status,
        game=args.get("game") or None,
        algorithm=args.get("algorithm") or None,
        tag=args.get("tag") or None,
        limit=limit,
    )


@bp.post("")
def create() -> ResponseReturnValue:
    experiment = _manager().create(_json_body())
    return jsonify(experiment=experiment.to_dict()), 201


@bp.get("")
def list_experiments() -> ResponseReturnValue:
    return jsonify(experiments=[e.to_dict() for e in _manager().list(_filters())])


@bp.get("/<experiment_id>")
def get(experiment_id: str) -> ResponseReturnValue:
    return jsonify(experiment=_manager().get(experiment_id).to_dict())


@bp.post("/<experiment_id>/stop")
def stop(experiment_id: str) -> ResponseReturnValue:
    return jsonify(experiment=_manager().stop(experiment_id).to_dict()), 202
