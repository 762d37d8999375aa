"""Calibration: which speed estimates use, stored in a real TinyDB file."""

from __future__ import annotations

from pathlib import Path

import pytest

from retro_ml.errors import InvalidInput
from retro_ml.services.experiments.calibration import (
    BLEND_WEIGHT,
    MIN_RECORDED_STEPS,
    CalibrationService,
    hardware_fingerprint,
    likely_device,
)
from retro_ml.services.experiments.presets import load_presets
from retro_ml.store import TinyDBExperimentStore

catalog = load_presets()
BASELINE_PPO = float(catalog.raw["baseline_cpu_steps_per_second"]["ppo"])
STARTUP = catalog.raw["startup_seconds"]
OLD_MACHINE = {"cpu": "Intel(R) Pentium(R) 4 CPU 2.80GHz", "cpu_count": 2, "gpu": None}


def test_without_measurements_estimates_use_the_preset_baseline(store: TinyDBExperimentStore) -> None:
    service = CalibrationService(store)
    assert service.steps_per_second("ppo") == (BASELINE_PPO, "baseline")
    assert service.estimate("PPO") == (BASELINE_PPO, "baseline", likely_device())
    quick = catalog.describe(service.estimate)["presets"][0]
    assert quick["estimate"]["ppo"] == {
        "seconds": int(STARTUP + 250_000 / BASELINE_PPO),
        "source": "baseline",
        "device": likely_device(),
    }
    assert quick["estimated_seconds"] == {algo: quick["estimate"][algo]["seconds"] for algo in ("ppo", "dqn")}
    assert service.describe()["matches"] is False and service.describe()["state"] == "idle"


def test_describe_without_estimator_keeps_the_baseline_on_cpu() -> None:
    quick = catalog.describe()["presets"][0]
    assert quick["estimated_seconds"]["ppo"] == int(STARTUP + 250_000 / BASELINE_PPO)
    assert quick["estimate"]["dqn"]["source"] == "baseline" and quick["estimate"]["dqn"]["device"] == "cpu"


def test_real_runs_blend_into_the_stored_speed_and_survive_a_restart(database: Path) -> None:
    store = TinyDBExperimentStore(database)
    service = CalibrationService(store)
    device = service.device("ppo")
    assert service.record("ppo", 300.0, 250_000) is True
    assert service.steps_per_second("ppo") == (300.0, "measured")
    assert service.record("ppo", 100.0, 250_000, device=device) is True
    blended = (1 - BLEND_WEIGHT) * 300.0 + BLEND_WEIGHT * 100.0
    assert service.steps_per_second("ppo") == (pytest.approx(blended), "measured")
    assert service.steps_per_second("dqn")[1] == "baseline"  # per algorithm
    store.close()

    reopened = TinyDBExperimentStore(database)
    try:
        again = CalibrationService(reopened)
        assert again.steps_per_second("ppo") == (pytest.approx(blended), "measured")
        stored = again.describe()
        assert stored["matches"] is True and stored["fingerprint"] == hardware_fingerprint()
        assert stored["stored"]["ppo"]["runs_recorded"] == 2
        speed = stored["estimates"]["ppo"]["steps_per_second"]
        quick = catalog.describe(again.estimate)["presets"][0]
        assert quick["estimated_seconds"]["ppo"] == int(STARTUP + 250_000 / speed)
        assert quick["estimate"]["ppo"]["source"] == "measured"
    finally:
        reopened.close()


def test_short_runs_and_runs_without_a_speed_are_ignored(store: TinyDBExperimentStore) -> None:
    service = CalibrationService(store)
    assert service.record("ppo", 999.0, MIN_RECORDED_STEPS - 1) is False
    assert service.record("ppo", None, 100_000) is False
    assert service.record("ppo", 0.0, 100_000) is False
    assert service.steps_per_second("ppo") == (BASELINE_PPO, "baseline")
    assert store.load_calibration() == {}
    assert service.record("ppo", 250.0, MIN_RECORDED_STEPS) is True


def test_runs_on_another_device_do_not_move_the_estimate(store: TinyDBExperimentStore) -> None:
    service = CalibrationService(store)
    other = "cpu" if service.device("ppo") == "cuda" else "cuda"
    assert service.record("ppo", 5_000.0, 100_000, device=other) is False
    assert service.steps_per_second("ppo")[1] == "baseline"


def test_a_calibration_from_other_hardware_is_ignored_and_replaced(store: TinyDBExperimentStore) -> None:
    old = CalibrationService(store, fingerprint=OLD_MACHINE)
    assert old.record("ppo", 40.0, 100_000) is True
    assert old.steps_per_second("ppo") == (40.0, "measured")

    here = CalibrationService(store)  # this machine's real fingerprint
    assert here.steps_per_second("ppo") == (BASELINE_PPO, "baseline")
    described = here.describe()
    assert described["matches"] is False and described["fingerprint"] == OLD_MACHINE
    assert described["machine"] == hardware_fingerprint()

    assert here.record("ppo", 180.0, 100_000) is True  # a first run here starts afresh, no blending
    assert here.steps_per_second("ppo") == (180.0, "measured")
    assert store.load_calibration()["fingerprint"] == hardware_fingerprint()
    assert old.steps_per_second("ppo")[1] == "baseline"


def test_a_changed_gpu_alone_invalidates_the_measurement(store: TinyDBExperimentStore) -> None:
    before = CalibrationService(store, fingerprint={**OLD_MACHINE, "gpu": None})
    before.record("dqn", 90.0, 50_000)
    after = CalibrationService(store, fingerprint={**OLD_MACHINE, "gpu": "NVIDIA GeForce RTX 4090"})
    # Not measured with this GPU: the typical speed for a CUDA GPU, no longer the CPU baseline.
    assert after.steps_per_second("dqn") == (float(catalog.raw["reference_speeds"]["cuda"]["dqn"]), "baseline")


def test_the_fingerprint_names_this_machine() -> None:
    fingerprint = hardware_fingerprint()
    assert set(fingerprint) == {"cpu", "cpu_count", "gpu"}
    assert isinstance(fingerprint["cpu"], str) and fingerprint["cpu"]
    assert isinstance(fingerprint["cpu_count"], int) and fingerprint["cpu_count"] >= 1


@pytest.mark.parametrize("algorithms", [[], "ppo", ["a2c"], None])
def test_calibrate_rejects_unknown_algorithms_before_starting(store: TinyDBExperimentStore, algorithms: object) -> None:
    service = CalibrationService(store)
    with pytest.raises(InvalidInput):
        service.calibrate(algorithms)
    assert service.state()["state"] == "idle"


def test_the_stored_document_hides_its_key(store: TinyDBExperimentStore, database: Path) -> None:
    store.save_calibration({"fingerprint": OLD_MACHINE, "algorithms": {}})
    store.save_calibration({"fingerprint": OLD_MACHINE, "algorithms": {"ppo": {"steps_per_second": 1.0}}})
    assert store.load_calibration() == {"fingerprint": OLD_MACHINE, "algorithms": {"ppo": {"steps_per_second": 1.0}}}
    store.close()  # a closed database is one file
    assert '"calibration"' in database.read_text(encoding="utf-8")
