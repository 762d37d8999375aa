"""`retro-ml evaluate MODEL_ID [--episodes N] [--seed S]`: play N games of a model version with a
progress bar, then print mean/std/max; stored on the version like an evaluation started in the app.

Through the running app's API when one owns the data dir (the window sees the job live), else
as the data dir's main process for the duration (commands/app_access.py). Ctrl+C cancels it.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
import urllib.error
from collections.abc import Mapping
from typing import Any

from retro_ml.commands.app_access import DataDirBusy, RunningApp, local_services, running_app
from retro_ml.commands.progress_bar import BAR_WIDTH, ProgressPrinter
from retro_ml.config import AppPaths, resolve_data_dir
from retro_ml.errors import AppError
from retro_ml.run_contract import MODEL_EVALUATION_COMPLETE, MODEL_EVALUATION_FAILED, MODEL_EVALUATION_PROGRESS

POLL_SECONDS = 0.5
FINISHED = ("completed", "failed", "cancelled")


def describe_job(job: Mapping[str, Any]) -> str:
    progress = float(job.get("progress") or 0.0)
    done = int(BAR_WIDTH * min(progress, 1.0))
    stage = "recording the best game" if job.get("stage") == "recording" else "playing"
    return (
        f"[{'#' * done}{'-' * (BAR_WIDTH - done)}] {100 * progress:5.1f}% · "
        f"{job.get('games_done', 0)}/{job.get('games_total', 0)} games · {stage}"
    )


def summary(job: Mapping[str, Any]) -> str:
    if job["status"] != "completed":
        return f"Evaluation {job['status']}: {job.get('error') or 'cancelled.'}"
    result = job["result"]
    evaluation = result["evaluation"]
    scores = ", ".join(f"{score:g}" for score in evaluation["scores"])
    lines = [
        f"{evaluation['episodes']} games on seeds {result['seeds'][0]}..{result['seeds'][-1]}: {scores}",
        f"mean {evaluation['mean_score']:.2f} · std {evaluation['std_score']:.2f} · max {evaluation['max_score']:g}",
        f"{result['cap'][:1].upper()}{result['cap'][1:]}.",
    ]
    if result.get("video_id"):
        lines.append(f"Best game on video: {result['video_id']} (Videos tab)")
    return "\n".join(lines)


def _body(args: argparse.Namespace) -> dict[str, Any]:
    body: dict[str, Any] = {"episodes": args.episodes, "seed": args.seed, "record": not args.no_video}
    if args.max_seconds is not None:
        body["max_seconds"] = args.max_seconds
    return body


def evaluate(args: argparse.Namespace) -> int:
    paths = AppPaths(resolve_data_dir(getattr(args, "data_dir", None)))
    printer = ProgressPrinter()
    try:
        app = running_app(paths)
        job = _via_app(app, args, printer) if app is not None else _locally(paths, args, printer)
    except (AppError, DataDirBusy) as error:
        printer.message(f"Error: {getattr(error, 'message', error)}")
        return 2 if isinstance(error, AppError) and error.status < 500 else 1
    except urllib.error.URLError as error:
        print(f"Could not reach the running app: {error.reason}", file=sys.stderr)
        return 1
    printer.message(summary(job))
    return 0 if job["status"] == "completed" else 1


def _via_app(app: RunningApp, args: argparse.Namespace, printer: ProgressPrinter) -> dict[str, Any]:
    job = app.call("POST", f"/api/models/{args.model_id}/evaluate", _body(args))["job"]
    printer.message(f"Evaluating {args.model_id} in the running app ({app.base_url}). Ctrl+C cancels.")
    while True:
        try:
            job = app.call("GET", f"/api/models/jobs/{job['id']}")["job"]
            if job["status"] in FINISHED:
                printer.show(describe_job(job), finished=True)
                return job
            printer.show(describe_job(job))
            time.sleep(POLL_SECONDS)
        except KeyboardInterrupt:
            printer.message("Cancelling…")
            app.call("POST", f"/api/models/jobs/{job['id']}/cancel", {})


def _locally(paths: AppPaths, args: argparse.Namespace, printer: ProgressPrinter) -> dict[str, Any]:
    with local_services(paths) as services:
        ended = threading.Event()
        services.bus.subscribe(MODEL_EVALUATION_PROGRESS, lambda _e, data: printer.show(describe_job(data["job"])))
        for name in (MODEL_EVALUATION_COMPLETE, MODEL_EVALUATION_FAILED):
            services.bus.subscribe(name, lambda _e, _data: ended.set())
        job = services.model_jobs.evaluate(args.model_id, _body(args))
        printer.message(f"Evaluating {args.model_id}: {job.games.episodes} games. Ctrl+C cancels.")
        try:
            while not ended.wait(POLL_SECONDS):
                pass
        except KeyboardInterrupt:
            printer.message("Cancelling…")
            services.model_jobs.cancel(job.id)
        printer.show(describe_job(job.to_dict()), finished=True)
        return job.to_dict()
