"""Where the app keeps its data, and the per-launch secrets."""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "RetroMLTrainer"
DATA_DIR_ENV = "RETRO_ML_DATA_DIR"
TOKEN_ENV = "RETRO_ML_TOKEN"


def resolve_data_dir(explicit: Path | None = None) -> Path:
    """`--data-dir`, else RETRO_ML_DATA_DIR, else the platform's user data dir."""
    if explicit is not None:
        chosen = explicit
    elif os.environ.get(DATA_DIR_ENV):
        chosen = Path(os.environ[DATA_DIR_ENV])
    else:
        from platformdirs import user_data_dir

        chosen = Path(user_data_dir(APP_NAME, appauthor=False))
    chosen = chosen.expanduser().resolve()
    chosen.mkdir(parents=True, exist_ok=True)
    return chosen


def resolve_token() -> str:
    """RETRO_ML_TOKEN when set (tests, scripts), else a fresh random token per launch."""
    return os.environ.get(TOKEN_ENV) or secrets.token_urlsafe(24)


@dataclass(frozen=True)
class AppPaths:
    """Every path the main process writes, derived from the data dir."""

    data_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "retro_ml.json"

    @property
    def runs(self) -> Path:
        return self.data_dir / "runs"

    @property
    def server_info(self) -> Path:
        """Written while a server runs, so `retro-ml train` can hand work to it."""
        return self.data_dir / "server.json"

    def ensure(self) -> None:
        self.runs.mkdir(parents=True, exist_ok=True)


def ui_root() -> Path:
    """The `ui/` folder: beside the package in a source checkout, inside the bundle when frozen."""
    if os.environ.get("RETRO_ML_UI_DIR"):
        return Path(os.environ["RETRO_ML_UI_DIR"]).resolve()
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "ui"
    return Path(__file__).resolve().parents[2] / "ui"
