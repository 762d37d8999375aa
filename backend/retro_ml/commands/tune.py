"""`retro-ml tune`: an Optuna study from the terminal, with a progress bar over its trials.

Like `retro-ml train`: when the app runs on the same data dir the study is created through its
API (the window shows it live); otherwise this process is the main process while the study runs.
Ctrl+C stops the study: no new trials, and the running ones are stopped (their models saved).
`--join STUDY --storage URL` runs trials of a study an app on another machine made in a shared
storage (PostgreSQL): this machine's trials are runs in this data dir, the bar counts everyone's.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
from collections.abc import Callable
from functools import partial
from typing import Any

from retro_ml.commands.app_access import DataDirBusy, RunningApp, local_services, running_app
from retro_ml.commands.instance import treat_sigterm_as_interrupt
from retro_ml.commands.progress_bar import BAR_WIDTH, ProgressPrinter
from retro_ml.config import AppPaths, resolve_data_dir
from retro_ml.errors import AppError
from retro_ml.services.container import Services

POLL_SECONDS = 1.0


class StudyClient:
    """The few study calls `tune` makes, through the running app or this process's services."""

    def __init__(self, app: RunningApp | None = None, services: Services | None = None) -> None:
        self._app = app
        self._services = services

    def create(self, payload: dict[str, Any]) -> dict[str, Any]:
        if self._app is not None:
            return self._app.call("POST", "/api/studies", payload)["study"]
        assert self._services is not None
        return self._services.studies.create(payload)

    def join(self, payload: dict[str, Any]) -> dict[str, Any]:
        if self._app is not None:
            return self._app.call("POST", "/api/studies/join", payload)["study"]
        assert self._services is not None
        return self._services.studies.join(payload)

    def get(self, study_id: str) -> dict[str, Any]:
        if self._app is not None:
            return self._app.call("GET", f"/api/studies/{study_id}")["study"]
        assert self._services is not None
        return self._services.studies.get(study_id)

    def stop(self, study: dict[str, Any]) -> None:
        """No new trials, and the running trials' runs stopped."""
        running = [t["experiment_id"] for t in study["trials"] if t["state"] == "running" and t["experiment_id"]]
        calls: list[Callable[[], object]] = []
        if self._app is not None:
            app = self._app
            calls.append(lambda: app.call("POST", f"/api/studies/{study['id']}/stop", {}))
            calls += [partial(app.call, "POST", f"/api/experiments/{i}/stop", {}) for i in running]
        else:
            assert self._services is not None
            services = self._services
            calls.append(lambda: services.studies.stop(study["id"]))
            calls += [partial(services.experiments.stop, i) for i in running]
        for call in calls:
            try:
                call()
            except AppError:  # it ended meanwhile
                pass


def payload_of(args: argparse.Namespace) -> dict[str, Any]:
    """The request: POST /api/studies's, or /join's with --join."""
    if args.join:
        return {"study": args.join, **({"storage": args.storage} if args.storage else {})}
    missing = [f"--{name}" for name in ("game", "trials", "timesteps") if getattr(args, name) is None]
    if missing:
        raise SystemExit(f"retro-ml tune: {', '.join(missing)} required (or --join STUDY to run another's trials)")
    payload: dict[str, Any] = {
        "game": args.game,
        "algorithm": args.algo,
        "n_trials": args.trials,
        "timesteps_per_trial": args.timesteps,
        "sampler": args.sampler,
        "pruner": args.pruner,
    }
    if args.study:
        payload["name"] = args.study
    if args.storage:
        payload["storage"] = args.storage
    if args.set:
        payload["config"] = dict(parse_setting(text) for text in args.set)
    return payload


def parse_setting(text: str) -> tuple[str, Any]:
    """`KEY=VALUE`; the value read as JSON when it is JSON (a number, true, "text"), else as text."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise SystemExit(f"--set takes KEY=VALUE, not {text!r}")
    try:
        return key.strip(), json.loads(value)
    except json.JSONDecodeError:
        return key.strip(), value


def tune(args: argparse.Namespace) -> int:
    treat_sigterm_as_interrupt()  # a closed terminal stops the study, like Ctrl+C
    paths = AppPaths(resolve_data_dir(getattr(args, "data_dir", None)))
    payload = payload_of(args)
    try:
        app = running_app(paths)
    except DataDirBusy as busy:
        print(busy, file=sys.stderr)
        return 1
    if app is not None:
        try:
            return run_study(StudyClient(app=app), payload, f" in the running app ({app.base_url})")
        except urllib.error.URLError as error:
            print(f"Could not reach the running app at {app.base_url}: {error.reason}", file=sys.stderr)
            return 1
    try:
        with local_services(paths) as services:
            return run_study(StudyClient(services=services), payload, "")
    except AppError as error:  # e.g. a database from a newer version
        print(f"Error: {error.message}", file=sys.stderr)
        return 1


def run_study(client: StudyClient, payload: dict[str, Any], where: str) -> int:
    printer = ProgressPrinter()
    joining = "study" in payload
    try:
        study = client.join(payload) if joining else client.create(payload)
    except AppError as error:
        field = f" ({error.field})" if error.field else ""
        print(f"Error{field}: {error.message}", file=sys.stderr)
        return 2
    printer.message(
        f"{'Joined study' if joining else 'Study'} {study['name']}{where}: {study['n_trials']} trials of "
        f"{study['timesteps_per_trial']:,} steps, {study['sampler']} sampler, {study['pruner']} pruner"
        f"{', in ' + study['storage'] if joining else ''}. Ctrl+C stops it."
    )
    seen_done = 0
    try:
        while True:
            study = client.get(study["id"])
            seen_done = report_finished(printer, study, seen_done)
            printer.show(describe_study(study), finished=study["status"] != "running")
            if study["status"] != "running":
                break
            time.sleep(POLL_SECONDS)
    except KeyboardInterrupt:
        printer.message("Stopping the study: the running trial saves its model…")
        client.stop(study)
        while (study := client.get(study["id"]))["running_trials"]:
            time.sleep(POLL_SECONDS)
    printer.message(final_summary(study))
    return 0 if study["status"] == "completed" and study["best_trial"] is not None else 1


def report_finished(printer: ProgressPrinter, study: dict[str, Any], seen: int) -> int:
    """A line for every trial that ended since `seen` trials had; returns how many have now."""
    ended = [t for t in study["trials"] if t["state"] in ("complete", "pruned", "failed")]
    for trial in ended[seen:]:
        value = f"{trial['value']:g}" if trial["value"] is not None else "-"
        params = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in trial["params"].items())
        where = "" if trial.get("local", True) else f" on {trial.get('machine') or 'another machine'}"
        printer.message(f"Trial {trial['number']}{where}: {trial['state']}, score {value} ({params})")
    return len(ended)


def describe_study(study: dict[str, Any]) -> str:
    done, total = int(study["trials_done"]), int(study["n_trials"])
    filled = int(BAR_WIDTH * min(done, total) / max(1, total))
    best = f"best {study['best_value']:g}" if study["best_value"] is not None else "no score yet"
    counts = study["counts"]
    return (
        f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {done}/{total} trials · {counts['running']} running · "
        f"{counts['pruned']} pruned · {best}"
    )


def final_summary(study: dict[str, Any]) -> str:
    best = study["best_trial"]
    if best is None:
        return f"Study {study['name']}: {study['status']}, no complete trial. {study['message']}"
    params = json.dumps(best["params"])
    return (
        f"Study {study['name']}: {study['status']}. Best: trial {best['number']}, score {best['value']:g}, "
        f"{params} ({'run ' + best['experiment_id'] if best['experiment_id'] else 'on ' + str(best['machine'])})."
    )
