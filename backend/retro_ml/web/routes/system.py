"""This machine, `/api/system/*`: its status (CPU, memory, GPU), the sizing of new runs for its
hardware, the speed calibration behind the time estimates, the doctor, the OS integrations
(notifications, clipboard, file manager) with a test notification, and showing the data folder in
the file manager.

What the OS cannot do is a 503 `integration_unavailable` whose message says what to install.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from retro_ml.errors import Conflict, InvalidInput
from retro_ml.services.experiments import ALGORITHMS, describe_sizing
from retro_ml.services.system import run_doctor, summary, system_status
from retro_ml.web.bodies import optional_json_body
from retro_ml.web.routes import app_services

bp = Blueprint("system", __name__, url_prefix="/api/system")


@bp.get("")
def status() -> ResponseReturnValue:
    return jsonify(system_status())


@bp.get("/sizing")
def sizing() -> ResponseReturnValue:
    """What new runs get on this hardware (and what "auto" in Settings → Resources means), with why."""
    services = app_services()
    defaults = services.presets.raw["algorithms"]
    backends = {algo: str(defaults[algo]["defaults"]["env_backend"]) for algo in ALGORITHMS}
    return jsonify(describe_sizing(services.experiments.hardware, backends))


@bp.post("/calibrate")
def calibrate() -> ResponseReturnValue:
    """Start a short speed measurement (202); 409 while one runs. Body optional: {"algorithms": ["ppo", "dqn"]}."""
    body = optional_json_body({})
    if not isinstance(body, dict):
        raise InvalidInput('Send a JSON object, e.g. {"algorithms": ["ppo"]}, or no body.')
    services = app_services()
    if services.processes.running_ids():  # a busy CPU would measure a fraction of the real speed
        raise Conflict("Calibration needs an idle machine: run it when no training is running.")
    state = services.calibration.calibrate(body.get("algorithms", ("ppo",)))
    return jsonify(state), 202


@bp.get("/calibration")
def calibration() -> ResponseReturnValue:
    return jsonify(app_services().calibration.describe())


@bp.get("/doctor")
def doctor() -> ResponseReturnValue:
    services = app_services()
    checks = run_doctor(
        services.paths.data_dir,
        services.platform,
        services.notifications.status(),
        services.experiments.runs_dir(),
        refresh=request.args.get("refresh") in ("1", "true"),
    )
    return jsonify(status=summary(checks), checks=[c.to_dict() for c in checks])


@bp.get("/integrations")
def integrations() -> ResponseReturnValue:
    services = app_services()
    return jsonify(
        platform=services.platform.name,
        notifications=services.notifications.status().to_dict(),
        clipboard=services.platform.clipboard_state().to_dict(),
        reveal=services.platform.reveal_state().to_dict(),
    )


@bp.post("/notify-test")
def notify_test() -> ResponseReturnValue:
    state = app_services().notifications.send_test()
    return jsonify(ok=True, notifications=state.to_dict())


@bp.post("/reveal-data-folder")
def reveal_data_folder() -> ResponseReturnValue:
    services = app_services()
    command = services.platform.reveal(services.paths.data_dir)
    return jsonify(ok=True, command=command, path=str(services.paths.data_dir))
