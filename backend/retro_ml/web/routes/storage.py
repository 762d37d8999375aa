"""Disk space, `/api/storage/*`: what each run uses and the free space left (`/space`: against the
low-disk thresholds), cleaning up old checkpoints and videos (with a dry-run preview), and the
data folder used from the next start."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from retro_ml.config import choose_data_dir, chosen_data_dir, default_data_dir
from retro_ml.errors import InvalidInput
from retro_ml.services.container import Services
from retro_ml.services.settings import check_folder
from retro_ml.services.storage import storage_report
from retro_ml.web.bodies import json_body
from retro_ml.web.routes import app_services

bp = Blueprint("storage", __name__, url_prefix="/api/storage")


@bp.get("")
def storage() -> ResponseReturnValue:
    services = app_services()
    runs_dir = services.experiments.runs_dir()
    report = storage_report(services.store.list(), services.paths.database, [services.paths.data_dir, runs_dir])
    return jsonify(
        **report.to_dict(),
        data_dir=str(services.paths.data_dir),
        runs_dir=str(runs_dir),
        database=str(services.paths.database),
    )


@bp.get("/space")
def space() -> ResponseReturnValue:
    """The runs' disks against Settings' thresholds now: the `disk.space` event's payload."""
    return jsonify(app_services().experiments.disk_guard.state().to_event())


@bp.post("/cleanup")
def cleanup() -> ResponseReturnValue:
    return jsonify(app_services().storage_cleanup.run(json_body()).to_dict())


def _data_folder(services: Services) -> dict[str, object]:
    chosen = chosen_data_dir()
    return {
        "current": str(services.paths.data_dir),
        "source": services.paths.source,  # argument | environment | settings | default
        "chosen": str(chosen) if chosen else None,
        "default": str(default_data_dir()),
        "next_start": str(chosen or default_data_dir()),  # unless --data-dir / RETRO_ML_DATA_DIR
    }


@bp.get("/data-folder")
def data_folder() -> ResponseReturnValue:
    return jsonify(_data_folder(app_services()))


@bp.put("/data-folder")
def choose_data_folder() -> ResponseReturnValue:
    """`{"path": "/abs/folder"}` (or "" for the default place): used from the next start on.

    The running app keeps its folder: moving a live database and the runs under a server (and
    its training workers) could lose them. Nothing is copied; the answer says where data is.
    """
    body = json_body()
    value = body.get("path") if isinstance(body, dict) else None
    if not isinstance(value, str):
        raise InvalidInput('Send {"path": "/absolute/folder"}, or {"path": ""} for the default place.', field="path")
    try:
        folder = check_folder("data_folder", value.strip())
    except InvalidInput as error:
        raise InvalidInput(error.message, field="path") from None
    choose_data_dir(Path(folder) if folder else None)
    return jsonify(_data_folder(app_services()))
