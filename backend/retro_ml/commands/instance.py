"""One main process per data dir (the only database writer), and how it is told to quit."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import psutil

from retro_ml.web.server import read_server_info


def live_server(server_info: Path) -> dict[str, object] | None:
    """The running app that owns this data dir, or None (a stale file is ignored)."""
    info = read_server_info(server_info)
    pid = info.get("pid") if info else None
    if not isinstance(pid, int) or pid == os.getpid() or not psutil.pid_exists(pid):
        return None
    return info


def _raise_interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def treat_sigterm_as_interrupt() -> None:
    """SIGTERM (a closed terminal, a service manager) quits like Ctrl+C: workers save first."""
    signal.signal(signal.SIGTERM, _raise_interrupt)
