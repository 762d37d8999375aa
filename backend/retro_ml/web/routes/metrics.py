"""Metrics of one experiment as downsampled series: `GET /api/experiments/<id>/metrics`."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from retro_ml.errors import InvalidInput
from retro_ml.services.experiments.metrics import DEFAULT_DOWNSAMPLE, MAX_DOWNSAMPLE, MIN_DOWNSAMPLE
from retro_ml.store.run_folders import METRICS_FILE

bp = Blueprint("metrics", __name__, url_prefix="/api/experiments")

MAX_KEYS = 64
MAX_KEY_LENGTH = 200


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
    downsample, keys = _downsample(), _keys()
    experiment = current_app.extensions["retro_ml"].experiments.get(experiment_id)
    scalars = current_app.extensions["retro_ml"].metrics.read_scalars(
        Path(experiment.run_dir) / METRICS_FILE, keys, downsample
    )
    return jsonify(experiment_id=experiment.id, keys_available=scalars["keys_available"], series=scalars["series"])
