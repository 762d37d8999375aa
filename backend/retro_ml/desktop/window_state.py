"""The window's size and position, remembered in the data dir (window.json), not in the settings."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from retro_ml.store.atomic_storage import atomic_write_text

log = logging.getLogger(__name__)

FILE_NAME = "window.json"
DEFAULT_WIDTH, DEFAULT_HEIGHT = 1280, 800
MIN_WIDTH, MIN_HEIGHT = 960, 640
_VISIBLE_MARGIN = 80  # this much of the title bar must be on a screen, else the window is centred


@dataclass
class WindowState:
    width: int = DEFAULT_WIDTH
    height: int = DEFAULT_HEIGHT
    x: int | None = None  # None: let the OS place it (centred)
    y: int | None = None
    maximized: bool = False

    def on_screens(self, screens: list[tuple[int, int, int, int]]) -> WindowState:
        """A copy that fits the screens (x, y, width, height): a window saved on a monitor that is gone
        comes back centred on the first one, and never larger than its screen."""
        state = WindowState(**asdict(self))
        if not screens:
            return state
        target = screens[0]
        if state.x is not None and state.y is not None:
            for sx, sy, sw, sh in screens:
                if sx <= state.x + _VISIBLE_MARGIN <= sx + sw and sy <= state.y + 10 <= sy + sh:
                    target = (sx, sy, sw, sh)
                    break
            else:
                state.x = state.y = None
        _, _, sw, sh = target
        state.width = max(MIN_WIDTH, min(state.width, sw)) if sw >= MIN_WIDTH else sw
        state.height = max(MIN_HEIGHT, min(state.height, sh)) if sh >= MIN_HEIGHT else sh
        return state


def _int(value: Any, default: int | None) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def load(data_dir: Path) -> WindowState:
    try:
        raw = json.loads((data_dir / FILE_NAME).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, OSError):
        return WindowState()
    if not isinstance(raw, dict):
        return WindowState()
    return WindowState(
        width=_int(raw.get("width"), DEFAULT_WIDTH) or DEFAULT_WIDTH,
        height=_int(raw.get("height"), DEFAULT_HEIGHT) or DEFAULT_HEIGHT,
        x=_int(raw.get("x"), None),
        y=_int(raw.get("y"), None),
        maximized=raw.get("maximized") is True,
    )


def save(data_dir: Path, state: WindowState) -> None:
    try:
        atomic_write_text(data_dir / FILE_NAME, json.dumps(asdict(state)))
    except OSError as exc:  # a read-only data dir must not stop the app from closing
        log.warning("could not remember the window's size and position: %s", exc)
