"""The pywebview window on the embedded server (WebView2 on Windows, Qt on Linux, Cocoa on macOS)."""

from __future__ import annotations

import os
import sys
import time
from typing import Literal

from retro_ml.web.server import RunningServer

WINDOW_TITLE = "Retro ML Trainer"


def run_window(running: RunningServer) -> int:
    """Blocks until the window closes. The server is already serving in a thread."""
    import webview

    gui: Literal["qt"] | None = None
    if sys.platform.startswith("linux"):
        gui = "qt"  # what setup installs on Linux; skips pywebview's GTK attempt
        if os.geteuid() == 0:
            os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")  # Chromium refuses its sandbox as root
    webview.create_window(WINDOW_TITLE, running.login_url, width=1280, height=800, min_size=(960, 640))
    try:
        webview.start(gui=gui)
    except Exception as exc:  # no GUI backend (e.g. Qt missing): keep the app usable headless
        print(
            f"Could not open the window ({exc}). Open {running.login_url} in a browser; Ctrl+C quits.", file=sys.stderr
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    running.server.shutdown()
    return 0
