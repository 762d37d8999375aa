"""How a worker fails: one line a user can act on in the `failed` report, the traceback in
worker.log, and nothing printed that could change the exit code when the disk is full."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from retro_ml.run_contract import FailedReport, disk_full_message, is_disk_full
from retro_ml.training.reporting import ReportWriter

DISK_FULL_TRACEBACK_CHARS = 2000


def close_quietly(*closers: Callable[[], object]) -> None:
    """Call each closer; one that fails (TensorBoard's writer on a full disk) is a warning."""
    for close in closers:
        try:
            close()
        except Exception as exc:  # noqa: BLE001 - the run's own outcome is already decided
            write_log(f"warning: {type(exc).__name__} while closing: {first_line(exc)}\n")


def report_failure(reporter: ReportWriter, exc: BaseException, run_config: dict[str, Any] | None) -> None:
    """Traceback to stderr (worker.log) and a `failed` report with a one-line message."""
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    write_log(details)
    run_dir = reporter.path.parent
    if is_disk_full(exc):
        details = details[-DISK_FULL_TRACEBACK_CHARS:]  # a short line has the best chance on a full disk
    try:
        message = describe_failure(exc, run_config, run_dir)
        reporter.write(FailedReport(type="failed", message=message, traceback=details))
    except OSError as write_error:  # the folder is gone, or the disk full: the exit code says it
        write_log(f"could not write the failed report: {write_error}\n")
    if is_disk_full(exc):
        silence_output()


def write_log(text: str) -> None:
    """To stderr (worker.log), unless that cannot be written either (a full disk)."""
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def silence_output() -> None:
    """worker.log is on the full disk: what is left to print goes nowhere, and the exit code stays
    ours (Python exits with 120 when it cannot flush stdout at the end)."""
    for name in ("stdout", "stderr"):
        try:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - lives until exit
        except OSError:
            pass


def describe_failure(exc: BaseException, run_config: dict[str, Any] | None, run_dir: Path | None = None) -> str:
    """One line a user can act on."""
    run_config = run_config or {}
    if is_disk_full(exc) and run_dir is not None:
        return disk_full_message(run_dir)
    if is_unknown_environment(exc):
        game = run_config.get("game") or run_config.get("env_id")
        return (
            f"Game {game!r} is not available: there is no environment {run_config.get('env_id')!r} "
            f"({first_line(exc)}). Run `retro-ml games` to list the games that can be trained."
        )
    if isinstance(exc, ValueError):  # RunFolderError, and SB3/our checks of config values
        return first_line(exc)
    if isinstance(exc, MemoryError):
        return "Out of memory: lower n_envs, or buffer_size for DQN, and try again."
    if isinstance(exc, KeyboardInterrupt):
        return "Training was interrupted (Ctrl+C) before it could save."
    return f"Training failed: {type(exc).__name__}: {first_line(exc)}"


def is_unknown_environment(exc: BaseException) -> bool:
    try:
        from gymnasium.error import UnregisteredEnv  # light: does not import torch
    except ImportError:
        return False
    return isinstance(exc, UnregisteredEnv)


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
