"""`retro-ml models`: the Models list in the terminal (the app's API when it runs, else the store)."""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.parse
from typing import Any

from retro_ml.commands.app_access import DataDirBusy, local_services, running_app
from retro_ml.config import AppPaths, resolve_data_dir
from retro_ml.errors import AppError
from retro_ml.store.model_store import ModelFilter

COLUMNS = ("id", "kind", "game", "algo", "steps", "size", "score", "run")


def _filters(args: argparse.Namespace) -> dict[str, str]:
    chosen = {"game": args.game, "algorithm": args.algo, "kind": args.kind, "experiment_id": args.run}
    return {key: value for key, value in chosen.items() if value}


def _fetch(paths: AppPaths, filters: dict[str, str]) -> list[dict[str, Any]]:
    app = running_app(paths)
    if app is not None:
        query = urllib.parse.urlencode({**filters, "sort": "created"})
        return list(app.call("GET", f"/api/models?{query}")["models"])
    with local_services(paths) as services:
        return [m.to_dict() for m in services.models.list(ModelFilter(**filters))]


def _row(model: dict[str, Any]) -> tuple[str, ...]:
    evaluation = model.get("evaluation")
    score = f"{evaluation['mean_score']:.1f} ± {evaluation['std_score']:.1f}" if evaluation else "—"
    return (
        model["id"],
        model["kind"],
        model["game"],
        model["algorithm"].upper(),
        f"{model['num_timesteps']:,}",
        f"{model['size_bytes'] / 1_000_000:.1f} MB",
        score,
        model.get("name", ""),
    )


def list_models(args: argparse.Namespace) -> int:
    paths = AppPaths(resolve_data_dir(getattr(args, "data_dir", None)))
    try:
        models = _fetch(paths, _filters(args))
    except (AppError, DataDirBusy) as error:
        print(f"Error: {getattr(error, 'message', error)}", file=sys.stderr)
        return 2 if isinstance(error, AppError) and error.status < 500 else 1
    except urllib.error.URLError as error:
        print(f"Could not reach the running app: {error.reason}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(models, indent=2))
        return 0
    if not models:
        print("No models yet: train one (retro-ml train --game pong), or import one in the app.")
        return 0
    rows = [COLUMNS, *(_row(m) for m in models)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    print(f"\n{len(models)} model versions. Evaluate one with: retro-ml evaluate {models[0]['id']} --episodes 10")
    return 0
