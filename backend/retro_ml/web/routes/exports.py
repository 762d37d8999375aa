"""Export jobs, `/api/exports/*`, and the exporters, `/api/exporters`: listing jobs, one job,
cancelling one. Jobs are started where their subject lives (`POST /api/videos/<id>/export`,
`/api/videos/export`, `/api/experiments/<id>/export`) and run in the background."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from retro_ml.services.export import ExportService
from retro_ml.web.routes import app_services

bp = Blueprint("exports", __name__, url_prefix="/api")


def _exports() -> ExportService:
    return app_services().exports


@bp.get("/exporters")
def exporters() -> ResponseReturnValue:
    return jsonify(exporters=_exports().catalog())


@bp.get("/exports")
def list_jobs() -> ResponseReturnValue:
    return jsonify(jobs=[j.to_dict() for j in _exports().jobs()])


@bp.get("/exports/<job_id>")
def get_job(job_id: str) -> ResponseReturnValue:
    return jsonify(job=_exports().get(job_id).to_dict())


@bp.post("/exports/<job_id>/cancel")
def cancel_job(job_id: str) -> ResponseReturnValue:
    return jsonify(job=_exports().cancel(job_id).to_dict())
