"""Start-up and footprint of the main process, side by side with a bare Flask-SocketIO server.

    .venv/bin/python -m bench.startup [--runs 5]

Prints, per server: seconds from spawn to the first answered /api/health (median of runs)
and resident memory after start and after a tiny training run (retro-ml only), then the
ratios retro-ml / bare. Targets for retro-ml: start < 1.5 s, RSS < 150 MB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import requests

from tests.helpers.server import start_server

BARE = """
import sys
from flask import Flask
from flask_socketio import SocketIO
from werkzeug.serving import make_server
app = Flask(__name__)
SocketIO(app, async_mode="threading")
@app.get("/api/health")
def health():
    return {"status": "ok"}
server = make_server("127.0.0.1", int(sys.argv[1]), app, threaded=True)
server.serve_forever()
"""


def wait_healthy(url: str, headers: dict[str, str], started: float, timeout: float = 30) -> float:
    while time.perf_counter() - started < timeout:
        try:
            if requests.get(url, headers=headers, timeout=1).status_code == 200:
                return time.perf_counter() - started
        except requests.ConnectionError:
            time.sleep(0.01)
    raise RuntimeError(f"{url} never answered")


def bare_start() -> tuple[float, float]:
    port = 18000 + os.getpid() % 1000
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", BARE, str(port)], stderr=subprocess.DEVNULL)
    try:
        seconds = wait_healthy(f"http://127.0.0.1:{port}/api/health", {}, started)
        return seconds, psutil.Process(process.pid).memory_info().rss / 2**20
    finally:
        process.kill()
        process.wait()


def retro_start(train: bool) -> tuple[float, float, float | None]:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        server = start_server(Path(tmp) / "data")
        try:
            seconds = wait_healthy(f"{server.base_url}/api/health", server.auth_headers, started)
            process = psutil.Process(server.process.pid)
            rss = process.memory_info().rss / 2**20
            after = None
            if train:
                config = {"total_timesteps": 2048, "n_envs": 2, "n_steps": 64, "batch_size": 64, "n_epochs": 1}
                experiment = requests.post(
                    f"{server.base_url}/api/experiments",
                    headers=server.auth_headers,
                    json={"game": "pong", "config": config},
                    timeout=10,
                ).json()["experiment"]
                url = f"{server.base_url}/api/experiments/{experiment['id']}"
                while requests.get(url, headers=server.auth_headers, timeout=5).json()["experiment"]["metadata"][
                    "status"
                ] in ("queued", "running"):
                    time.sleep(0.5)
                after = process.memory_info().rss / 2**20
            return seconds, rss, after
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    bare = [bare_start() for _ in range(runs)]
    retro = [retro_start(train=(i == runs - 1)) for i in range(runs)]
    bare_s, bare_mb = statistics.median(b[0] for b in bare), statistics.median(b[1] for b in bare)
    retro_s, retro_mb = statistics.median(r[0] for r in retro), statistics.median(r[1] for r in retro)
    after = retro[-1][2]
    print(f"{'':28}{'bare flask-socketio':>22}{'retro-ml serve':>18}{'ratio':>8}")
    print(f"{'spawn → /api/health (s)':28}{bare_s:22.3f}{retro_s:18.3f}{retro_s / bare_s:8.2f}")
    print(f"{'RSS after start (MB)':28}{bare_mb:22.1f}{retro_mb:18.1f}{retro_mb / bare_mb:8.2f}")
    print(f"{'RSS after a training (MB)':28}{'':>22}{after:18.1f}")
    print(
        f"targets: start < 1.5 s ({'met' if retro_s < 1.5 else 'MISSED'}), "
        f"RSS < 150 MB ({'met' if max(retro_mb, after or 0) < 150 else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
