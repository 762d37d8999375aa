"""This machine's training speed per algorithm, for "about 2 h 10 min on CUDA" before a run.

Where the speed comes from, best first:
- a short calibration (`calibrate`): the real worker trains Pong for a few thousand steps in a
  temporary run folder and we keep its `final_metrics.fps`;
- finished real runs (`record`), blended into the stored value so estimates follow them;
- a typical speed for this hardware from the preset file's `reference_speeds` (2 cores without a
  GPU: the baseline; more cores: scaled; a CUDA GPU: the GPU box's, or the scaled CPU figure where
  that is higher), when nothing was measured here.
Each estimate says which in its `basis` ("measured on this machine", "typical for a CUDA GPU …").

A measurement belongs to a hardware fingerprint (CPU model, logical CPUs, GPU name). When the
hardware changes, the stored values no longer apply: estimates fall back to the typical speed
for the new hardware until a new calibration or run measures again. Like the rest of the main process, this
module never imports torch: the GPU comes from `nvidia-smi`, training runs in the worker.
"""

from __future__ import annotations

import copy
import json
import os
import platform
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

from retro_ml.errors import Conflict, InvalidInput
from retro_ml.run_contract import CONFIG_FILE, EVENTS_FILE, TERMINAL_REPORTS, WORKER_LOG
from retro_ml.services.experiments.config_fields import ALGORITHMS
from retro_ml.services.experiments.presets import PresetCatalog, load_presets
from retro_ml.services.experiments.sizing import Hardware
from retro_ml.services.system import gpu_info
from retro_ml.services.workers import WorkerProcess
from retro_ml.services.workers.reports import ReportTail
from retro_ml.store.atomic_storage import atomic_write_text

CALIBRATION_PRESET = "quick"
CALIBRATION_GAME = "pong"
CALIBRATION_ENV_ID = "ALE/Pong-v5"
# Short but past start-up noise: 3 PPO rollouts of 1,024 steps (3 × 8 envs × 128 steps on 2 cores;
# the sizing keeps that rollout on the python env path); DQN starts
# learning after 100 steps so most of the measured steps include gradient updates.
# Checkpoints and videos are off: they would cost more than the run measures.
CALIBRATION_OVERRIDES: dict[str, dict[str, Any]] = {
    "ppo": {
        "total_timesteps": 3 * 8 * 128,
        "checkpoint_every_pct": 0,
        "checkpoint_every_minutes": 0,
        "milestone_every_pct": 0,
        "video_length_hours": 0,
        "eval_episodes": 0,
    },
    "dqn": {
        "total_timesteps": 1_500,
        "learning_starts": 100,
        "buffer_size": 10_000,
        "checkpoint_every_pct": 0,
        "checkpoint_every_minutes": 0,
        "milestone_every_pct": 0,
        "video_length_hours": 0,
        "eval_episodes": 0,
    },
}
WORKER_TIMEOUT_SECONDS = 180.0
MIN_RECORDED_STEPS = 4_000  # shorter runs are mostly start-up: their fps says little
BLEND_WEIGHT = 0.5  # share of a newly finished run in the stored speed (exponential average)
MEASURED_BASIS = "measured on this machine"
POLL_SECONDS = 0.25


class CalibrationPersistence(Protocol):
    def load_calibration(self) -> dict[str, Any]: ...
    def save_calibration(self, values: dict[str, Any]) -> None: ...


class CalibrationError(RuntimeError):
    """A calibration run did not produce a speed; the message says why, for the user."""


def cpu_model() -> str:
    """The CPU's marketing name: /proc/cpuinfo on Linux, `platform.processor()` elsewhere."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as cpuinfo:
            for line in cpuinfo:
                name, sep, value = line.partition(":")
                if sep and name.strip() == "model name" and value.strip():
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def hardware_fingerprint() -> dict[str, Any]:
    """What decides training speed here: CPU model, logical CPU count, GPU name (None without one)."""
    return {"cpu": cpu_model(), "cpu_count": os.cpu_count() or 1, "gpu": gpu_info().get("name")}


def likely_device() -> str:
    """Where a run with device "auto" trains, as far as the main process can tell without torch."""
    return "cuda" if gpu_info().get("cuda_available") else "cpu"


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class CalibrationService:
    """Measured steps per second per algorithm for this machine, and the calibration runs that measure them.

    `fingerprint` and `work_dir` exist for tests and for keeping temporary run folders in the
    app's data dir; by default the fingerprint is this machine's and folders go to the system's
    temp dir. Thread-safe: the web threads, the calibration thread and the experiment manager
    (through `record`) share one instance.
    """

    def __init__(
        self,
        persistence: CalibrationPersistence,
        presets: PresetCatalog | None = None,
        fingerprint: dict[str, Any] | None = None,
        work_dir: Path | None = None,
        timeout_seconds: float = WORKER_TIMEOUT_SECONDS,
    ) -> None:
        self._persistence = persistence
        self._presets = presets or load_presets()
        self._fingerprint = fingerprint
        self._work_dir = work_dir
        self._timeout_seconds = timeout_seconds
        self._lock = threading.RLock()  # guards the stored document's read-modify-write and the state
        self._state: dict[str, Any] = {"state": "idle", "message": "", "results": {}}
        self._thread: threading.Thread | None = None
        self._worker: WorkerProcess | None = None
        self._stopping = threading.Event()

    # ---- stored speeds ---------------------------------------------------------------
    @property
    def fingerprint(self) -> dict[str, Any]:
        if self._fingerprint is None:
            self._fingerprint = hardware_fingerprint()
        return dict(self._fingerprint)

    @property
    def hardware(self) -> Hardware:
        """What sizing and typical speeds go by: this machine's (or the given fingerprint's)."""
        return Hardware.from_fingerprint(self.fingerprint)

    def _stored(self) -> dict[str, Any]:
        return copy.deepcopy(self._persistence.load_calibration())

    def _matching(self) -> dict[str, Any]:
        """The stored per-algorithm speeds when they were measured on this hardware, else {}."""
        stored = self._stored()
        if stored.get("fingerprint") != self.fingerprint:
            return {}
        algorithms = stored.get("algorithms")
        return algorithms if isinstance(algorithms, dict) else {}

    def _measured(self, algorithm: str) -> dict[str, Any] | None:
        entry = self._matching().get(algorithm)
        if isinstance(entry, dict) and float(entry.get("steps_per_second") or 0) > 0:
            return entry
        return None

    def steps_per_second(self, algorithm: str) -> tuple[float, str]:
        """This machine's measured speed ("measured"), or a typical one for its hardware ("baseline")."""
        speed, source, _basis = self._speed(algorithm)
        return speed, source

    def _speed(self, algorithm: str) -> tuple[float, str, str]:
        algorithm = self._presets.check_algorithm(algorithm)
        entry = self._measured(algorithm)
        if entry is not None:
            return float(entry["steps_per_second"]), "measured", MEASURED_BASIS
        speed, basis = self._presets.reference_estimate(algorithm, self.hardware)
        return speed, "baseline", basis

    def device(self, algorithm: str | None = None) -> str:
        """The device estimates speak of: the measured one when known, else the hardware's GPU (nvidia-smi's guess)."""
        if algorithm is not None:
            entry = self._measured(self._presets.check_algorithm(algorithm))
            if entry is not None and entry.get("device"):
                return str(entry["device"])
        for entry in self._matching().values():
            if isinstance(entry, dict) and entry.get("device"):
                return str(entry["device"])  # the worker said what "auto" means here
        return "cuda" if self.hardware.cuda else "cpu"

    def estimate(self, algorithm: str) -> tuple[float, str, str]:
        """(steps per second, source, device): an estimator `PresetCatalog.describe` takes."""
        speed, source = self.steps_per_second(algorithm)
        return speed, source, self.device(algorithm)

    def estimate_with_basis(self, algorithm: str) -> tuple[float, str, str, str]:
        """`estimate` and its basis in words: what `GET /api/presets` uses."""
        speed, source, basis = self._speed(algorithm)
        return speed, source, self.device(algorithm), basis

    def record(self, algorithm: str, fps: float | None, steps: int, device: str | None = None) -> bool:
        """Blend a finished real run's speed into the stored one; True when it was used.

        Ignored: runs under MIN_RECORDED_STEPS (mostly start-up), a missing or non-positive
        fps, and runs on another device than the one estimates speak of (e.g. a run forced
        to the CPU on a CUDA machine). A first measurement for this hardware is taken as is.
        """
        algorithm = self._presets.check_algorithm(algorithm)
        if steps < MIN_RECORDED_STEPS or fps is None or fps <= 0:
            return False
        with self._lock:
            expected_device = self.device(algorithm)
            if device is not None and device != expected_device:
                return False
            document = self._document_for_this_machine()
            previous = document["algorithms"].get(algorithm)
            if isinstance(previous, dict) and float(previous.get("steps_per_second") or 0) > 0:
                speed = (1 - BLEND_WEIGHT) * float(previous["steps_per_second"]) + BLEND_WEIGHT * float(fps)
                entry = dict(previous)
            else:
                speed, entry = float(fps), {}
            entry.update(
                steps_per_second=round(speed, 2),
                source="measured",
                device=device or expected_device,
                updated_at=_now_iso(),
                runs_recorded=int(entry.get("runs_recorded") or 0) + 1,
            )
            document["algorithms"][algorithm] = entry
            self._persistence.save_calibration(document)
        return True

    def _store_calibration(self, algorithm: str, result: dict[str, Any]) -> None:
        """A calibration replaces what was stored for the algorithm: it was asked for explicitly."""
        with self._lock:
            document = self._document_for_this_machine()
            document["algorithms"][algorithm] = {
                "steps_per_second": result["steps_per_second"],
                "source": "measured",
                "device": result["device"],
                "calibrated_at": _now_iso(),
                "updated_at": _now_iso(),
                "calibration_steps": result["steps"],
                "runs_recorded": 0,
            }
            self._persistence.save_calibration(document)

    def _document_for_this_machine(self) -> dict[str, Any]:
        """The stored document if it was measured on this hardware, else a fresh one for it."""
        stored = self._stored()
        if stored.get("fingerprint") == self.fingerprint and isinstance(stored.get("algorithms"), dict):
            return {"fingerprint": stored["fingerprint"], "algorithms": stored["algorithms"]}
        return {"fingerprint": self.fingerprint, "algorithms": {}}

    # ---- calibration runs ------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """{"state": "idle"|"running"|"failed", "message", "results": {algorithm: {...}}}."""
        with self._lock:
            return copy.deepcopy(self._state)

    def describe(self) -> dict[str, Any]:
        """What `GET /api/system/calibration` returns: the state, the stored values, and whether they apply."""
        stored = self._stored()
        matches = stored.get("fingerprint") == self.fingerprint
        estimates = {}
        for algorithm in ALGORITHMS:
            speed, source, device, basis = self.estimate_with_basis(algorithm)
            estimates[algorithm] = {"steps_per_second": speed, "source": source, "device": device, "basis": basis}
        return {
            **self.state(),
            "device": self.device(),
            "machine": self.fingerprint,
            "fingerprint": stored.get("fingerprint"),
            "matches": matches,
            "stored": stored.get("algorithms") or {},
            "estimates": estimates,
        }

    def calibrate(self, algorithms: Any = ("ppo",)) -> dict[str, Any]:
        """Start measuring `algorithms` in a background thread; returns the new state.

        Raises Conflict while a calibration runs (one at a time: two would share the CPU
        and each measure half the speed).
        """
        if isinstance(algorithms, str) or not isinstance(algorithms, (list, tuple)) or not algorithms:
            raise InvalidInput('Send the algorithms to measure, e.g. {"algorithms": ["ppo"]}.', field="algorithms")
        chosen = list(dict.fromkeys(self._presets.check_algorithm(a) for a in algorithms))
        with self._lock:
            if self._state["state"] == "running":
                raise Conflict("A calibration is already running; wait for it to finish (GET /api/system/calibration).")
            self._stopping.clear()
            names = ", ".join(a.upper() for a in chosen)
            self._state = {
                "state": "running",
                "message": f"Measuring {names} training speed on this machine…",
                "results": {},
                "algorithms": chosen,
                "started_at": _now_iso(),
            }
            self._thread = threading.Thread(target=self._run, args=(chosen,), name="calibration", daemon=True)
            self._thread.start()
            return copy.deepcopy(self._state)

    def wait(self, timeout: float | None = None) -> bool:
        """True when no calibration is running (any started one ended within `timeout`)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def shutdown(self, timeout: float = 10.0) -> None:
        """End a running calibration (its worker is killed; nothing is stored) and wait for the thread."""
        self._stopping.set()
        worker = self._worker
        if worker is not None:
            worker.kill()
        self.wait(timeout)

    def _run(self, algorithms: list[str]) -> None:
        results: dict[str, Any] = {}
        try:
            for algorithm in algorithms:
                with self._lock:
                    self._state["message"] = f"Measuring {algorithm.upper()} training speed on this machine…"
                result = self.measure(algorithm)
                self._store_calibration(algorithm, result)
                results[algorithm] = result
                with self._lock:
                    self._state["results"] = copy.deepcopy(results)
        except Exception as exc:  # noqa: BLE001 - every failure must reach the UI as a message
            message = str(exc) if isinstance(exc, CalibrationError) else f"{type(exc).__name__}: {exc}"
            with self._lock:
                self._state.update(state="failed", message=f"Calibration failed: {message}", finished_at=_now_iso())
            return
        summary = "; ".join(
            f"{algo.upper()} {result['steps_per_second']:,.0f} steps/s on {str(result['device']).upper()}"
            for algo, result in results.items()
        )
        with self._lock:
            self._state.update(state="idle", message=f"Measured {summary}.", results=results, finished_at=_now_iso())

    def measure(self, algorithm: str) -> dict[str, Any]:
        """Run the real worker briefly on Pong and return its speed (blocks; seconds to a few minutes)."""
        algorithm = self._presets.check_algorithm(algorithm)
        # Sized as new runs are here (sizing.py), so the speed measured is the one they will get.
        overrides = CALIBRATION_OVERRIDES[algorithm]
        config = self._presets.resolve(CALIBRATION_PRESET, algorithm, overrides, hardware=self.hardware)
        if self._work_dir is not None:
            self._work_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(
            prefix=f"calibration-{algorithm}-", dir=self._work_dir, ignore_cleanup_errors=True
        ) as folder:
            run_dir = Path(folder)
            worker_config = {
                "experiment_id": f"calibration-{algorithm}",
                "game": CALIBRATION_GAME,
                "env_id": CALIBRATION_ENV_ID,
                "algorithm": algorithm,
                "config": config,
            }
            atomic_write_text(run_dir / CONFIG_FILE, json.dumps(worker_config, indent=2))
            started = time.monotonic()
            worker = WorkerProcess.spawn(run_dir)
            self._worker = worker
            try:
                self._wait_for(worker, algorithm)
            finally:
                self._worker = None
                if not worker.exited():
                    worker.kill()
                    worker.wait(10)
            reports = ReportTail(run_dir / EVENTS_FILE).read_new()
            return self._result_from(reports, algorithm, run_dir, worker, time.monotonic() - started)

    def _wait_for(self, worker: WorkerProcess, algorithm: str) -> None:
        deadline = time.monotonic() + self._timeout_seconds
        while not worker.wait(POLL_SECONDS):
            if self._stopping.is_set():
                raise CalibrationError("the app is shutting down.")
            if time.monotonic() > deadline:
                raise CalibrationError(
                    f"the {algorithm.upper()} measurement did not finish within {self._timeout_seconds:.0f} s; "
                    "is another training using the CPU? Try again when it is idle."
                )
        if self._stopping.is_set():  # shutdown() killed it: that, not the kill, is the reason
            raise CalibrationError("the app is shutting down.")

    def _result_from(
        self, reports: list[dict[str, Any]], algorithm: str, run_dir: Path, worker: WorkerProcess, seconds: float
    ) -> dict[str, Any]:
        final = next((r for r in reversed(reports) if r.get("type") in TERMINAL_REPORTS), None)
        if final is None:
            raise CalibrationError(f"{worker.exit_description()} {_last_log_line(run_dir)}".strip())
        if final["type"] == "failed":
            raise CalibrationError(str(final.get("message") or "the training worker failed."))
        fps = (final.get("final_metrics") or {}).get("fps")
        if final["type"] != "completed" or not isinstance(fps, (int, float)) or fps <= 0:
            raise CalibrationError(f"the {algorithm.upper()} measurement ended without a speed ({final['type']}).")
        started = next((r for r in reports if r.get("type") == "started"), {})
        return {
            "steps_per_second": float(fps),
            "device": str(started.get("device") or likely_device()),
            "steps": int(final.get("timestep") or 0),
            "seconds": round(seconds, 1),
        }


def _last_log_line(run_dir: Path) -> str:
    try:
        lines = (run_dir / WORKER_LOG).read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return f"Last log line: {lines[-1][:300]}" if lines else ""
