"""Soak: N live PPO runs for a long while, a browser that reconnects every minute, the main process watched.

    .venv/bin/python -m bench.soak [--minutes 30] [--runs 3] [--reconnect-seconds 60]

A real `retro-ml serve` on a temp data folder trains `--runs` PPO runs at once (small rollouts,
a milestone clip every 5% at scale 1, sized to outlast the soak). Meanwhile:
- one Socket.IO client stays connected throughout and records every bus event: their `seq`
  numbers (docs/CONTRACT.md §6.1) must have no gap and each run's steps must only grow;
- every `--reconnect-seconds` the Chromium page is closed and a new one opened: it must show
  every run's latest step (as the recorder last saw it) within CATCH_UP_SECONDS, and the
  events that page received must have no gap either;
- the main process's RSS is sampled every ~10 s: after the warm-up it must grow less than
  `--max-growth-pct` (compared as medians of 3 samples, after warm-up and at the end).
Prints the numbers; exits 1 if an event was lost, a page did not catch up, a run stopped
training, or memory grew past the threshold. Everything it started is stopped at the end,
on Ctrl-C too.
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import psutil
import requests
import socketio
from playwright.sync_api import Browser, BrowserContext, ViewportSize, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.helpers.chromium import CHROMIUM, CHROMIUM_ARGS, VIEWPORT
from tests.helpers.run_configs import TINY_PPO
from tests.helpers.server import LiveServer, kill_workers_under, start_server

SAMPLE_SECONDS = 10.0
CATCH_UP_SECONDS = 15.0
# Runs are sized for this many steps/s each, well above what 2 cores give 3 runs, so none ends early.
STEPS_PER_SECOND_CEILING = 1000
FINAL_STATUSES = {"completed", "stopped", "failed", "interrupted"}

# Records the `seq` of every Socket.IO event the page receives ("42[name, payload]" frames).
PAGE_SEQ_SCRIPT = """(() => {
  const seen = (window.__soakSeqs = []);
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (typeof event.data !== "string" || !event.data.startsWith("42[")) return;
        try {
          const payload = JSON.parse(event.data.slice(2))[1];
          if (payload && typeof payload.seq === "number") seen.push(payload.seq);
        } catch (error) {}
      });
    }
  };
})();"""

# True once every run's card shows at least the step the recorder saw before the page opened.
CARDS_CAUGHT_UP = """(targets) => Object.entries(targets).every(([id, step]) => {
  const f = document.querySelector(`[data-testid=activity-card][data-experiment-id="${id}"] [data-field=timesteps]`);
  return !!f && Number(f.textContent.split("/")[0].replace(/\\D/g, "")) >= step;
})"""


class SeqRecorder:
    """A Socket.IO client connected for the whole soak: every event's name, `seq` and progress."""

    def __init__(self) -> None:
        self.client = socketio.Client(reconnection=True)
        self._lock = threading.Lock()
        self.seqs: list[int] = []
        self.counts: dict[str, int] = {}
        self.steps: dict[str, list[tuple[float, int]]] = {}  # run id → (time, timestep)
        self.backwards: list[str] = []
        self.disconnects = 0
        self.client.on("*", self._record)
        self.client.on("disconnect", self._disconnected)

    def connect(self, server: LiveServer) -> None:
        self.client.connect(server.base_url, transports=["websocket"], auth={"token": server.token}, wait_timeout=10)

    def _disconnected(self, *_: Any) -> None:
        self.disconnects += 1

    def _record(self, name: str, data: Any = None) -> None:
        with self._lock:
            self.counts[name] = self.counts.get(name, 0) + 1
            if isinstance(data, dict) and isinstance(data.get("seq"), int):
                self.seqs.append(data["seq"])
            if name == "training.progress" and isinstance(data, dict):
                steps = self.steps.setdefault(data["experiment_id"], [])
                if steps and data["timestep"] < steps[-1][1]:
                    self.backwards.append(f"{data['experiment_id']}: {steps[-1][1]} → {data['timestep']}")
                steps.append((time.monotonic(), data["timestep"]))

    def latest_steps(self) -> dict[str, int]:
        with self._lock:
            return {run: steps[-1][1] for run, steps in self.steps.items() if steps}

    def close(self) -> None:
        self.client.on("disconnect", lambda *_: None)
        if self.client.connected:
            self.client.disconnect()


def seq_problems(seqs: list[int]) -> list[str]:
    """Gaps and repeats in what should be first, first+1, ..., last."""
    if not seqs:
        return ["no numbered event at all"]
    problems = []
    missing = sorted(set(range(seqs[0], max(seqs) + 1)) - set(seqs))
    if missing:
        problems.append(f"{len(missing)} missing (first: {missing[:10]})")
    if len(set(seqs)) != len(seqs):
        problems.append(f"{len(seqs) - len(set(seqs))} repeated")
    if seqs != sorted(seqs):
        problems.append("out of order")
    return problems


@dataclass
class PageVisit:
    opened_at: float
    catch_up_seconds: float | None = None
    events: int = 0
    problems: list[str] = field(default_factory=list)


def open_page(browser: Browser, server: LiveServer, targets: dict[str, int]) -> tuple[BrowserContext, PageVisit]:
    """A fresh page on the dashboard; how long until every run's card showed at least `targets`."""
    context = browser.new_context(viewport=ViewportSize(width=VIEWPORT["width"], height=VIEWPORT["height"]))
    context.add_init_script(PAGE_SEQ_SCRIPT)
    page = context.new_page()
    visit = PageVisit(opened_at=time.monotonic())
    try:
        page.goto(server.login_url)
        page.wait_for_function(CARDS_CAUGHT_UP, arg=targets, timeout=CATCH_UP_SECONDS * 1000, polling=200)
        visit.catch_up_seconds = time.monotonic() - visit.opened_at
    except PlaywrightError as error:
        visit.problems.append(f"did not show the runs' steps {targets} within {CATCH_UP_SECONDS:.0f} s: {error}")
    return context, visit


def close_page(context: BrowserContext, visit: PageVisit) -> None:
    try:
        seqs = context.pages[0].evaluate("window.__soakSeqs")
        visit.events = len(seqs)
        visit.problems += [f"events: {p}" for p in seq_problems(seqs)]
    except PlaywrightError as error:
        visit.problems.append(f"could not read its events: {error}")
    context.close()


def api(server: LiveServer, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    response = requests.request(
        method, f"{server.base_url}/api{path}", headers=server.auth_headers, timeout=30, **kwargs
    )
    response.raise_for_status()
    return dict(response.json())


def start_runs(server: LiveServer, runs: int, minutes: float) -> list[str]:
    api(server, "PUT", "/settings", json={"max_concurrent_runs": runs})
    config = {
        **TINY_PPO,
        "total_timesteps": int(minutes * 60 * STEPS_PER_SECOND_CEILING),
        "torch_threads": 1,
        "milestone_every_pct": 5,
        "milestone_max_seconds": 10,
        "video_scale": 1,
    }
    body = {"game": "pong", "algorithm": "ppo", "config": config}
    return [
        api(server, "POST", "/experiments", json={**body, "name": f"soak {n + 1}"})["experiment"]["id"]
        for n in range(runs)
    ]


def stop_runs(server: LiveServer, run_ids: list[str], timeout: float = 90) -> None:
    for run_id in run_ids:
        try:
            api(server, "POST", f"/experiments/{run_id}/stop")
        except requests.RequestException as error:
            print(f"stopping {run_id}: {error}", file=sys.stderr)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            statuses = [api(server, "GET", f"/experiments/{i}")["experiment"]["metadata"]["status"] for i in run_ids]
        except requests.RequestException:
            return
        if all(status in FINAL_STATUSES for status in statuses):
            return
        time.sleep(1)


def median_around(samples: list[tuple[float, float]], at: float) -> float:
    nearest = sorted(samples, key=lambda sample: abs(sample[0] - at))[:3]
    return statistics.median(mb for _, mb in nearest)


def slope_mb_per_10_min(samples: list[tuple[float, float]]) -> float:
    if len(samples) < 2:
        return 0.0
    times, mbs = [t for t, _ in samples], [mb for _, mb in samples]
    return statistics.linear_regression(times, mbs).slope * 600


def soak(args: argparse.Namespace, tmp: Path, browser: Browser, stack: list[Any]) -> bool:
    server = start_server(tmp / "data")
    stack.append(lambda: (server.stop(), kill_workers_under(tmp)))
    recorder = SeqRecorder()
    recorder.connect(server)
    stack.append(recorder.close)
    main = psutil.Process(server.process.pid)
    run_ids = start_runs(server, args.runs, args.minutes)
    stack.append(lambda: stop_runs(server, run_ids))

    deadline = time.monotonic() + 240
    while set(recorder.latest_steps()) != set(run_ids):
        if time.monotonic() > deadline:
            print(f"not every run reported progress within 240 s: {recorder.latest_steps()}")
            return False
        time.sleep(1)
    print(f"{args.runs} runs training; soaking {args.minutes:g} min, a new page every {args.reconnect_seconds:g} s")

    started = time.monotonic()
    end, warm_up_at = started + args.minutes * 60, started + args.warmup_minutes * 60
    rss: list[tuple[float, float]] = []
    threads: list[tuple[float, float]] = []  # the main process's threads: one per open socket, and its own
    visits: list[PageVisit] = []
    context, visit = open_page(browser, server, recorder.latest_steps())
    next_sample = next_reconnect = time.monotonic()
    next_reconnect += args.reconnect_seconds
    while (now := time.monotonic()) < end:
        if now >= next_sample:
            rss.append((now - started, main.memory_info().rss / 2**20))
            threads.append((now - started, main.num_threads()))
            next_sample += SAMPLE_SECONDS
        if now >= next_reconnect:
            close_page(context, visit)
            visits.append(visit)
            context, visit = open_page(browser, server, recorder.latest_steps())
            next_reconnect += args.reconnect_seconds
        time.sleep(max(0.0, min(next_sample, next_reconnect, end) - time.monotonic()))
    close_page(context, visit)
    visits.append(visit)
    rss.append((time.monotonic() - started, main.memory_info().rss / 2**20))
    threads.append((time.monotonic() - started, main.num_threads()))
    return report(args, recorder, run_ids, rss, threads, started, warm_up_at - started, visits)


def report(
    args: argparse.Namespace,
    recorder: SeqRecorder,
    run_ids: list[str],
    rss: list[tuple[float, float]],
    threads: list[tuple[float, float]],
    started: float,
    warm_up: float,
    visits: list[PageVisit],
) -> bool:
    ok = True
    start_mb, warm_mb, end_mb = rss[0][1], median_around(rss, warm_up), median_around(rss, rss[-1][0])
    growth = (end_mb / warm_mb - 1) * 100
    slope = slope_mb_per_10_min([s for s in rss if s[0] >= warm_up])
    print(
        f"\nmain process RSS (MB): start {start_mb:.1f}, after warm-up ({warm_up / 60:.1f} min) {warm_mb:.1f}, "
        f"end {end_mb:.1f}; after warm-up {growth:+.1f}%, slope {slope:+.2f} MB per 10 min "
        f"({len(rss)} samples)"
    )
    print(
        f"main process threads: start {threads[0][1]:.0f}, after warm-up {median_around(threads, warm_up):.0f}, "
        f"end {median_around(threads, threads[-1][0]):.0f}, most {max(n for _, n in threads):.0f}"
    )
    if growth > args.max_growth_pct:
        print(f"  FAIL: grew more than {args.max_growth_pct:g}% after warm-up")
        ok = False

    counts = ", ".join(f"{name} {n}" for name, n in sorted(recorder.counts.items()))
    problems = seq_problems(recorder.seqs) + recorder.backwards
    seqs = recorder.seqs
    print(
        f"recorder: {len(seqs)} events (seq {seqs[0] if seqs else '-'}..{seqs[-1] if seqs else '-'}): {counts}; "
        f"disconnects {recorder.disconnects}; {'; '.join(problems) or 'no gap'}"
    )
    if problems or recorder.disconnects:
        print("  FAIL: events lost or out of order")
        ok = False

    caught = [v.catch_up_seconds for v in visits if v.catch_up_seconds is not None]
    print(
        f"pages: {len(visits)} opened ({len(visits) - 1} reconnects), {len(caught)} caught up"
        + (f" in {min(caught):.1f}-{max(caught):.1f} s (median {statistics.median(caught):.1f})" if caught else "")
        + f"; events per page {[v.events for v in visits]}"
    )
    for n, visit in enumerate(visits):
        for problem in visit.problems:
            print(f"  FAIL page {n + 1}: {problem}")
            ok = False

    for run_id in run_ids:
        steps = recorder.steps.get(run_id, [])
        after = [s for s in steps if s[0] - started >= warm_up]
        seconds = after[-1][0] - after[0][0] if after else 0.0
        rate = (after[-1][1] - after[0][1]) / seconds if seconds > 0 else 0.0
        last = steps[-1][1] if steps else 0
        print(f"run {run_id}: {last:,} steps, {rate:.0f} steps/s after warm-up")
        if rate <= 0:
            print("  FAIL: it stopped training")
            ok = False
    print("soak: OK" if ok else "soak: FAILED")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reconnect-seconds", type=float, default=60)
    parser.add_argument("--warmup-minutes", type=float, help="default: a quarter of --minutes, at most 5")
    parser.add_argument("--max-growth-pct", type=float, default=10)
    args = parser.parse_args()
    if args.warmup_minutes is None:
        args.warmup_minutes = min(5.0, args.minutes / 4)

    def interrupted(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    stack: list[Any] = []  # what to undo, newest first
    ok = False
    with tempfile.TemporaryDirectory(prefix="retro-ml-soak-") as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        stack.append(browser.close)
        try:
            ok = soak(args, Path(tmp), browser, stack)
        except KeyboardInterrupt:
            print("\ninterrupted: stopping the runs, the server and the browser")
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # let the cleanup finish
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            for undo in reversed(stack):
                try:
                    undo()
                except Exception as error:  # tidy up the rest all the same
                    print(f"cleanup: {error!r}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
