"""A run's size from this machine's hardware: parallel games, torch threads, device, env path.

The main process decides it without torch: logical CPUs from `os.cpu_count()`, the GPU from
`nvidia-smi` (services/system). The rules, per algorithm (figures from FACTS.md, "On a GPU box"):

- PPO on the python env path steps its games one after another on one core, so more games do
  not help: 8, with or without a GPU (bare SB3 on 16 cores + an H200, 2026-12-04: 8 games × 128
  steps 595 steps/s, 16 × 64 555; the app with 16 × 128 was 719 vs 647, but that is a twice
  larger rollout, not the same learning).
- PPO on the native path (ale-py's C++ vector env) steps games on its own threads and scales with
  the cores: 4 games per logical CPU, a power of two between 8 and 64 (64 games: 10,302 raw env
  steps/s on 16 cores). It is the path the sizing picks for PPO on every machine: on 2 cores,
  where the PPO update is most of the time, it still saves the Python wrappers' stepping
  (bench/training_speed.py). Runs use it by default (presets.json); where ale-py lacks its vector
  env the worker falls back to the python path (training/envs.py).
- DQN learns from one stream of frames through its replay memory: 1 game on the python path;
  nothing measured says more games help it.
- torch threads: the logical CPUs, at most 8 without a GPU (the small Atari CNN gains little past
  that; 2 on a 2-core box, where 1 costs ~40%), at most 4 with one (the network runs on the GPU,
  the threads only prepare its batches).
- device: "cuda" when nvidia-smi lists a GPU, else "cpu". The config keeps "auto": the worker
  resolves it with torch, which finds the same GPU, and still trains on the CPU where the
  installed torch lacks CUDA.

PPO's rollout shape keeps learning per step comparable to RL Zoo's tuned Atari values (8 games ×
128 steps = 1,024 samples per update, batch 256, 4 epochs): n_steps = max(32, 1024 // n_envs),
rounded down to a multiple of 8, so the rollout stays 1,024 samples up to 32 games (64 games:
32 steps, 2,048 samples; fewer steps would leave GAE too short a horizon). batch_size 256 and
n_epochs 4 stay, so each sample gets the same number of gradient passes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from retro_ml.services.system import gpu_info

ZOO_ROLLOUT = 8 * 128  # RL Zoo's Atari PPO: 8 envs × 128 steps per update
MIN_N_STEPS = 32
MAX_N_ENVS = 64
ENV_BACKENDS = ("python", "native")


@dataclass(frozen=True)
class Hardware:
    """What sizing depends on: logical CPUs and the CUDA GPU's name (None: no GPU found)."""

    cpu_count: int
    gpu: str | None = None

    @property
    def cuda(self) -> bool:
        return self.gpu is not None

    @classmethod
    def from_fingerprint(cls, fingerprint: dict[str, Any]) -> Hardware:
        """From calibration's fingerprint ({"cpu_count", "gpu", ...})."""
        return cls(max(1, int(fingerprint.get("cpu_count") or 1)), fingerprint.get("gpu") or None)

    def describe(self) -> str:
        """ "16 cores and an NVIDIA H200", "2 cores and no GPU"."""
        cores = f"{self.cpu_count} core{'s' if self.cpu_count != 1 else ''}"
        return f"{cores} and {'an ' + self.gpu if self.gpu else 'no GPU'}"


def this_machine() -> Hardware:
    """This machine's hardware: logical CPUs and the GPU nvidia-smi lists (cached)."""
    info = gpu_info()
    return Hardware(os.cpu_count() or 1, info.get("name") if info.get("cuda_available") else None)


@dataclass(frozen=True)
class Sizing:
    algorithm: str
    env_backend: str
    n_envs: int
    torch_threads: int
    device: str  # where "auto" trains: "cuda" or "cpu"
    n_steps: int | None  # PPO only
    why: str

    def config(self) -> dict[str, Any]:
        """The values a run's config takes from this sizing (device stays "auto": see the docstring)."""
        values: dict[str, Any] = {"n_envs": self.n_envs, "torch_threads": self.torch_threads}
        if self.n_steps is not None:
            values["n_steps"] = self.n_steps
        return values

    def to_dict(self) -> dict[str, Any]:
        return {
            "env_backend": self.env_backend,
            "n_envs": self.n_envs,
            "torch_threads": self.torch_threads,
            "device": self.device,
            "n_steps": self.n_steps,
            "why": self.why,
        }


def ppo_n_steps(n_envs: int) -> int:
    """Steps per game per rollout keeping RL Zoo's 1,024-sample rollout (see the docstring)."""
    return max(MIN_N_STEPS, (ZOO_ROLLOUT // max(1, n_envs)) // 8 * 8)


def torch_threads_for(hardware: Hardware) -> int:
    return max(1, min(hardware.cpu_count, 4 if hardware.cuda else 8))


def best_backend(algorithm: str, hardware: Hardware) -> str:
    """The env path the sizing picks: native for PPO (several games), python for DQN (one game)."""
    return "native" if algorithm == "ppo" else "python"


def n_envs_for(algorithm: str, hardware: Hardware, env_backend: str) -> int:
    if algorithm != "ppo":
        return 1
    if env_backend == "native":
        per_core = 4 * hardware.cpu_count
        return max(8, min(MAX_N_ENVS, 1 << (per_core.bit_length() - 1)))
    return 8


def recommend(algorithm: str, hardware: Hardware, env_backend: str | None = None) -> Sizing:
    """The sizing of an `algorithm` run on `hardware`, for `env_backend` (default: the best one here)."""
    backend = env_backend or best_backend(algorithm, hardware)
    n_envs = n_envs_for(algorithm, hardware, backend)
    threads = torch_threads_for(hardware)
    device = "cuda" if hardware.cuda else "cpu"
    games = f"{n_envs} game{'s' if n_envs != 1 else ''}"
    path = "ale-py's C++ threads" if backend == "native" else "the python env path"
    network = "network on CUDA" if hardware.cuda else "network on the CPU"
    why = f"{hardware.describe()}: {games} on {path}, {threads} torch thread{'s' if threads != 1 else ''}, {network}"
    n_steps = ppo_n_steps(n_envs) if algorithm == "ppo" else None
    return Sizing(algorithm, backend, n_envs, threads, device, n_steps, why)


def describe_sizing(hardware: Hardware, applied_backend: dict[str, str]) -> dict[str, Any]:
    """What `GET /api/system/sizing` returns: per algorithm (the keys of `applied_backend`), what
    new runs get (`applied`, on the env path runs use by default), what the sizing would pick
    (`best`, on its own env path) and the sizing for each env path a run may ask for."""
    return {
        "hardware": {"cpu_count": hardware.cpu_count, "gpu": hardware.gpu, "cuda": hardware.cuda},
        "summary": hardware.describe(),
        "algorithms": {
            algo: {
                "applied": recommend(algo, hardware, applied_backend[algo]).to_dict(),
                "best": recommend(algo, hardware).to_dict(),
                "by_env_backend": {backend: recommend(algo, hardware, backend).to_dict() for backend in ENV_BACKENDS},
            }
            for algo in applied_backend
        },
    }
