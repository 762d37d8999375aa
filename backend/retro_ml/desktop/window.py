"""The pywebview window on the embedded server (WebView2 on Windows, Qt on Linux, Cocoa on macOS).

- The server answers /api/health before the window loads its page.
- Size and position are remembered in the data dir (window_state.py).
- Closing while training runs asks (inside the page, close_prompt.py): keep training in the
  background (the window hides; the app quits by itself after the last run), stop and quit (runs
  save their models, as at every exit), or cancel.
- A second launch brings this window back to the front (single_instance.py).
- A launch while a headless `retro-ml serve` owns the data dir opens this window on that server
  (attach.py): it closes when that server ends, and closing it leaves the server and its runs going.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import psutil

from retro_ml.desktop import window_state
from retro_ml.desktop.close_prompt import close_prompt_script
from retro_ml.desktop.single_instance import FocusListener
from retro_ml.platform import PlatformUnavailable, current_platform
from retro_ml.store.entities import ACTIVE_STATUSES

if TYPE_CHECKING:
    from retro_ml.services.container import Services

log = logging.getLogger(__name__)

WINDOW_TITLE = "Retro ML Trainer"
BACKGROUND_POLL_S = 2.0
SERVER_READY_TIMEOUT_S = 15.0
CHOICE_SETTLE_S = 0.3
SERVER_POLL_S = 1.0


class ServerAddress(Protocol):
    """What the window needs of a server: the embedded one (RunningServer) or another process's."""

    @property
    def base_url(self) -> str: ...

    @property
    def token(self) -> str: ...

    @property
    def login_url(self) -> str: ...


class NativeBridge:
    """`window.pywebview.api` in the page: only what needs the native side.

    Only these methods are public: pywebview exposes (and walks) every public attribute.
    """

    def __init__(self) -> None:
        self._window: Any = None
        self._shell: DesktopShell | None = None
        self._platform = current_platform()

    def _attach(self, window: Any, shell: DesktopShell | None = None) -> None:  # private: not callable by the page
        self._window = window
        self._shell = shell

    def pick_folder(self, directory: str = "") -> str | None:
        """A native folder chooser; the folder's path, or None when cancelled."""
        import webview

        return self._first(self._window.create_file_dialog(webview.FileDialog.FOLDER, directory=directory))

    def pick_file(self, directory: str = "", file_types: list[str] | None = None) -> str | None:
        """A native open-file dialog; `file_types` like ["Videos (*.mp4)", "All files (*.*)"]."""
        import webview

        chosen = self._window.create_file_dialog(
            webview.FileDialog.OPEN, directory=directory, file_types=tuple(file_types or ())
        )
        return self._first(chosen)

    def copy_text(self, text: str) -> dict[str, Any]:
        """The page must not use navigator.clipboard: under Qt it aborts the process."""
        try:
            self._platform.copy_to_clipboard(str(text))
        except PlatformUnavailable as exc:
            return {"ok": False, "error": exc.to_dict()}
        return {"ok": True}

    def open_location(self, path: str) -> dict[str, Any]:
        """Shows a file (selected) or a folder in the OS file manager."""
        target = Path(str(path)).expanduser()
        if not target.is_absolute() or not target.exists():
            return {"ok": False, "error": {"code": "not_found", "message": f"{path} does not exist."}}
        try:
            self._platform.reveal(target)
        except PlatformUnavailable as exc:
            return {"ok": False, "error": exc.to_dict()}
        return {"ok": True}

    def close_choice(self, choice: str) -> dict[str, Any]:
        """The answer to the close-while-training question: "background" or "stop"."""
        if self._shell is None or choice not in ("background", "stop"):
            return {"ok": False}
        threading.Thread(target=self._shell.close_choice, args=(choice,), name="close-choice", daemon=True).start()
        return {"ok": True}

    @staticmethod
    def _first(paths: Any) -> str | None:
        return str(paths[0]) if paths else None


def wait_until_ready(running: ServerAddress, timeout: float = SERVER_READY_TIMEOUT_S) -> bool:
    """True once the embedded server answers /api/health (so the page never loads into an error)."""
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(
        f"{running.base_url}/api/health", headers={"Authorization": f"Bearer {running.token}"}
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through an http_proxy
    while time.monotonic() < deadline:
        try:
            with opener.open(request, timeout=2) as response:
                if response.status == 200:
                    return True
        except urllib.error.HTTPError:
            return True  # it answers (an error here is the page's business, shown in the window)
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.05)
    return False


class DesktopShell:
    """One window: its remembered geometry, the close question, background mode, focus requests."""

    def __init__(self, running: ServerAddress, services: Services | None, data_dir: Path) -> None:
        self.running = running
        self.services = services
        self.data_dir = data_dir
        self.window: Any = None
        self._state = window_state.load(data_dir)
        self._lock = threading.Lock()
        self._quitting = False
        self._background = False
        self._monitor: threading.Thread | None = None
        self.quit_requested = threading.Event()

    # --- state ------------------------------------------------------------------------------
    def initial_state(self, screens: list[tuple[int, int, int, int]]) -> window_state.WindowState:
        return self._state.on_screens(screens)

    def _on_resized(self, width: int, height: int) -> None:
        if not self._state.maximized:
            self._state.width, self._state.height = int(width), int(height)

    def _on_moved(self, x: int, y: int) -> None:
        if not self._state.maximized:
            self._state.x, self._state.y = int(x), int(y)

    def _on_maximized(self) -> None:
        self._state.maximized = True

    def _on_restored(self) -> None:
        self._state.maximized = False

    def save_state(self) -> None:
        window_state.save(self.data_dir, self._state)

    # --- closing ----------------------------------------------------------------------------
    def active_run_names(self) -> list[str]:
        if self.services is None:
            return []
        try:
            return [e.name for e in self.services.experiments.list() if e.status in ACTIVE_STATUSES]
        except Exception:  # noqa: BLE001 - a failing store must never keep the window from closing
            log.exception("could not list running experiments")
            return []

    def on_closing(self) -> bool | None:
        """pywebview's closing event (GUI thread): False keeps the window open."""
        if self._quitting:
            self.save_state()
            return None
        names = self.active_run_names()
        if not names:
            self._quitting = True
            self.save_state()
            return None
        script = close_prompt_script(names)
        threading.Thread(target=self._ask, args=(script,), name="close-prompt", daemon=True).start()
        return False

    def _ask(self, script: str) -> None:
        try:
            self.window.evaluate_js(script)
        except Exception:  # noqa: BLE001 - the page is gone or broken: closing must still be possible
            log.exception("could not show the close question; closing")
            self.quit()

    def close_choice(self, choice: str) -> None:
        # let pywebview hand the js_api call's return value to the page first: a window destroyed
        # meanwhile leaves pywebview's (non-daemon) call thread waiting for the page for ever
        time.sleep(CHOICE_SETTLE_S)
        if choice == "stop":
            self.quit()
            return
        with self._lock:
            self._background = True
            self.save_state()
            self.window.hide()
            if self._monitor is None:
                self._monitor = threading.Thread(target=self._watch_background, name="background", daemon=True)
                self._monitor.start()
        print("Training goes on in the background; start Retro ML Trainer again to reopen the window.", flush=True)

    def quit(self) -> None:
        self._quitting = True
        self.quit_requested.set()
        try:
            self.window.destroy()
        except Exception:  # noqa: BLE001 - no GUI (headless fallback): quit_requested is enough
            log.debug("no window to close", exc_info=True)

    def _watch_background(self) -> None:
        """While hidden: quit once no run is queued, running or paused any more."""
        while not self._quitting:
            time.sleep(BACKGROUND_POLL_S)
            with self._lock:
                if self._background and not self.active_run_names():
                    print("The last training run ended: quitting.", flush=True)
                    self.quit()
                    return

    def close_when_process_ends(self, pid: int) -> None:
        """An attached window (its server is another process): close it once that process is gone."""

        def watch() -> None:
            while not self._quitting and psutil.pid_exists(pid):
                time.sleep(SERVER_POLL_S)
            if not self._quitting:
                print("The server this window showed has stopped: closing the window.", flush=True)
                self.quit()

        threading.Thread(target=watch, name="server-watch", daemon=True).start()

    # --- second launch ----------------------------------------------------------------------
    def focus(self) -> None:
        with self._lock:
            self._background = False
            if self.window is None or self._quitting:
                return
            self.window.show()
            self.window.restore()
            _bring_to_front(self.window)


def _bring_to_front(window: Any) -> None:
    """Raise the window above the others. Qt: a queued raise() (toggling on_top would re-create the
    native window); elsewhere on_top on and off again, which raises it."""
    if sys.platform.startswith("linux"):
        try:
            from qtpy.QtCore import QMetaObject, Qt
            from webview.platforms.qt import BrowserView

            view = BrowserView.instances.get(window.uid)
            if view is not None:
                QMetaObject.invokeMethod(view, "raise", Qt.ConnectionType.QueuedConnection)
        except Exception:  # noqa: BLE001 - shown and restored already; raising is a nicety
            log.debug("could not raise the window", exc_info=True)
        return
    window.on_top = True
    window.on_top = False


def _screens(webview: Any) -> list[tuple[int, int, int, int]]:
    try:
        return [(int(s.x), int(s.y), int(s.width), int(s.height)) for s in webview.screens]
    except Exception:  # noqa: BLE001 - no screen information: the OS places the window
        return []


def run_window(
    running: ServerAddress,
    services: Services | None = None,
    data_dir: Path | None = None,
    server_pid: int | None = None,
) -> int:
    """Blocks until the window closes (or the app quits from the background). The server is
    already serving (in a thread of this process, which stops it afterwards, or in the process
    `server_pid`, whose end closes the window)."""
    import webview

    gui: Literal["qt"] | None = None
    if sys.platform.startswith("linux"):
        gui = "qt"  # what setup installs on Linux; skips pywebview's GTK attempt
        if os.geteuid() == 0:
            os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")  # Chromium refuses its sandbox as root
    if gui == "qt":
        os.environ.setdefault("PYWEBVIEW_GUI", "qt")  # also for webview.screens below (no GTK attempt)
    shell = DesktopShell(running, services, data_dir or Path.cwd())
    if not wait_until_ready(running):
        print(
            f"The server did not answer within {SERVER_READY_TIMEOUT_S:g} s; opening the window anyway.",
            file=sys.stderr,
        )
    state = shell.initial_state(_screens(webview))
    bridge = NativeBridge()
    window: Any = webview.create_window(
        WINDOW_TITLE,
        running.login_url,
        width=state.width,
        height=state.height,
        x=state.x,
        y=state.y,
        maximized=state.maximized,
        min_size=(window_state.MIN_WIDTH, window_state.MIN_HEIGHT),
        js_api=bridge,
        background_color="#0f1020",
    )
    shell.window = window
    bridge._attach(window, shell)
    window.events.closing += shell.on_closing
    window.events.resized += shell._on_resized
    window.events.moved += shell._on_moved
    window.events.maximized += shell._on_maximized
    window.events.restored += shell._on_restored
    listener: FocusListener | None = None
    if data_dir is not None:
        try:
            listener = FocusListener(data_dir, shell.focus)
        except OSError as exc:
            log.warning("a second launch cannot bring this window forward: %s", exc)
    quit_on_signals(shell)
    if server_pid is not None:
        shell.close_when_process_ends(server_pid)
    try:
        webview.start(gui=gui, icon=_icon_path())
    except Exception as exc:  # no GUI backend (e.g. Qt missing): keep the app usable headless
        print(
            f"Could not open the window ({exc}). Open {running.login_url} in a browser; Ctrl+C quits.", file=sys.stderr
        )
        try:
            while not shell.quit_requested.wait(1.0):  # Ctrl+C / SIGTERM (quit_on_signals)
                pass
        except KeyboardInterrupt:
            pass
    finally:
        if listener is not None:
            listener.close()
    return 0


def quit_on_signals(shell: DesktopShell) -> None:
    """SIGTERM (logout, a service manager) and Ctrl+C quit like "stop and quit": runs save their models.

    The GUI loop runs in C++, so a Python signal handler would wait for the next Python call; the
    wakeup fd lets a thread see the signal at once and close the window from there.
    """
    if os.name == "nt" or threading.current_thread() is not threading.main_thread():
        return
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    signal.set_wakeup_fd(write_fd)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: None)  # handled by the thread below

    def wait_for_signal() -> None:
        os.read(read_fd, 1)
        print("Quitting: running trainings save their models first…", flush=True)
        shell.quit()

    threading.Thread(target=wait_for_signal, name="signals", daemon=True).start()


def _icon_path() -> str | None:
    """The window icon (Linux/Qt; Windows takes the .exe's icon): in the bundle or the checkout."""
    bundle = getattr(sys, "_MEIPASS", None)
    candidates = [Path(bundle) / "retro_ml" / "desktop" / "retro_ml.png"] if bundle else []
    candidates.append(Path(__file__).resolve().parents[3] / "packaging" / "retro_ml.png")
    return next((str(p) for p in candidates if p.exists()), None)
