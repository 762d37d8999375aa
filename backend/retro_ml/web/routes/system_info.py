"""Settings' system pages: disk usage and cleanup, the doctor, About, the data folder."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from retro_ml.config import choose_data_dir, chosen_data_dir, default_data_dir
from retro_ml.errors import InvalidInput
from retro_ml.services.container import Services
from retro_ml.services.settings import check_folder
from retro_ml.services.storage import storage_report
from retro_ml.services.system import about, run_doctor, summary
from retro_ml.web.bodies import json_body

bp = Blueprint("system_info", __name__, url_prefix="/api")


def _services() -> Services:
    return current_app.extensions["retro_ml"]


@bp.get("/storage")
def storage() -> ResponseReturnValue:
    services = _services()
    report = storage_report(
        services.store.list(), services.paths.database, [services.paths.data_dir, services.experiments.runs_dir()]
    )
    return jsonify(
        **report.to_dict(),
        data_dir=str(services.paths.data_dir),
        runs_dir=str(services.experiments.runs_dir()),
        database=str(services.paths.database),
    )


@bp.post("/storage/cleanup")
def cleanup() -> ResponseReturnValue:
    return jsonify(_services().storage_cleanup.run(json_body()).to_dict())


@bp.get("/system/doctor")
def doctor() -> ResponseReturnValue:
    services = _services()
    checks = run_doctor(
        services.paths.data_dir,
        services.platform,
        services.notifications.status(),
        services.experiments.runs_dir(),
        refresh=request.args.get("refresh") in ("1", "true"),
    )
    return jsonify(status=summary(checks), checks=[c.to_dict() for c in checks])


@bp.get("/about")
def about_app() -> ResponseReturnValue:
    services = _services()
    return jsonify(about(Path(current_app.config["UI_ROOT"]), services.paths.data_dir))


@bp.post("/system/reveal-data-folder")
def reveal_data_folder() -> ResponseReturnValue:
    services = _services()
    command = services.platform.reveal(services.paths.data_dir)
    return jsonify(ok=True, command=command, path=str(services.paths.data_dir))


def _data_folder(services: Services) -> dict[str, object]:
    chosen = chosen_data_dir()
    return {
        "current": str(services.paths.data_dir),
        "source": services.paths.source,  # argument | environment | settings | default
        "chosen": str(chosen) if chosen else None,
        "default": str(default_data_dir()),
        "next_start": str(chosen or default_data_dir()),  # unless --data-dir / RETRO_ML_DATA_DIR
    }


@bp.get("/storage/data-folder")
def data_folder() -> ResponseReturnValue:
    return jsonify(_data_folder(_services()))


@bp.put("/storage/data-folder")
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
    return jsonify(_data_folder(_services()))
