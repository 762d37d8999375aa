"""Videos, `/api/videos/*`: list with filters, one record, the file (HTTP range requests for
seeking), the thumbnail; rename, favourite, tag and delete (to the OS trash), one by one or in
batches; show one in the file manager or copy its path; export one or a batch (202 jobs)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request, send_file
from flask.typing import ResponseReturnValue

from retro_ml.errors import InvalidInput
from retro_ml.run_contract import VIDEO_TYPES
from retro_ml.services.videos import VideoLibrary, VideoRegistry
from retro_ml.store.video_store import VideoFilter
from retro_ml.web.bodies import json_body
from retro_ml.web.routes import app_services

bp = Blueprint("videos", __name__, url_prefix="/api/videos")


def _registry() -> VideoRegistry:
    return app_services().videos


def _library() -> VideoLibrary:
    return app_services().video_library


def _filters() -> VideoFilter:
    args = request.args
    kind = args.get("type") or None
    if kind is not None and kind not in VIDEO_TYPES:
        raise InvalidInput(f"Unknown video type '{kind}': use one of {', '.join(VIDEO_TYPES)}.", field="type")
    favorite = args.get("favorite")
    if favorite not in (None, "", "true", "false"):
        raise InvalidInput("'favorite' is true or false.", field="favorite")
    return VideoFilter(
        experiment_id=args.get("experiment_id") or None,
        type=kind,
        game=args.get("game") or None,
        tag=args.get("tag") or None,
        favorite=None if not favorite else favorite == "true",
    )


@bp.get("")
def list_videos() -> ResponseReturnValue:
    return jsonify(videos=[v.to_dict() for v in _registry().list(_filters())])


@bp.get("/<video_id>")
def get(video_id: str) -> ResponseReturnValue:
    return jsonify(video=_registry().get(video_id).to_dict())


@bp.get("/<video_id>/file")
def file(video_id: str) -> ResponseReturnValue:
    # conditional=True: Range requests get 206 Partial Content, so the player can seek.
    return send_file(_registry().file_of(video_id), mimetype="video/mp4", conditional=True, max_age=0)


@bp.get("/<video_id>/thumbnail")
def thumbnail(video_id: str) -> ResponseReturnValue:
    return send_file(_registry().file_of(video_id, thumbnail=True), conditional=True, max_age=3600)


@bp.patch("/<video_id>")
def update(video_id: str) -> ResponseReturnValue:
    """`{name?, favorite?, tags?}`: a new name renames the file and its thumbnail too."""
    return jsonify(video=_library().update(video_id, json_body()).to_dict())


@bp.post("/<video_id>/rename")
def rename(video_id: str) -> ResponseReturnValue:
    body = json_body()
    if not isinstance(body, dict) or "name" not in body:
        raise InvalidInput('Send the new name: {"name": "My best run"}.', field="name")
    return jsonify(video=_library().rename(video_id, body["name"]).to_dict())


@bp.delete("/<video_id>")
def delete(video_id: str) -> ResponseReturnValue:
    _library().delete(video_id)
    return jsonify(deleted=video_id)


@bp.post("/batch")
def batch() -> ResponseReturnValue:
    """`{ids, action: delete|tag|untag|favorite|unfavorite, tags?}` → one result per id."""
    return jsonify(results=_library().batch(json_body()))


# ---- the OS side and exporting ---------------------------------------------------------
# `open-location` is the name DESIGN.md gives; `reveal` the one the UI uses. Same action.
@bp.post("/<video_id>/reveal")
@bp.post("/<video_id>/open-location")
def reveal_video(video_id: str) -> ResponseReturnValue:
    """Show the file in the file manager; 503 `integration_unavailable` when the OS cannot."""
    command = app_services().platform.reveal(_registry().file_of(video_id))
    return jsonify(ok=True, command=command)


@bp.post("/<video_id>/copy-path")
def copy_video_path(video_id: str) -> ResponseReturnValue:
    path = str(_registry().file_of(video_id))
    app_services().platform.copy_to_clipboard(path)
    return jsonify(ok=True, path=path)


@bp.post("/<video_id>/export")
def export_video(video_id: str) -> ResponseReturnValue:
    return jsonify(job=app_services().exports.export_video(video_id, json_body()).to_dict()), 202


@bp.post("/export")
def export_videos() -> ResponseReturnValue:
    jobs, errors = app_services().exports.export_videos(json_body())
    return jsonify(jobs=[j.to_dict() for j in jobs], errors=errors), 202
