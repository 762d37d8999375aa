"""Experiments: create (queue and start), list, get, edit, delete, and lifecycle control."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from retro_ml.errors import InvalidInput
from retro_ml.services.experiments import ExperimentManager
from retro_ml.store.entities import STATUSES
from retro_ml.store.experiment_store import ExperimentFilter
from retro_ml.web.bodies import json_body

bp = Blueprint("experiments", __name__, url_prefix="/api/experiments")


def _manager() -> ExperimentManager:
    return current_app.extensions["retro_ml"].experiments


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
        q=args.get("q") or None,
        limit=limit,
    )


def _one(experiment: Any, status: int = 200) -> ResponseReturnValue:
    return jsonify(experiment=experiment.to_dict()), status


@bp.post("")
def create() -> ResponseReturnValue:
    return _one(_manager().create(json_body()), 201)


@bp.post("/import")
def import_runs() -> ResponseReturnValue:
    """Models found in a folder (SB3 zips, RL Zoo `logs/<algo>/<env>_<n>/`) become experiments."""
    outcome = current_app.extensions["retro_ml"].importer.import_folder(json_body())
    return jsonify(imported=[e.to_dict() for e in outcome.imported], skipped=outcome.skipped), 201


@bp.get("")
def list_experiments() -> ResponseReturnValue:
    return jsonify(experiments=[e.to_dict() for e in _manager().list(_filters())])


@bp.get("/<experiment_id>")
def get(experiment_id: str) -> ResponseReturnValue:
    return _one(_manager().get(experiment_id))


@bp.patch("/<experiment_id>")
def update(experiment_id: str) -> ResponseReturnValue:
    return _one(_manager().update(experiment_id, json_body()))


@bp.delete("/<experiment_id>")
def delete(experiment_id: str) -> ResponseReturnValue:
    _manager().delete(experiment_id)
    return jsonify(deleted=experiment_id)


@bp.post("/<experiment_id>/stop")
def stop(experiment_id: str) -> ResponseReturnValue:
    return _one(_manager().stop(experiment_id), 202)


@bp.post("/<experiment_id>/pause")
def pause(experiment_id: str) -> ResponseReturnValue:
    return _one(_manager().pause(experiment_id))


@bp.post("/<experiment_id>/resume")
def resume(experiment_id: str) -> ResponseReturnValue:
    return _one(_manager().resume(experiment_id))


@bp.post("/<experiment_id>/retry")
def retry(experiment_id: str) -> ResponseReturnValue:
    return _one(_manager().retry(experiment_id), 201)


@bp.post("/<experiment_id>/continue")
def continue_training(experiment_id: str) -> ResponseReturnValue:
    return _one(_manager().continue_training(experiment_id, json_body()), 201)
