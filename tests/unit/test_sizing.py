"""Sizing a run from the hardware, and estimates that know the hardware (the hardware is passed in)."""

from __future__ import annotations

import pytest

from retro_ml.services.experiments.calibration import CalibrationService
from retro_ml.services.experiments.config_fields import check_consistency
from retro_ml.services.experiments.presets import load_presets
from retro_ml.services.experiments.sizing import Hardware, describe_sizing, ppo_n_steps, recommend
from retro_ml.store import TinyDBExperimentStore

catalog = load_presets()
LAPTOP = Hardware(2)
QUAD = Hardware(4)
WORKSTATION = Hardware(16)
GPU_BOX = Hardware(16, "NVIDIA H200")
SMALL_GPU_BOX = Hardware(2, "NVIDIA T4")


def test_a_two_core_box_without_gpu_gets_the_presets_values() -> None:
    ppo = recommend("ppo", LAPTOP)
    assert (ppo.env_backend, ppo.n_envs, ppo.n_steps, ppo.torch_threads, ppo.device) == ("native", 8, 128, 2, "cpu")
    assert recommend("dqn", LAPTOP).config() == {"n_envs": 1, "torch_threads": 2}
    defaults = catalog.raw["algorithms"]["ppo"]["defaults"]
    sized = catalog.resolve("quick", "ppo", hardware=LAPTOP)
    assert sized == catalog.resolve("quick", "ppo")
    assert (sized["n_envs"], sized["n_steps"], sized["torch_threads"], sized["device"]) == (
        defaults["n_envs"],
        defaults["n_steps"],
        defaults["torch_threads"],
        "auto",
    )
    assert catalog.resolve("epic", "dqn", hardware=LAPTOP) == catalog.resolve("epic", "dqn")


@pytest.mark.parametrize(
    ("hardware", "backend", "n_envs", "n_steps", "threads", "device"),
    [
        (LAPTOP, "native", 8, 128, 2, "cpu"),
        (QUAD, "native", 16, 64, 4, "cpu"),
        (WORKSTATION, "native", 64, 32, 8, "cpu"),
        (GPU_BOX, "native", 64, 32, 4, "cuda"),
        (SMALL_GPU_BOX, "native", 8, 128, 2, "cuda"),
        (Hardware(1), "native", 8, 128, 1, "cpu"),
    ],
)
def test_ppo_sizing_by_cores_and_gpu(
    hardware: Hardware, backend: str, n_envs: int, n_steps: int, threads: int, device: str
) -> None:
    best = recommend("ppo", hardware)
    assert (best.env_backend, best.n_envs, best.n_steps, best.torch_threads, best.device) == (
        backend,
        n_envs,
        n_steps,
        threads,
        device,
    )
    assert best.why.startswith(hardware.describe() + ":") and f"{n_envs} games" in best.why


def test_the_python_path_keeps_eight_games_even_with_a_gpu() -> None:
    # One core steps them one after another: measured on the GPU box, 16 games were no faster.
    assert recommend("ppo", WORKSTATION, "python").config() == {"n_envs": 8, "n_steps": 128, "torch_threads": 8}
    on_gpu = recommend("ppo", GPU_BOX, "python")
    assert on_gpu.config() == {"n_envs": 8, "n_steps": 128, "torch_threads": 4}
    assert on_gpu.why == "16 cores and an NVIDIA H200: 8 games on the python env path, 4 torch threads, network on CUDA"


def test_dqn_keeps_one_game_on_the_python_path() -> None:
    for hardware in (LAPTOP, QUAD, WORKSTATION, GPU_BOX):
        dqn = recommend("dqn", hardware)
        assert (dqn.env_backend, dqn.n_envs, dqn.n_steps) == ("python", 1, None)


@pytest.mark.parametrize("n_envs", [1, 2, 4, 8, 12, 16, 24, 32, 48, 64])
def test_the_ppo_rollout_keeps_rl_zoos_shape(n_envs: int) -> None:
    n_steps = ppo_n_steps(n_envs)
    assert n_steps % 8 == 0 and n_steps >= 32
    rollout = n_envs * n_steps
    assert rollout <= 1024 or n_steps == 32  # RL Zoo's 8 × 128 until the 32-step floor
    assert rollout >= 1024 - 8 * n_envs  # rounding to a multiple of 8 loses less than one step per game


def test_a_sized_config_resolves_and_passes_the_consistency_rules() -> None:
    config = catalog.resolve("quick", "ppo", hardware=GPU_BOX)
    assert (config["n_envs"], config["n_steps"], config["torch_threads"]) == (64, 32, 4)
    assert (config["batch_size"], config["n_epochs"], config["env_backend"], config["device"]) == (
        256,
        4,
        "native",
        "auto",
    )
    check_consistency(config, "ppo")
    # Settings' resource defaults go over the sizing, the request over both.
    with_settings = catalog.resolve("quick", "ppo", defaults={"n_envs": 4, "torch_threads": 3}, hardware=GPU_BOX)
    assert (with_settings["n_envs"], with_settings["torch_threads"]) == (4, 3)
    requested = catalog.resolve("quick", "ppo", {"n_envs": 16, "n_steps": 64}, {"n_envs": 4}, GPU_BOX)
    assert (requested["n_envs"], requested["n_steps"]) == (16, 64)


def test_a_run_asking_for_the_native_path_is_sized_for_it() -> None:
    native = catalog.resolve("epic", "ppo", {"env_backend": "native"}, hardware=GPU_BOX)
    assert (native["env_backend"], native["n_envs"], native["n_steps"], native["torch_threads"]) == (
        "native",
        64,
        32,
        4,
    )
    assert (native["batch_size"], native["n_epochs"]) == (256, 4)
    check_consistency(native, "ppo")
    # Its own n_envs wins, and on 2 cores the native path takes today's 8 games too.
    assert catalog.resolve("quick", "ppo", {"env_backend": "native", "n_envs": 16}, hardware=GPU_BOX)["n_envs"] == 16
    assert catalog.resolve("quick", "ppo", {"env_backend": "native"}, hardware=LAPTOP)["n_envs"] == 8
    assert catalog.resolve("quick", "dqn", {"env_backend": "native"}, hardware=GPU_BOX)["n_envs"] == 1


def test_describe_sizing_gives_what_runs_get_and_what_would_be_best() -> None:
    described = describe_sizing(GPU_BOX, {"ppo": "python", "dqn": "python"})  # presets keeping the python path
    assert described["hardware"] == {"cpu_count": 16, "gpu": "NVIDIA H200", "cuda": True}
    assert described["summary"] == "16 cores and an NVIDIA H200"
    assert described["algorithms"]["ppo"]["by_env_backend"]["native"]["n_envs"] == 64
    assert described["algorithms"]["ppo"]["by_env_backend"]["python"]["n_envs"] == 8
    ppo = described["algorithms"]["ppo"]
    assert (ppo["applied"]["n_envs"], ppo["applied"]["env_backend"]) == (8, "python")
    assert (ppo["best"]["n_envs"], ppo["best"]["env_backend"], ppo["best"]["device"]) == (64, "native", "cuda")
    assert (
        ppo["best"]["why"]
        == "16 cores and an NVIDIA H200: 64 games on ale-py's C++ threads, 4 torch threads, network on CUDA"
    )


# ---- estimates before anything is measured ------------------------------------------------------


def test_reference_speeds_follow_the_hardware() -> None:
    baseline = catalog.baseline_steps_per_second("ppo")
    assert catalog.reference_estimate("ppo", LAPTOP) == (baseline, "typical for 2 cores without a GPU")
    cuda_reference = catalog.raw["reference_speeds"]["cuda"]
    quad, quad_basis = catalog.reference_estimate("ppo", QUAD)
    workstation, workstation_basis = catalog.reference_estimate("ppo", WORKSTATION)
    assert baseline < quad < workstation
    assert quad_basis == "scaled from 2 cores to 4, no GPU"
    # A GPU box is never told less than its cores alone would do: the GPU box measured on the
    # python path (one core stepping games) is slower than 16 cores on the native path would be.
    speed, basis = catalog.reference_estimate("ppo", GPU_BOX)
    assert speed == workstation > cuda_reference["ppo"] > baseline
    assert basis == f"{workstation_basis} (the CPU alone: a floor, the GPU only adds to it)"
    # Where the measured GPU figure is the larger, it is the estimate and says where it comes from.
    assert catalog.reference_estimate("ppo", SMALL_GPU_BOX) == (
        cuda_reference["ppo"],
        "typical for a CUDA GPU, as measured on 16 cores + an NVIDIA H200",
    )
    assert (
        catalog.reference_estimate("dqn", SMALL_GPU_BOX)[0]
        == cuda_reference["dqn"]
        > catalog.baseline_steps_per_second("dqn")
    )
    assert catalog.reference_estimate("ppo", Hardware(1))[0] < baseline


def test_a_gpu_box_is_not_told_the_cpu_time(store: TinyDBExperimentStore) -> None:
    gpu = CalibrationService(store, fingerprint={"cpu": "Xeon", "cpu_count": 16, "gpu": "NVIDIA H200"})
    speed, source, _device, basis = gpu.estimate_with_basis("ppo")
    assert (speed, source) == (catalog.reference_estimate("ppo", GPU_BOX)[0], "baseline")
    assert basis.startswith("scaled from 2 cores to 16") and "the GPU only adds to it" in basis
    quick = catalog.describe(gpu.estimate_with_basis, GPU_BOX)["presets"][0]
    laptop_quick = catalog.describe(hardware=LAPTOP)["presets"][0]
    # Quick: 250k steps; the GPU box trained it in ~7 min on the python path (one core stepping
    # the games), so its estimate is at most that and well under a 2-core laptop's.
    assert quick["estimate"]["ppo"]["seconds"] <= 7 * 60
    assert quick["estimate"]["ppo"]["seconds"] < 0.6 * laptop_quick["estimate"]["ppo"]["seconds"]
    assert quick["estimate"]["ppo"]["basis"] == basis
    assert quick["configs"]["ppo"]["torch_threads"] == 4


def test_a_measured_speed_comes_first_and_says_so(store: TinyDBExperimentStore) -> None:
    gpu = CalibrationService(store, fingerprint={"cpu": "Xeon", "cpu_count": 16, "gpu": "NVIDIA H200"})
    assert gpu.record("ppo", 700.0, 250_000, device="cuda") is True
    assert gpu.estimate_with_basis("ppo")[:2] == (700.0, "measured")
    assert gpu.estimate_with_basis("ppo")[3] == "measured on this machine"
    assert gpu.describe()["estimates"]["ppo"]["basis"] == "measured on this machine"
    assert gpu.describe()["estimates"]["dqn"]["basis"].startswith("typical for a CUDA GPU")


def test_the_default_estimator_says_its_basis() -> None:
    quick = catalog.describe()["presets"][0]
    assert quick["estimate"]["ppo"]["basis"] == "typical for 2 cores without a GPU"
