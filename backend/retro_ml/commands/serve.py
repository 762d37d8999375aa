"""`retro-ml serve` (headless) and `retro-ml` (the desktop window, or headless without a display)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NoReturn

from retro_ml.commands.instance import live_server, treat_sigterm_as_interrupt
from retro_ml.config import AppPaths, data_dir_source, resolve_data_dir, resolve_token, ui_root
from retro_ml.errors import AppError
from retro_ml.services.container import Services, build_services
from retro_ml.web.app import create_app
from retro_ml.web.security import LOOPBACK_HOSTS
from retro_ml.web.server import RunningServer, bind, write_server_info

log = logging.getLogger(__name__)


@dataclass
class AppSession:
    """The bound (not yet serving) server and the services behind it."""

    server: RunningServer
    services: Services
    paths: AppPaths


@contextmanager
def running_app(args: argparse.Namespace) -> Iterator[AppSession | None]:
    """Build services and bind the server; yields None when another instance owns the data dir."""
    explicit = getattr(args, "data_dir", None)
    paths = AppPaths(resolve_data_dir(explicit), data_dir_source(explicit))
    other = live_server(paths.server_info)
    if other:
        where = f"at {other['url']}" if other.get("url") else "in a terminal (`retro-ml train`)"
        print(
            f"Retro ML Trainer is already running for {paths.data_dir} {where}.\n"
            "Use that one, or pass another --data-dir.",
            file=sys.stderr,
        )
        yield None
        return
    try:
        services = build_services(paths)
    except AppError as error:  # e.g. a database from a newer version: say so, touch nothing
        print(f"Retro ML Trainer cannot start: {error.message}", file=sys.stderr)
        yield None
        return
    token = resolve_token()
    host = getattr(args, "host", "127.0.0.1")
    extra_hosts = frozenset() if host in LOOPBACK_HOSTS else frozenset({host})
    web = create_app(services, token, ui_root(), extra_hosts=extra_hosts)
    running = bind(web, host, getattr(args, "port", 0), token)
    write_server_info(paths.server_info, running)
    try:
        yield AppSession(running, services, paths)
    finally:
        running.server.server_close()
        services.shutdown()
        paths.server_info.unlink(missing_ok=True)


def serve(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with running_app(args) as session:
        if session is None:
            return 1
        running = session.server
        treat_sigterm_as_interrupt()
        print(f"Retro ML Trainer running at {running.login_url}", flush=True)
        try:
            running.server.serve_forever()
        except KeyboardInterrupt:
            print("Stopping: running trainings save their models first…", flush=True)
    return 0


def _has_display() -> bool:
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def open_window(args: argparse.Namespace) -> int:
    """The desktop window on the embedded server; headless when there is no display."""
    try:
        import webview  # noqa: F401  (pywebview)
    except ImportError:
        print(
            "The desktop window needs pywebview (pip install 'retro-ml-trainer[desktop]'); running headless instead.",
            file=sys.stderr,
        )
        return serve(args)
    if not _has_display():
        print("No display found: running headless. Open the link below in a browser.", file=sys.stderr)
        return serve(args)
    from retro_ml.desktop.attach import attach_window, other_server
    from retro_ml.desktop.single_instance import request_focus
    from retro_ml.desktop.window import run_window

    data_dir = resolve_data_dir(getattr(args, "data_dir", None))
    if request_focus(data_dir):  # a second launch: the running window comes to the front instead
        print("Retro ML Trainer is already open: brought its window to the front.", flush=True)
        return 0
    other = live_server(AppPaths(data_dir).server_info)
    headless = other_server(other) if other else None
    if headless is not None:  # `retro-ml serve` owns the data dir: a window on it, not a second server
        _exit_now(attach_window(headless, data_dir))
    with running_app(args) as session:
        if session is None:
            return 1
        running = session.server
        print(f"Retro ML Trainer running at {running.login_url}", flush=True)
        running.serve_in_thread()
        code = run_window(running, session.services, session.paths.data_dir)
        running.server.shutdown()
    _exit_now(code)


def _exit_now(code: int) -> NoReturn:
    """Everything is saved and stopped (runs included). The GUI toolkit may leave non-daemon threads
    behind (a js_api call whose page is gone waits for it for ever): end the process here."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()
    os._exit(code)
