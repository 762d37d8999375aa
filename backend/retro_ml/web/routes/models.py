"""Models, `/api/models/*`: every final model, kept checkpoint and imported model as a version;
list (filter, search, sort), one version, tags, delete (a final model only when confirmed).
Evaluate, compare, watch and export follow below, one section each."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from retro_ml.errors import InvalidInput
from retro_ml.services.models import ModelRegistry
from retro_ml.store.entities import MODEL_KINDS, ModelVersion
from retro_ml.store.model_store import ModelFilter
from retro_ml.web.bodies import json_body, optional_json_body
from retro_ml.web.routes import app_services

bp = Blueprint("models", __name__, url_prefix="/api/models")

SORT_KEYS = ("created", "num_timesteps", "score", "size_bytes", "game")


def _registry() -> ModelRegistry:
    return app_services().models


def _filters() -> ModelFilter:
    args = request.args
    kind = args.get("kind") or None
    if kind is not None and kind not in MODEL_KINDS:
        raise InvalidInput(f"Unknown kind '{kind}': use one of {', '.join(MODEL_KINDS)}.", field="kind")
    return ModelFilter(
        game=args.get("game") or None,
        algorithm=args.get("algorithm") or None,
        experiment_id=args.get("experiment_id") or None,
        kind=kind,
        tag=args.get("tag") or None,
        search=(args.get("q") or "").strip() or None,
    )


def _sort_key(name: str) -> Any:
    if name == "score":  # unevaluated versions last, whichever the order
        return lambda m: (m.evaluation is not None, m.evaluation.mean_score if m.evaluation else 0.0)
    return lambda m: getattr(m, name)


def _sorted(models: list[ModelVersion]) -> list[ModelVersion]:
    sort = request.args.get("sort") or "created"
    if sort not in SORT_KEYS:
        raise InvalidInput(f"Sort by one of {', '.join(SORT_KEYS)}.", field="sort")
    order = request.args.get("order") or "desc"
    if order not in ("asc", "desc"):
        raise InvalidInput("'order' is asc or desc.", field="order")
    return sorted(models, key=_sort_key(sort), reverse=order == "desc")


@bp.get("")
def list_models() -> ResponseReturnValue:
    return jsonify(models=[m.to_dict() for m in _sorted(_registry().list(_filters()))])


@bp.get("/<model_id>")
def get(model_id: str) -> ResponseReturnValue:
    return jsonify(model=_registry().get(model_id).to_dict())


@bp.patch("/<model_id>")
def update(model_id: str) -> ResponseReturnValue:
    return jsonify(model=_registry().update(model_id, json_body()).to_dict())


@bp.delete("/<model_id>")
def delete(model_id: str) -> ResponseReturnValue:
    """A final or imported model needs `?confirm=true` (else 409 `confirmation_required`, naming what goes)."""
    confirm = request.args.get("confirm", "")
    if confirm not in ("", "true", "false"):
        raise InvalidInput("'confirm' is true or false.", field="confirm")
    return jsonify(deleted=_registry().delete(model_id, confirmed=confirm == "true"))


# ---- export (sb3 | onnx | hf) --------------------------------------------------------------
@bp.post("/<model_id>/export")
def export(model_id: str) -> ResponseReturnValue:
    """`{format: sb3|onnx|hf, dest}` → 202 `{"job": ...}`; events model.export.progress|complete|failed."""
    return jsonify(job=app_services().model_exports.export(model_id, json_body()).to_dict()), 202


@bp.get("/exports")
def list_exports() -> ResponseReturnValue:
    return jsonify(jobs=[j.to_dict() for j in app_services().model_exports.jobs()])


@bp.get("/exports/<job_id>")
def get_export(job_id: str) -> ResponseReturnValue:
    return jsonify(job=app_services().model_exports.get(job_id).to_dict())


@bp.post("/exports/<job_id>/cancel")
def cancel_export(job_id: str) -> ResponseReturnValue:
    return jsonify(job=app_services().model_exports.cancel(job_id).to_dict())


# ---- evaluate and compare (services/models/jobs.py) ------------------------------------------
@bp.post("/<model_id>/evaluate")
def evaluate(model_id: str) -> ResponseReturnValue:
    """`{episodes?: 1..1000 (10), seed?: ≥0 (0), record?: bool (true), max_seconds?: 1..1800 (120)}` → 202
    `{"job": ...}`; events model.evaluation.progress|complete|failed."""
    return jsonify(job=app_services().model_jobs.evaluate(model_id, optional_json_body({})).to_dict()), 202


@bp.post("/compare")
def compare() -> ResponseReturnValue:
    """`{model_ids: [2..4 ids of one game], episodes?, seed?, record?, max_seconds?}` → 202 `{"job": ...}`;
    events model.comparison.progress|complete|failed."""
    return jsonify(job=app_services().model_jobs.compare(json_body()).to_dict()), 202


@bp.get("/jobs")
def list_jobs() -> ResponseReturnValue:
    """Evaluations and comparisons of this app session, newest first."""
    return jsonify(jobs=[job.to_dict() for job in app_services().model_jobs.jobs()])


@bp.get("/jobs/<job_id>")
def get_job(job_id: str) -> ResponseReturnValue:
    return jsonify(job=app_services().model_jobs.get(job_id).to_dict())


@bp.post("/jobs/<job_id>/cancel")
def cancel_job(job_id: str) -> ResponseReturnValue:
    """Stops the job's process and removes its files; 409 when it has already ended."""
    return jsonify(job=app_services().model_jobs.cancel(job_id).to_dict())


# ---- watch live (services/models/watch.py; the frames come over Socket.IO) ---------------------
@bp.get("/<model_id>/watch")
def watch_status(model_id: str) -> ResponseReturnValue:
    """`{model_id, watching, speed: 1|2|4|null, games: [scores of the games played so far]}`."""
    return jsonify(app_services().model_watch.status(model_id))


@bp.put("/<model_id>/watch")
def change_watch_speed(model_id: str) -> ResponseReturnValue:
    """`{speed: 1|2|4}` while someone watches (409 otherwise): the same player, a new pace."""
    body = json_body()
    if not isinstance(body, dict):
        raise InvalidInput('Send {"speed": 1, 2 or 4}.', field="speed")
    return jsonify(app_services().model_watch.set_speed(model_id, body.get("speed")))
