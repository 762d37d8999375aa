"""The HTTP API: one blueprint per URL prefix, one module per domain, registered by `web/app.py`.

- `experiments`: `/api/experiments/*` (runs, their files, log, metrics, folder, model export)
- `videos`: `/api/videos/*` (records, files, managing, showing in the folder, export)
- `models`: `/api/models/*` (model versions: list, tags, delete, evaluate, compare, watch, export)
- `studies`: `/api/studies/*` (Optuna hyperparameter searches: create, trials, stop, resume, promote)
- `exports`: `/api/exports/*` (export jobs) and `/api/exporters`
- `system`: `/api/system/*` (status, calibration, doctor, OS integrations)
- `storage`: `/api/storage/*` (disk use, cleanup, the data folder)
- `settings`: `/api/settings`
- `catalog`: `/api/games`, `/api/presets`, `/api/config-fields` (what a new run can be)
- `meta`: `/api/health`, `/api/about` (the app itself)
- `ui`: the front end's files

Routes take every service from `app_services()`: the container builds them once.
"""

from __future__ import annotations

from flask import current_app

from retro_ml.services.container import Services


def app_services() -> Services:
    """The services of this app (services/container.py built each of them once)."""
    services: Services = current_app.extensions["retro_ml"]
    return services
