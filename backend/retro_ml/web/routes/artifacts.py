"""A run's files and worker log: `GET /api/experiments/<id>/artifacts` and `.../logs?tail=N`."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from retro_ml.services.experiments.artifacts import parse_tail

bp = Blueprint("artifacts", __name__, url_prefix="/api/experiments")


def _run_dir(experiment_id: str) -> tuple[str, Path]:
    experiment = current_app.extensions["retro_ml"].experiments.get(experiment_id)  # 404 when unknown
    return experiment.id, Path(experiment.run_dir)


@bp.get("/<experiment_id>/artifacts")
def list_artifacts(experiment_id: str) -> ResponseReturnValue:
    ident, run_dir = _run_dir(experiment_id)
    return jsonify(
        experiment_id=ident, run_dir=str(run_dir), **current_app.extensions["retro_ml"].run_artifacts.list(run_dir)
    )


@bp.get("/<experiment_id>/logs")
def read_log(experiment_id: str) -> ResponseReturnValue:
    tail = parse_tail(request.args.get("tail"))
    ident, run_dir = _run_dir(experiment_id)
    artifacts = current_app.extensions["retro_ml"].run_artifacts
    return jsonify(experiment_id=ident, tail=tail, **artifacts.log_tail(run_dir, tail).to_dict())
