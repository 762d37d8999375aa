"""Click "Start Training Now" → first live progress in the browser, beside a bare worker.

    .venv/bin/python -m bench.click_to_progress [--runs 3]

Left: a training worker spawned directly, time until its first `progress` line in
events.jsonl. Right: the full app (Chromium → API → process manager → worker → bus →
Socket.IO → DOM), time from the click until the card shows a step count above zero.
The ratio is what the app adds on top of the worker's own start-up. Target: < 10 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright

from retro_ml.services.experiments.presets import load_presets
from tests.helpers.chromium import CHROMIUM, CHROMIUM_ARGS, VIEWPORT
from tests.helpers.server import start_server


def bare_worker_seconds(tmp: Path) -> float:
    run_dir = tmp / "bare"
    run_dir.mkdir()
    config = load_presets().resolve("quick", "ppo")
    (run_dir / "config.json").write_text(
        json.dumps(
            {
                "experiment_id": "000000000000",
                "game": "pong",
                "env_id": "ALE/Pong-v5",
                "algorithm": "ppo",
                "config": config,
            }
        )
    )
    started = time.perf_counter()
    worker = subprocess.Popen(
        [sys.executable, "-m", "retro_ml", "worker", "--run-dir", str(run_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        events = run_dir / "events.jsonl"
        while True:
            lines = events.read_text().splitlines() if events.exists() else []
            if any(json.loads(line).get("type") == "progress" for line in lines if line.endswith("}")):
                return time.perf_counter() - started
            time.sleep(0.02)
    finally:
        (run_dir / "STOP").touch()
        worker.wait(60)


def app_click_seconds(tmp: Path, browser) -> float:  # type: ignore[no-untyped-def]
    server = start_server(tmp / "data")
    try:
        page = browser.new_context(viewport=VIEWPORT).new_page()
        page.goto(server.login_url)
        page.locator("#qs-game").select_option("pong")
        page.locator("[data-action=start-training]").wait_for()
        started = time.perf_counter()
        page.locator("[data-action=start-training]").click()
        page.wait_for_function(
            """() => { const f = document.querySelector('[data-testid=activity-card] [data-field=timesteps]');
                       return f && /^[1-9]/.test(f.textContent.trim()); }""",
            timeout=120_000,
            polling="raf",
        )
        seconds = time.perf_counter() - started
        page.context.close()
        for experiment in requests.get(
            f"{server.base_url}/api/experiments", headers=server.auth_headers, timeout=10
        ).json()["experiments"]:
            requests.post(
                f"{server.base_url}/api/experiments/{experiment['id']}/stop", headers=server.auth_headers, timeout=10
            )
        return seconds
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    bare, app = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as tmp:
                bare.append(bare_worker_seconds(Path(tmp)))
            with tempfile.TemporaryDirectory() as tmp:
                app.append(app_click_seconds(Path(tmp), browser))
        browser.close()
    b, a = statistics.median(bare), statistics.median(app)
    print(f"{'':34}{'bare worker':>14}{'app, from click':>18}{'ratio':>8}")
    print(f"{'to first progress (s, median)':34}{b:14.2f}{a:18.2f}{a / b:8.2f}")
    print(f"runs: bare {[round(x, 2) for x in bare]}, app {[round(x, 2) for x in app]}")
    print(f"target: click → progress < 10 s ({'met' if a < 10 else 'MISSED'})")


if __name__ == "__main__":
    main()
