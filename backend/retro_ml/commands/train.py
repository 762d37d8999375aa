"""`retro-ml train`: train in the terminal with a progress bar, recorded like any experiment.

When the app is running for the same data dir, the run is handed to it over its API (the
window sees it live, and the app stays the only database writer). Otherwise this process
is the main process for the duration of the run.
"""

from __future__ import annotations

import argparse
import sys
import time
import urllib.error
import urllib.request
from typing import Any

from retro_ml.commands.app_access import DataDirBusy, call_api, local_services, running_app
from retro_ml.commands.instance import treat_sigterm_as_interrupt
from retro_ml.commands.progress_bar import ProgressPrinter
from retro_ml.config import AppPaths, resolve_data_dir
from retro_ml.errors import AppError
from retro_ml.services.container import Services
from retro_ml.services.events import EXPERIMENT_STATUS, TRAINING_PROGRESS
from retro_ml.store.entities import ACTIVE_STATUSES, Experiment


def _payload(args: argparse.Namespace) -> dict[str, Any]:
    payload: dict[str, Any] = {"game": args.game, "algorithm": args.algo, "preset": args.preset}
    if args.name:
        payload["name"] = args.name
    if args.timesteps is not None:
        payload["config"] = {"total_timesteps": args.timesteps}
    return payload


def train(args: argparse.Namespace) -> int:
    treat_sigterm_as_interrupt()  # a closed terminal stops and saves, like Ctrl+C
    paths = AppPaths(resolve_data_dir(getattr(args, "data_dir", None)))
    try:
        app = running_app(paths)
    except DataDirBusy as busy:
        print(busy, file=sys.stderr)
        return 1
    if app is not None:
        return _train_via_server(app.base_url, app.token, _payload(args))
    return _train_locally(paths, _payload(args))


def _summary(experiment: Experiment | dict[str, Any]) -> tuple[str, str]:
    data = experiment.to_dict() if isinstance(experiment, Experiment) else experiment
    status = data["metadata"]["status"]
    models = data["artifacts"]["models"]
    where = f"\nModel: {models[0]['path']}" if models else ""
    return status, f"{data['name']}: {status}. {data['metadata']['status_message']}{where}"


def _train_locally(paths: AppPaths, payload: dict[str, Any]) -> int:
    try:
        with local_services(paths) as services:
            return _train_with(services, payload)
    except AppError as error:  # e.g. a database from a newer version
        print(f"Error: {error.message}", file=sys.stderr)
        return 1


def _train_with(services: Services, payload: dict[str, Any]) -> int:
    printer = ProgressPrinter()
    services.bus.subscribe(TRAINING_PROGRESS, lambda _e, data: printer.progress(data))
    services.bus.subscribe(
        EXPERIMENT_STATUS,
        lambda _e, data: (
            printer.message(f"{data['status'].capitalize()}: {data.get('message', '')}")
            if data["status"] in ("running", "failed")
            else None
        ),
    )
    try:
        experiment = services.experiments.create(payload)
    except AppError as error:
        print(f"Error: {error.message}", file=sys.stderr)
        return 2
    printer.message(
        f"Training {experiment.name} ({experiment.algorithm.upper()}, "
        f"{experiment.config['total_timesteps']:,} steps). Ctrl+C stops and saves the model."
    )
    try:
        services.processes.wait(experiment.id)
    except KeyboardInterrupt:
        printer.message("Stopping: saving the model…")
        services.processes.request_stop(experiment.id)
        services.processes.wait(experiment.id)
    status, text = _summary(services.experiments.get(experiment.id))
    printer.message(text)
    return 0 if status in ("completed", "stopped") else 1


def _train_via_server(base_url: str, token: str, payload: dict[str, Any]) -> int:
    printer = ProgressPrinter()
    try:
        experiment = call_api(f"{base_url}/api/experiments", token, "POST", payload)["experiment"]
    except AppError as error:
        print(f"Error: {error.message}", file=sys.stderr)
        return 2
    except urllib.error.URLError as error:
        print(f"Could not reach the running app at {base_url}: {error.reason}", file=sys.stderr)
        return 1
    printer.message(f"Training {experiment['name']} in the running app ({base_url}). Ctrl+C stops it.")
    url = f"{base_url}/api/experiments/{experiment['id']}"
    stopping = False
    while True:
        try:
            experiment = call_api(url, token)["experiment"]
            if experiment["metadata"]["status"] not in ACTIVE_STATUSES:
                break
            printer.progress(experiment["progress"])
            time.sleep(1.0)
        except KeyboardInterrupt:
            if stopping:
                raise
            stopping = True
            printer.message("Stopping: saving the model…")
            call_api(f"{url}/stop", token, "POST", {})
    status, text = _summary(experiment)
    printer.message(text)
    return 0 if status in ("completed", "stopped") else 1
