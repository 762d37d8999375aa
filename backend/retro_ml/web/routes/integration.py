"""The OS side: show a video or a run folder in the file manager, copy a path, notifications.

What the OS cannot do is a 503 `integration_unavailable` whose message says what to install.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from retro_ml.errors import NotFound
from retro_ml.services.container import Services

bp = Blueprint("integration", __name__, url_prefix="/api")


def _services() -> Services:
    return current_app.extensions["retro_ml"]


def _run_folder(experiment_id: str) -> Path:
    services = _services()
    folder = Path(services.store.get(experiment_id).run_dir).resolve()
    # Under the data folder's runs/ or, for runs made after Settings moved the runs folder, named after the run.
    in_app = folder.is_relative_to(services.paths.runs.resolve()) or folder.name == experiment_id
    if not in_app or not folder.is_dir():
        raise NotFound("run folder for the experiment", experiment_id)
    return folder


# `open-location` is the name DESIGN.md gives; `reveal` the one the UI uses. Same action.
@bp.post("/videos/<video_id>/reveal")
@bp.post("/videos/<video_id>/open-location")
def reveal_video(video_id: str) -> ResponseReturnValue:
    services = _services()
    command = services.platform.reveal(services.videos.file_of(video_id))
    return jsonify(ok=True, command=command)


@bp.post("/videos/<video_id>/copy-path")
def copy_video_path(video_id: str) -> ResponseReturnValue:
    services = _services()
    path = str(services.videos.file_of(video_id))
    services.platform.copy_to_clipboard(path)
    return jsonify(ok=True, path=path)


@bp.post("/experiments/<experiment_id>/reveal")
def reveal_run_folder(experiment_id: str) -> ResponseReturnValue:
    command = _services().platform.reveal(_run_folder(experiment_id))
    return jsonify(ok=True, command=command)


@bp.get("/system/integrations")
def integrations() -> ResponseReturnValue:
    services = _services()
    return jsonify(
        platform=services.platform.name,
        notifications=services.notifications.status().to_dict(),
        clipboard=services.platform.clipboard_state().to_dict(),
        reveal=services.platform.reveal_state().to_dict(),
    )


@bp.post("/system/notify-test")
def notify_test() -> ResponseReturnValue:
    state = _services().notifications.send_test()
    return jsonify(ok=True, notifications=state.to_dict())
