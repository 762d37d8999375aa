"""App settings: a fixed schema with defaults, validated on every change, persisted in the store."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from retro_ml.errors import InvalidInput


@dataclass(frozen=True)
class Setting:
    default: Any
    kind: type
    low: float | None = None
    high: float | None = None
    help: str = ""
    choices: tuple[str, ...] | None = None  # str settings: the allowed values (None: free text)
    max_length: int = 1000  # str settings: longest accepted value
    check: Callable[[str, Any], Any] | None = None  # a further check after the type's (ids, paths)
    secret_url: bool = False  # a URL whose password no answer shows (`***`; see SettingsService.public)


def _invalid(name: str, message: str) -> InvalidInput:
    return InvalidInput(message, field=f"settings.{name}")


def check_folder(name: str, value: str) -> str:
    """Empty (the default place), or an absolute folder that exists or can be made and is writable."""
    if value == "":
        return value
    folder = Path(value).expanduser()
    if not folder.is_absolute():
        raise _invalid(name, f"'{value}' is not a full path: give an absolute folder, e.g. {Path.home() / 'RetroML'}.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".retro-ml-write-test-"):
            pass
    except OSError as error:
        reason = error.strerror or str(error)
        raise _invalid(name, f"Cannot use {folder}: {reason}. Choose a folder you can write to.") from None
    return str(folder.resolve())


def check_game(name: str, value: str) -> str:
    from retro_ml.services.games import list_games

    ids = [g.id for g in list_games()]
    if ids and value not in ids:
        raise _invalid(name, f"Unknown game '{value}': choose one of the {len(ids)} games, e.g. {ids[0]}.")
    return value


def check_preset(name: str, value: str) -> str:
    from retro_ml.services.experiments.presets import load_presets

    ids = load_presets().preset_ids
    if value not in ids:
        raise _invalid(name, f"Unknown training length '{value}': choose {', '.join(ids)}.")
    return value


def check_study_storage(name: str, value: str) -> str:
    """Empty (the data folder's studies.db), or a sqlite:/// or postgresql:// URL (not tried here:
    a study created with it says at once when it cannot be reached)."""
    from retro_ml.services.studies.storage import check_storage_url

    return check_storage_url(value, field=f"settings.{name}") if value.strip() else ""


ACCENTS = ("blue", "violet", "green", "orange", "pink", "teal")

SCHEMA: dict[str, Setting] = {
    "max_concurrent_runs": Setting(
        1, int, 1, 16, "Trainings that run at the same time; the rest wait in the queue. 1 is best on 2–4 cores."
    ),
    "notify_training_complete": Setting(True, bool, help="A desktop notification when a training run completes."),
    "notify_video_generated": Setting(
        True, bool, help="A desktop notification for each new milestone clip, evaluation and long video."
    ),
    "notify_training_failed": Setting(True, bool, help="A desktop notification when a training run fails."),
    # Appearance
    "theme": Setting("dark", str, help="Colour scheme of the app.", choices=("dark", "light")),
    "accent": Setting("blue", str, help="Accent colour of buttons, links and charts.", choices=ACCENTS),
    # Training defaults (Quick Start and New Training start from these)
    "default_game": Setting("breakout", str, help="Game Quick Start selects.", max_length=64, check=check_game),
    "default_algorithm": Setting("ppo", str, help="Algorithm Quick Start selects.", choices=("ppo", "dqn")),
    "default_preset": Setting(
        "quick", str, help="Training length Quick Start selects.", max_length=64, check=check_preset
    ),
    # Storage ("" = the default place)
    "export_dir": Setting(
        "",
        str,
        help="Folder the export dialogs start in (empty: the last folder you exported to).",
        max_length=1000,
        check=check_folder,
    ),
    "runs_dir": Setting(
        "",
        str,
        help="Folder where NEW runs keep models, checkpoints and videos (empty: inside the data folder).",
        max_length=1000,
        check=check_folder,
    ),
    # Hyperparameter search (services/studies)
    "study_storage_url": Setting(
        "",
        str,
        help="Where new studies keep their trials: a PostgreSQL URL (postgresql://user:password@host/db) lets "
        "other machines join them with `retro-ml tune --join`; empty: studies.db in the data folder. "
        "The password is kept here only and never shown.",
        max_length=2000,
        check=check_study_storage,
        secret_url=True,
    ),
    # Disk space, checked every few seconds while runs train (0 turns either off)
    "low_disk_warning_mb": Setting(
        2000, int, 0, 100_000_000, "Warn when the disk of a run or the data folder has less free space than this (MB)."
    ),
    "low_disk_pause_mb": Setting(
        500,
        int,
        0,
        100_000_000,
        "Pause running trainings when free space falls under this (MB), before a full disk loses them; "
        "lower than the warning.",
    ),
    # Resources applied to new runs whose config does not set them (0 / "auto": the preset's own)
    "default_n_envs": Setting(
        0, int, 0, 64, "Games played in parallel by a new run (0: sized for this machine; PPO 8, DQN 1 on 2 cores)."
    ),
    "default_torch_threads": Setting(0, int, 0, 64, "CPU threads PyTorch uses per run (0: auto)."),
    "default_device": Setting(
        "auto",
        str,
        help="Where new runs train: auto picks a CUDA GPU when there is one.",
        choices=("auto", "cpu", "cuda"),
    ),
    # UI state kept by the server (the desktop window's web storage is not persistent)
    "onboarding_done": Setting(False, bool, help="The first-launch tips were dismissed with “Don't show again”."),
    "videos_seen_at": Setting(
        "", str, help="ISO time the Videos tab was last opened: newer videos count as new.", max_length=64
    ),
}


def check_disk_thresholds(values: dict[str, Any], changed: dict[str, Any]) -> None:
    """The pause threshold sits below the warning one (either may be 0: off)."""
    warning, pause = values["low_disk_warning_mb"], values["low_disk_pause_mb"]
    if warning and pause and pause >= warning:
        name = "low_disk_pause_mb" if "low_disk_pause_mb" in changed else "low_disk_warning_mb"
        raise _invalid(
            name,
            f"Pause under {pause} MB must be lower than the warning at {warning} MB: "
            "the warning comes first, then the pause.",
        )


def keep_password(name: str, value: Any, current: Any) -> Any:
    """A secret URL sent back as answers show it (`***` for its password) keeps the stored password;
    `***` for another server, user or database is a 400: the password must be typed."""
    if not SCHEMA[name].secret_url or not value:
        return value
    from retro_ml.services.studies.storage import HIDDEN, has_password, redact_url

    if has_password(value) or f":{HIDDEN}@" not in value:
        return value
    if current and redact_url(current) == value:
        return current
    raise _invalid(name, f"Type the password of {value}: '{HIDDEN}' stands for the saved one, for that URL only.")


class SettingsPersistence(Protocol):
    def load_settings(self) -> dict[str, Any]: ...
    def save_settings(self, values: dict[str, Any]) -> None: ...


def check_setting(name: str, value: Any) -> Any:
    spec = SCHEMA.get(name)
    if spec is None:
        raise InvalidInput(f"'{name}' is not a setting.", field=f"settings.{name}")
    if spec.kind is bool:
        if not isinstance(value, bool):
            raise InvalidInput(f"'{name}' must be true or false.", field=f"settings.{name}")
        return value
    if spec.kind is str:
        if not isinstance(value, str) or len(value) > spec.max_length:
            raise InvalidInput(
                f"'{name}' must be text of at most {spec.max_length} characters.", field=f"settings.{name}"
            )
        if spec.choices is not None and value not in spec.choices:
            raise InvalidInput(f"'{name}' must be one of: {', '.join(spec.choices)}.", field=f"settings.{name}")
        return spec.check(name, value) if spec.check else value
    if spec.kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise InvalidInput(f"'{name}' must be a whole number.", field=f"settings.{name}")
    if (spec.low is not None and value < spec.low) or (spec.high is not None and value > spec.high):
        raise InvalidInput(f"'{name}' must be between {spec.low:g} and {spec.high:g}.", field=f"settings.{name}")
    return value


class SettingsService:
    def __init__(self, persistence: SettingsPersistence) -> None:
        self._persistence = persistence
        self._lock = threading.Lock()
        self._listeners: list[Callable[[dict[str, Any]], None]] = []

    def all(self) -> dict[str, Any]:
        stored = self._persistence.load_settings()
        return {name: stored.get(name, spec.default) for name, spec in SCHEMA.items()}

    def get(self, name: str) -> Any:
        return self.all()[name]

    def public(self, values: dict[str, Any] | None = None) -> dict[str, Any]:
        """The settings as answers show them: a URL's password is `***`."""
        from retro_ml.services.studies.storage import redact_url

        shown = dict(self.all() if values is None else values)
        for name, spec in SCHEMA.items():
            if spec.secret_url and shown.get(name):
                shown[name] = redact_url(shown[name])
        return shown

    def update(self, changes: Any) -> dict[str, Any]:
        """Validate every change first; nothing is saved unless all are valid."""
        if not isinstance(changes, dict) or not changes:
            raise InvalidInput('Send the settings to change, e.g. {"max_concurrent_runs": 2}.')
        checked = {name: check_setting(name, value) for name, value in changes.items()}
        with self._lock:
            current = self.all()
            checked = {name: keep_password(name, value, current[name]) for name, value in checked.items()}
            values = {**current, **checked}
            check_disk_thresholds(values, changed=checked)
            self._persistence.save_settings(values)
        for listener in list(self._listeners):
            listener(values)
        return values

    def on_change(self, listener: Callable[[dict[str, Any]], None]) -> None:
        self._listeners.append(listener)

    @staticmethod
    def describe() -> dict[str, dict[str, Any]]:
        return {
            name: {
                "type": s.kind.__name__,
                "default": s.default,
                "min": s.low,
                "max": s.high,
                "help": s.help,
                "choices": list(s.choices) if s.choices else None,
            }
            for name, s in SCHEMA.items()
        }
