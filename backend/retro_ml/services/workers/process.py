"""One training worker OS process: started by us, or found again after an app restart."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

import psutil

import retro_ml
from retro_ml.run_contract import DISK_FULL_EXIT_CODE, WORKER_LOG, WORKER_PID_FILE, disk_full_message, free_bytes
from retro_ml.store.atomic_storage import atomic_write_text

# Workers outlive a Ctrl-C in the server's terminal (own session / process group, no
# console window on Windows); the manager stops them itself, through their STOP file.
_DETACHED_FLAGS = (
    subprocess.CREATE_NEW_PROCESS_GROUP | subprocess.CREATE_NO_WINDOW  # type: ignore[attr-defined,unused-ignore]
    if os.name == "nt"
    else 0
)
FULL_DISK_BYTES = 1024 * 1024  # less free than this after a worker failed: it failed for lack of space


def app_command(*args: str) -> list[str]:
    """`retro-ml ARGS` as a child process: the app's own executable when frozen (PyInstaller:
    it has the sub-commands and is no Python interpreter), else this Python with `-m retro_ml`."""
    if getattr(sys, "frozen", False):
        return [sys.executable, *args]
    return [sys.executable, "-m", "retro_ml", *args]


def worker_command(run_dir: Path) -> list[str]:
    return app_command("worker", "--run-dir", str(run_dir))


def worker_env() -> dict[str, str]:
    """The environment of a child process of the app (workers, model jobs): this checkout importable, unbuffered."""
    env = dict(os.environ)
    source_root = str(Path(retro_ml.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (source_root, env.get("PYTHONPATH")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def start_job_process(
    command: list[str], log_file: IO[Any], cwd: Path | None = None, new_session: bool = False, text: bool = False
) -> subprocess.Popen[Any]:
    """A short-lived child of the app (a model job, player or export): its JSON lines on a pipe,
    its stderr into `log_file`, no console window on Windows; `new_session` keeps a Ctrl-C in
    the server's terminal from reaching it (POSIX)."""
    return subprocess.Popen(
        command,
        cwd=cwd,
        env=worker_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=log_file,
        creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
        start_new_session=new_session and os.name != "nt",
        text=text,
        encoding="utf-8" if text else None,
    )


def describe_exit(returncode: int | None, run_dir: Path | None = None) -> str:
    """Why a worker ended without a final report; a full disk says how much is free and what to do."""
    if run_dir is not None and returncode and (returncode == DISK_FULL_EXIT_CODE or disk_is_full(run_dir)):
        return disk_full_message(run_dir)  # an error on a disk without room: it could not even say so
    if returncode is None:
        return "The training process ended without a final report while the app was closed."
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"The training process was killed ({name})."
    return f"The training process exited unexpectedly (exit code {returncode})."


def disk_is_full(run_dir: Path) -> bool:
    free = free_bytes(run_dir)
    return free is not None and free < FULL_DISK_BYTES


class WorkerProcess:
    """A worker we spawned (`spawn`) or re-found from its run folder's pid file (`find`)."""

    def __init__(self, process: psutil.Process, popen: subprocess.Popen[bytes] | None = None) -> None:
        self._process = process
        self._popen = popen

    @classmethod
    def spawn(cls, run_dir: Path) -> WorkerProcess:
        with (run_dir / WORKER_LOG).open("ab") as log_file:
            popen = subprocess.Popen(
                worker_command(run_dir),
                cwd=run_dir,
                env=worker_env(),
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                creationflags=_DETACHED_FLAGS,
                start_new_session=os.name != "nt",
            )
        process = psutil.Process(popen.pid)
        try:
            atomic_write_text(
                run_dir / WORKER_PID_FILE, json.dumps({"pid": popen.pid, "create_time": process.create_time()})
            )
        except OSError:  # a full disk: a worker nobody could find again after a restart must not run
            popen.kill()
            popen.wait()
            raise
        return cls(process, popen)

    @classmethod
    def find(cls, run_dir: Path) -> WorkerProcess | None:
        """The live worker of this run folder, if the pid file names one (and not a reused pid)."""
        try:
            info = json.loads((run_dir / WORKER_PID_FILE).read_text(encoding="utf-8"))
            process = psutil.Process(int(info["pid"]))
            if abs(process.create_time() - float(info["create_time"])) > 1.0:
                return None
            if not process.is_running() or process.status() == psutil.STATUS_ZOMBIE:
                return None
        except (FileNotFoundError, ValueError, KeyError, TypeError, psutil.Error):
            return None
        return cls(process)

    @property
    def pid(self) -> int:
        return self._process.pid

    def exited(self) -> bool:
        if self._popen is not None:
            return self._popen.poll() is not None
        try:
            return not self._process.is_running() or self._process.status() == psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return True

    def exit_description(self, run_dir: Path | None = None) -> str:
        return describe_exit(self._popen.returncode if self._popen is not None else None, run_dir)

    def suspend(self) -> None:
        self._process.suspend()

    def resume(self) -> None:
        self._process.resume()

    def is_suspended(self) -> bool:
        try:
            return self._process.status() == psutil.STATUS_STOPPED
        except psutil.Error:
            return False

    def wait(self, timeout: float) -> bool:
        """True when it exited within `timeout`."""
        try:
            if self._popen is not None:
                self._popen.wait(timeout)
            else:
                self._process.wait(timeout)
        except (subprocess.TimeoutExpired, psutil.TimeoutExpired):
            return False
        except psutil.NoSuchProcess:
            pass
        return True

    def kill(self) -> None:
        try:
            self._process.kill()
        except psutil.NoSuchProcess:
            pass
