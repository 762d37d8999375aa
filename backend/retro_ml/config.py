"""Where the app keeps its data, and the per-launch secrets."""

from __future__ import annotations

import json
import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "RetroMLTrainer"
DATA_DIR_ENV = "RETRO_ML_DATA_DIR"
TOKEN_ENV = "RETRO_ML_TOKEN"


DATA_LOCATION_FILE = "data-location.json"  # in the user config dir: Settings' choice of data folder


def data_location_file() -> Path:
    """Where Settings → Storage keeps the data folder chosen for the next start (outside the data
    folder itself, which it points to)."""
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False)) / DATA_LOCATION_FILE


def chosen_data_dir() -> Path | None:
    """The data folder chosen in Settings, or None (none chosen, or the file is unreadable)."""
    try:
        value = json.loads(data_location_file().read_text(encoding="utf-8")).get("data_dir")
    except (OSError, ValueError, AttributeError):
        return None
    return Path(value) if isinstance(value, str) and Path(value).is_absolute() else None


def choose_data_dir(folder: Path | None) -> None:
    """Use `folder` from the next start on (None: back to the default place)."""
    target = data_location_file()
    if folder is None:
        target.unlink(missing_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.tmp")
    partial.write_text(json.dumps({"data_dir": str(folder)}), encoding="utf-8")
    os.replace(partial, target)


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def data_dir_source(explicit: Path | None = None) -> str:
    """What picks the data folder: "argument" (--data-dir), "environment", "settings" or "default"."""
    if explicit is not None:
        return "argument"
    if os.environ.get(DATA_DIR_ENV):
        return "environment"
    return "settings" if chosen_data_dir() is not None else "default"


def resolve_data_dir(explicit: Path | None = None) -> Path:
    """`--data-dir`, else RETRO_ML_DATA_DIR, else the folder chosen in Settings, else the
    platform's user data dir."""
    source = data_dir_source(explicit)
    if source == "argument":
        chosen = explicit
    elif source == "environment":
        chosen = Path(os.environ[DATA_DIR_ENV])
    elif source == "settings":
        chosen = chosen_data_dir()
    else:
        chosen = default_data_dir()
    assert chosen is not None
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
    source: str = "default"  # what chose data_dir: see data_dir_source()

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
