"""Starts the real `retro-ml serve` in a subprocess for tests and benchmarks."""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import psutil

URL_LINE = re.compile(r"Retro ML Trainer running at (http://\S+?)/\?token=(\S+)")


@dataclass
class LiveServer:
    process: subprocess.Popen[bytes]
    base_url: str
    token: str
    data_dir: Path
    log_path: Path

    @property
    def login_url(self) -> str:
        return f"{self.base_url}/?token={self.token}"

    @property
    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, timeout: float = 60.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def kill_workers_under(folder: Path) -> list[str]:
    """Kill the training workers (and clip recorders) whose run folder is under `folder`; their
    command lines. Workers outlive the app by design (a restart reattaches them), so a server a
    test stops leaves its runs training unless the test ends them."""
    killed = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if "worker" in cmdline and any(arg.startswith(str(folder)) for arg in cmdline):
            killed.append(" ".join(cmdline))
            try:
                process.kill()
            except psutil.Error:
                pass
    return killed


def start_server(
    data_dir: Path,
    token: str | None = None,
    port: int = 0,
    timeout: float = 30.0,
    env: Mapping[str, str | None] | None = None,
    onboarding_done: bool = True,
    pass_data_dir: bool = True,
) -> LiveServer:
    """`env`: changes to the server's environment (None removes a variable).

    `onboarding_done`: like a user who already dismissed the first-launch tips with
    "Don't show again" (saved through the settings API), so the popup does not cover the
    page under test; False leaves the data dir's setting as it is.
    `pass_data_dir`: False starts it without `--data-dir`, so it picks its folder itself
    (RETRO_ML_DATA_DIR, the folder chosen in Settings, the default); `data_dir` then only
    places the log file.
    """
    token = token or secrets.token_urlsafe(16)
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir.parent / f"{data_dir.name}-server-{secrets.token_hex(3)}.log"
    changed = {**os.environ, **(env or {}), "RETRO_ML_TOKEN": token, "PYTHONUNBUFFERED": "1"}
    process_env = {name: value for name, value in changed.items() if value is not None}
    with log_path.open("ab") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "retro_ml", "serve", "--port", str(port)]
            + (["--data-dir", str(data_dir)] if pass_data_dir else []),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=process_env,
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = URL_LINE.search(log_path.read_text(errors="replace"))
        if match:
            server = LiveServer(process, match.group(1), token, data_dir, log_path)
            if onboarding_done:
                _dismiss_onboarding(server)
            return server
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"retro-ml serve did not start:\n{log_path.read_text(errors='replace')}")


def _dismiss_onboarding(server: LiveServer) -> None:
    request = urllib.request.Request(
        f"{server.base_url}/api/settings",
        data=json.dumps({"onboarding_done": True}).encode(),
        headers={**server.auth_headers, "Content-Type": "application/json"},
        method="PUT",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200, response.read()
