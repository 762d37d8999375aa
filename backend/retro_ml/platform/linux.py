"""Linux (and the BSDs): freedesktop D-Bus services, asked through `gdbus` (GLib's command-line client).

- Reveal: the file manager's `org.freedesktop.FileManager1.ShowItems` selects the file (Nautilus,
  Dolphin, Nemo, Caja, Thunar...); without one, `xdg-open` opens the folder, given a display
  (without one nothing could show it: a 503 that says so, never a false "opened").
- Clipboard: the tools pyperclip would pick (wl-copy on Wayland, else xclip or xsel; a display),
  run directly: pyperclip lets the copy's background process inherit the app's stdout (a pipe
  reading the app's output would never end) and ignores its exit status.
- Notifications: plyer, which sends D-Bus `Notify` through dbus-python when it is installed, else
  runs `notify-send` (libnotify-bin). Neither tells whether anyone showed the notification, so
  the session bus is asked first whether something provides `org.freedesktop.Notifications`.

`gdbus` rather than a D-Bus library: it ships with GLib on every desktop, needs nothing compiled
into the venv, and its command line is what the reveal API reports.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from retro_ml.platform.base import (
    APP_NAME,
    NOTIFICATION_SECONDS,
    IntegrationState,
    PathLike,
    Platform,
    PlatformUnavailable,
)

FILE_MANAGER = "org.freedesktop.FileManager1"
FILE_MANAGER_PATH = "/org/freedesktop/FileManager1"
NOTIFICATIONS = "org.freedesktop.Notifications"
BUS_CALL_SECONDS = 3

INSTALL_XDG_UTILS = "Opening folders needs xdg-open: install xdg-utils (Debian/Ubuntu: sudo apt install xdg-utils)."
# xdg-open without a display starts nothing useful (or a text browser in the background) yet
# may exit 0: said ahead instead of answering "opened".
NO_DISPLAY_TO_OPEN = (
    "No folder can be opened here: there is no graphical display (DISPLAY and WAYLAND_DISPLAY are not set) "
    "and no file manager on the D-Bus session bus. Open the folder yourself from its path."
)
INSTALL_NOTIFY_SEND = (
    "Desktop notifications need notify-send: install libnotify-bin (Debian/Ubuntu: sudo apt install libnotify-bin)."
)
# (copy, paste) per tool; each copy stays in the background to serve the clipboard
CLIPBOARD_TOOLS = {
    "xclip": (["xclip", "-selection", "clipboard", "-in"], ["xclip", "-selection", "clipboard", "-out"]),
    "xsel": (["xsel", "--clipboard", "--input"], ["xsel", "--clipboard", "--output"]),
    "wl-clipboard": (["wl-copy"], ["wl-paste", "--no-newline"]),
}
NO_NOTIFICATION_SERVICE = (
    "No notification service: {detail}. Notifications show in a desktop session (GNOME, KDE, XFCE...) "
    "or with a notification daemon such as dunst; the app works the same without them."
)


def session_bus_offers(name: str) -> tuple[bool | None, str]:
    """Whether something on the session bus owns `name` or would be started for it.

    (True, ""), (False, why not), or (None, why it could not be asked).
    """
    runtime_bus = Path(os.environ.get("XDG_RUNTIME_DIR", "/nonexistent")) / "bus"
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS") and not runtime_bus.exists():
        # Checked here so that gdbus never "autolaunches" a stray bus of its own.
        return False, "there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)"
    gdbus = shutil.which("gdbus")
    if gdbus is None:
        return None, "gdbus (Debian/Ubuntu: libglib2.0-bin) is not installed, so it could not be checked"
    try:
        if bus_call(gdbus, "NameHasOwner", name) == "(true,)":
            return True, ""
        activatable = ast.literal_eval(bus_call(gdbus, "ListActivatableNames"))[0]
    except (OSError, subprocess.SubprocessError, ValueError, SyntaxError, IndexError) as exc:
        return False, f"the D-Bus session bus did not answer ({exc})"
    if name in activatable:
        return True, ""
    return False, f"nothing on the D-Bus session bus provides {name}"


def bus_call(gdbus: str, method: str, *args: str) -> str:
    """One call to the bus daemon itself; its GVariant text answer, e.g. "(true,)"."""
    command = [gdbus, "call", "--session", "--timeout", str(BUS_CALL_SECONDS), "--dest", "org.freedesktop.DBus"]
    command += ["--object-path", "/org/freedesktop/DBus", "--method", f"org.freedesktop.DBus.{method}", *args]
    result = subprocess.run(
        command, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=BUS_CALL_SECONDS + 2
    )
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        raise subprocess.SubprocessError(lines[0] if lines else f"gdbus exited with {result.returncode}")
    return result.stdout.strip()


def copy_with(command: list[str], text: str) -> None:
    # No pipe for stdout/stderr: the tool forks a process that keeps them as long as it holds the
    # clipboard. Errors go to a file instead, read if it fails.
    with tempfile.TemporaryFile() as errors:
        result = subprocess.run(
            command, input=text.encode(), stdout=subprocess.DEVNULL, stderr=errors, timeout=10, start_new_session=True
        )
        if result.returncode != 0:
            errors.seek(0)
            why = errors.read().decode(errors="replace").strip() or f"exit status {result.returncode}"
            display = os.environ.get("WAYLAND_DISPLAY") or os.environ.get("DISPLAY") or "?"
            raise PlatformUnavailable(
                f"Could not copy to the clipboard of display {display} ({command[0]}: {why}). "
                "Is the desktop session still running?"
            )


def paste_with(command: list[str]) -> str:
    result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
    return result.stdout.decode(errors="replace")


def has_display() -> bool:
    """Whether this process could put a window on a screen (X11 or Wayland)."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def show_items_command(path: PathLike) -> list[str]:
    """FileManager1.ShowItems (a file: select it in its folder) or ShowFolders (a folder: open it)."""
    target = Path(os.fspath(path)).absolute()
    method = "ShowFolders" if target.is_dir() else "ShowItems"
    # as_uri() percent-encodes quotes and backslashes, so the GVariant string literal needs no escaping.
    return [
        "gdbus", "call", "--session", "--dest", FILE_MANAGER, "--object-path", FILE_MANAGER_PATH,
        "--method", f"{FILE_MANAGER}.{method}", f"['{target.as_uri()}']", "''",
    ]  # fmt: skip


def xdg_open_command(path: PathLike) -> list[str]:
    target = Path(os.fspath(path)).absolute()
    return ["xdg-open", str(target if target.is_dir() else target.parent)]


class LinuxPlatform(Platform):
    name = "linux"

    def __init__(self, notifier: Any | None = None) -> None:
        """`notifier`: a plyer notification backend to use instead of plyer's own choice."""
        super().__init__()
        self._notifier = notifier

    # -- reveal -------------------------------------------------------------------------------
    def reveal_command(self, path: PathLike) -> list[str]:
        # A file manager on the session bus shows the folder on the user's desktop even when this
        # process has no display itself (e.g. `retro-ml serve` started as a systemd user service).
        if session_bus_offers(FILE_MANAGER)[0]:
            return show_items_command(path)
        if not shutil.which("xdg-open"):
            raise PlatformUnavailable(INSTALL_XDG_UTILS)
        if not has_display():
            raise PlatformUnavailable(NO_DISPLAY_TO_OPEN)
        return xdg_open_command(path)

    def reveal(self, path: PathLike) -> list[str]:
        command = self.reveal_command(path)
        # A file manager that fails to start for ShowItems should still leave the user in the folder.
        fallback = (
            xdg_open_command(path) if command[0] == "gdbus" and shutil.which("xdg-open") and has_display() else None
        )
        self._launch(command, fallback)
        return command

    def reveal_state(self) -> IntegrationState:
        if session_bus_offers(FILE_MANAGER)[0]:
            return IntegrationState(True, method="file-manager")
        if not shutil.which("xdg-open"):
            return IntegrationState(False, INSTALL_XDG_UTILS)
        if not has_display():
            return IntegrationState(False, NO_DISPLAY_TO_OPEN, method="xdg-open")
        reason = f"No file manager offers {FILE_MANAGER}, so the folder opens without the file selected."
        return IntegrationState(True, reason, method="xdg-open")

    def missing_tool_message(self, tool: str) -> str:
        return INSTALL_XDG_UTILS if tool == "xdg-open" else f"Could not run '{tool}'."

    # -- clipboard (the same order pyperclip tries) ---------------------------------------------
    def clipboard_state(self) -> IntegrationState:
        wayland, x11 = os.environ.get("WAYLAND_DISPLAY"), os.environ.get("DISPLAY")
        if wayland and shutil.which("wl-copy") and shutil.which("wl-paste"):
            return IntegrationState(True, method="wl-clipboard")
        if x11:
            for tool in ("xclip", "xsel"):
                if shutil.which(tool):
                    return IntegrationState(True, method=tool)
            return IntegrationState(
                False, "Copying needs xclip or xsel: install one (Debian/Ubuntu: sudo apt install xclip)."
            )
        if wayland:
            return IntegrationState(
                False, "Copying needs wl-clipboard on Wayland (Debian/Ubuntu: sudo apt install wl-clipboard)."
            )
        return IntegrationState(
            False,
            "No graphical display (DISPLAY is not set), so there is no clipboard to copy to: "
            "select the path in the app and copy it by hand.",
        )

    def clipboard_functions(self, state: IntegrationState) -> tuple[Callable[[str], None], Callable[[], str]]:
        commands = CLIPBOARD_TOOLS.get(state.method or "")
        if commands is None:
            return super().clipboard_functions(state)
        copy_command, paste_command = commands
        return (lambda text: copy_with(copy_command, text)), (lambda: paste_with(paste_command))

    def clipboard_refused_message(self) -> str:
        display = os.environ.get("WAYLAND_DISPLAY") or os.environ.get("DISPLAY") or "?"
        return (
            f"The clipboard did not take the text: the display {display} did not answer "
            "(is the desktop session still running?)."
        )

    # -- notifications --------------------------------------------------------------------------
    def notification_method(self) -> str | None:
        """What plyer will send with (its own order), or None when it has nothing."""
        if self._notifier is not None:
            return type(self._notifier).__name__
        if os.path.isdir("/app"):
            return "xdg-desktop-portal"  # plyer's choice inside Flatpak
        if importlib.util.find_spec("dbus") is not None:
            return "dbus-python"
        return "notify-send" if shutil.which("notify-send") else None

    def notification_state(self) -> IntegrationState:
        method = self.notification_method()
        if method is None:
            return IntegrationState(False, INSTALL_NOTIFY_SEND)
        found, detail = session_bus_offers(NOTIFICATIONS)
        if found is False:
            return IntegrationState(False, NO_NOTIFICATION_SERVICE.format(detail=detail), method)
        return IntegrationState(True, "" if found else f"Not checked: {detail}.", method)

    def send_notification(self, title: str, message: str) -> None:
        if self._notifier is None:
            super().send_notification(title, message)
            return
        self._notifier.notify(title=title, message=message, app_name=APP_NAME, timeout=NOTIFICATION_SECONDS)
