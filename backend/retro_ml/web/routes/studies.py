"""Studies, `/api/studies/*`: Optuna hyperparameter searches whose trials are experiments
(services/studies). Create, join one in a shared storage, list, one study with its trials, stop, resume,
promote a trial."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from retro_ml.services.studies import StudyService
from retro_ml.web.bodies import json_body
from retro_ml.web.routes import app_services

bp = Blueprint("studies", __name__, url_prefix="/api/studies")


def _studies() -> StudyService:
    return app_services().studies


@bp.get("")
def list_studies() -> ResponseReturnValue:
    return jsonify(studies=_studies().list())


@bp.post("")
def create_study() -> ResponseReturnValue:
    return jsonify(study=_studies().create(json_body())), 201


@bp.post("/join")
def join_study() -> ResponseReturnValue:
    return jsonify(study=_studies().join(json_body())), 201


@bp.get("/search-spaces")
def search_spaces() -> ResponseReturnValue:
    return jsonify(_studies().search_spaces())


@bp.get("/<study_id>")
def get_study(study_id: str) -> ResponseReturnValue:
    return jsonify(study=_studies().get(study_id))


@bp.post("/<study_id>/stop")
def stop_study(study_id: str) -> ResponseReturnValue:
    return jsonify(study=_studies().stop(study_id))


@bp.post("/<study_id>/resume")
def resume_study(study_id: str) -> ResponseReturnValue:
    return jsonify(study=_studies().resume(study_id))


@bp.post("/<study_id>/promote")
def promote_trial(study_id: str) -> ResponseReturnValue:
    experiment = _studies().promote(study_id, json_body())
    return jsonify(experiment=experiment.to_dict()), 201
