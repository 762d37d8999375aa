"""Experiments, `/api/experiments/*`: create (queue and start), import, list, get, edit, delete,
lifecycle control; a run's files and worker log tail, its metrics as downsampled series, showing
its folder in the file manager, and exporting its model (a 202 job, see exports.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from retro_ml.errors import InvalidInput, NotFound
from retro_ml.run_contract import METRICS_FILE
from retro_ml.services.experiments import ExperimentManager
from retro_ml.services.experiments.artifacts import parse_tail
from retro_ml.services.experiments.metrics import DEFAULT_DOWNSAMPLE, MAX_DOWNSAMPLE, MIN_DOWNSAMPLE
from retro_ml.store.entities import STATUSES, Experiment
from retro_ml.store.experiment_store import ExperimentFilter
from retro_ml.store.video_store import VideoFilter
from retro_ml.web.bodies import json_body
from retro_ml.web.routes import app_services

bp = Blueprint("experiments", __name__, url_prefix="/api/experiments")

MAX_KEYS = 64
MAX_KEY_LENGTH = 200


def _manager() -> ExperimentManager:
    return app_services().experiments


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


def _new_run(experiment: Experiment) -> ResponseReturnValue:
    """201 with the run, and `warning` (else null) when its estimated files exceed the free space."""
    services = app_services()
    warning = services.experiments.disk_warning(experiment, services.videos.list(VideoFilter()))
    return jsonify(experiment=experiment.to_dict(), warning=warning), 201


# ---- the experiments -------------------------------------------------------------------
@bp.post("")
def create() -> ResponseReturnValue:
    return _new_run(_manager().create(json_body()))


@bp.post("/import")
def import_runs() -> ResponseReturnValue:
    """Models found in a folder (SB3 zips, RL Zoo `logs/<algo>/<env>_<n>/`) become experiments;
    `scan` says how far the (bounded) search looked. None found: 422 `nothing_to_import`."""
    outcome = app_services().importer.import_folder(json_body())
    imported = [e.to_dict() for e in outcome.imported]
    return jsonify(imported=imported, skipped=outcome.skipped, scan=outcome.scan.to_dict()), 201


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


# ---- lifecycle -------------------------------------------------------------------------
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
    return _new_run(_manager().retry(experiment_id))


@bp.post("/<experiment_id>/continue")
def continue_training(experiment_id: str) -> ResponseReturnValue:
    return _new_run(_manager().continue_training(experiment_id, json_body()))


# ---- the run folder: files, log, metrics -----------------------------------------------
def _run_dir(experiment_id: str) -> tuple[str, Path]:
    experiment = _manager().get(experiment_id)  # 404 when unknown
    return experiment.id, Path(experiment.run_dir)


@bp.get("/<experiment_id>/artifacts")
def list_artifacts(experiment_id: str) -> ResponseReturnValue:
    ident, run_dir = _run_dir(experiment_id)
    return jsonify(experiment_id=ident, run_dir=str(run_dir), **app_services().run_artifacts.list(run_dir))


@bp.get("/<experiment_id>/logs")
def read_log(experiment_id: str) -> ResponseReturnValue:
    """`?tail=N`: the last N lines of the worker log."""
    tail = parse_tail(request.args.get("tail"))
    ident, run_dir = _run_dir(experiment_id)
    return jsonify(experiment_id=ident, tail=tail, **app_services().run_artifacts.log_tail(run_dir, tail).to_dict())


def _downsample() -> int:
    raw = request.args.get("downsample")
    if raw is None or raw == "":
        return DEFAULT_DOWNSAMPLE
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if not MIN_DOWNSAMPLE <= value <= MAX_DOWNSAMPLE:
        raise InvalidInput(
            f"'downsample' must be a whole number from {MIN_DOWNSAMPLE} to {MAX_DOWNSAMPLE} "
            f"(the most points per series), e.g. downsample={DEFAULT_DOWNSAMPLE}.",
            field="downsample",
        )
    return value


def _keys() -> list[str] | None:
    raw = request.args.get("keys")
    if raw is None or not raw.strip():
        return None
    keys = list(dict.fromkeys(k.strip() for k in raw.split(",") if k.strip()))
    if len(keys) > MAX_KEYS or any(len(k) > MAX_KEY_LENGTH for k in keys):
        raise InvalidInput(
            f"Ask for at most {MAX_KEYS} keys of at most {MAX_KEY_LENGTH} characters, separated by commas "
            "(e.g. keys=rollout/ep_rew_mean,train/loss); `keys_available` lists them.",
            field="keys",
        )
    return keys


@bp.get("/<experiment_id>/metrics")
def read_metrics(experiment_id: str) -> ResponseReturnValue:
    """`?keys=a,b&downsample=N`: each series with at most N points (min/max buckets)."""
    downsample, keys = _downsample(), _keys()
    ident, run_dir = _run_dir(experiment_id)
    scalars = app_services().metrics.read_scalars(run_dir / METRICS_FILE, keys, downsample)
    return jsonify(experiment_id=ident, keys_available=scalars["keys_available"], series=scalars["series"])


# ---- the OS side and exporting ---------------------------------------------------------
def _run_folder(experiment_id: str) -> Path:
    services = app_services()
    folder = Path(services.store.get(experiment_id).run_dir).resolve()
    # Under the data folder's runs/ or, for runs made after Settings moved the runs folder, named after the run.
    in_app = folder.is_relative_to(services.paths.runs.resolve()) or folder.name == experiment_id
    if not in_app or not folder.is_dir():
        raise NotFound("run folder for the experiment", experiment_id)
    return folder


@bp.post("/<experiment_id>/reveal")
def reveal_run_folder(experiment_id: str) -> ResponseReturnValue:
    """Show the run folder in the file manager; 503 `integration_unavailable` when the OS cannot."""
    command = app_services().platform.reveal(_run_folder(experiment_id))
    return jsonify(ok=True, command=command)


@bp.post("/<experiment_id>/export")
def export_experiment(experiment_id: str) -> ResponseReturnValue:
    return jsonify(job=app_services().exports.export_experiment(experiment_id, json_body()).to_dict()), 202
