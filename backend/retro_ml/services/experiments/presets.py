"""Presets ("Quick", "Standard", "Epic") mapped to full run configs per algorithm.

Resolution order, as in RL Zoo: algorithm defaults → the preset's values for that
algorithm → this machine's sizing (`sizing.py`: games, rollout shape, torch threads) → the app's
resource settings → the user's overrides (validated field by field).

Before anything is measured here, time estimates come from `reference_speeds` in the preset
file, chosen by the hardware (`reference_estimate`), and say so in their `basis`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from retro_ml.errors import InvalidInput
from retro_ml.services.experiments.config_fields import ALGORITHMS, check_consistency, check_value
from retro_ml.services.experiments.sizing import ENV_BACKENDS, Hardware, recommend, torch_threads_for

# (algorithm) -> (steps_per_second, source, device[, basis]): e.g. this machine's measured speed
# ("measured") or a typical speed for its hardware ("baseline"), where it runs, and in words
# what the speed is based on ("measured on this machine", "typical for 2 cores without a GPU").
Estimator = Callable[[str], tuple[float, str, str] | tuple[float, str, str, str]]


@dataclass(frozen=True)
class PresetCatalog:
    raw: dict[str, Any]

    @property
    def preset_ids(self) -> list[str]:
        return list(self.raw["presets"])

    def resolve(
        self,
        preset: str,
        algorithm: str,
        overrides: dict[str, Any] | None = None,
        defaults: dict[str, Any] | None = None,
        hardware: Hardware | None = None,
    ) -> dict[str, Any]:
        """The full, validated config for a run. `hardware` sizes it (without: the algorithm's
        defaults, sized for 2 cores); `defaults` (the app's resource settings) go between that
        and the user's overrides."""
        algorithm = self.check_algorithm(algorithm)
        chosen = self._preset(preset)
        config: dict[str, Any] = dict(self.raw["algorithms"][algorithm]["defaults"])
        config["video_length_hours"] = chosen["video_length_hours"]
        config.update(chosen["per_algorithm"][algorithm])
        if overrides is not None and not isinstance(overrides, dict):
            raise InvalidInput("'config' must be an object of settings.", field="config")
        if hardware is not None:
            # Sized for the env path the run will use: the request's when it names a valid one.
            asked = (overrides or {}).get("env_backend")
            backend = asked if asked in ENV_BACKENDS else config["env_backend"]
            config.update(recommend(algorithm, hardware, backend).config())
        for name, value in (defaults or {}).items():
            config[name] = check_value(name, value, algorithm)
        overrides = overrides or {}
        if algorithm == "ppo" and "batch_size" not in overrides and "n_envs" in (defaults or {}):
            # Fewer parallel games than the preset's: the batch shrinks to fit one rollout.
            config["batch_size"] = min(config["batch_size"], config["n_steps"] * config["n_envs"])
        for name, value in overrides.items():
            config[name] = check_value(name, value, algorithm)
        check_consistency(config, algorithm)
        return config

    def baseline_steps_per_second(self, algorithm: str) -> float:
        """A typical desktop CPU's training speed, from the preset file."""
        return float(self.raw["baseline_cpu_steps_per_second"][algorithm])

    def baseline_estimate(self, algorithm: str) -> tuple[float, str, str, str]:
        """The estimator used when none is given: the baseline speed, on the CPU."""
        speed, basis = self.reference_estimate(algorithm, Hardware(int(self.raw["reference_speeds"]["cpu_cores"])))
        return speed, "baseline", "cpu", basis

    def reference_estimate(self, algorithm: str, hardware: Hardware) -> tuple[float, str]:
        """A typical speed for `hardware` before anything is measured on it, and its basis in words.

        Without a GPU: the 2-core baseline, its update share scaled by the torch threads these
        cores get. With a CUDA GPU: the speed measured on the reference GPU box (on the python env
        path, where one core stepping the games is the limit), or, where these cores alone would
        already be faster (the native path steps games on every core), the CPU figure: a GPU only
        adds to it, so it is a floor, never the CPU time of a slower machine.
        """
        cpu_speed, cpu_basis = self._cpu_estimate(algorithm, hardware.cpu_count)
        if not hardware.cuda:
            return cpu_speed, cpu_basis
        gpu_box = self.raw["reference_speeds"]["cuda"]
        measured = float(gpu_box[algorithm])
        if measured >= cpu_speed:
            return measured, f"typical for a CUDA GPU, as measured on {gpu_box['cores']} cores + an {gpu_box['gpu']}"
        return cpu_speed, f"{cpu_basis} (the CPU alone: a floor, the GPU only adds to it)"

    def _cpu_estimate(self, algorithm: str, cpu_count: int) -> tuple[float, str]:
        """The 2-core baseline scaled to `cpu_count` cores without a GPU."""
        reference = self.raw["reference_speeds"]
        base, cores = self.baseline_steps_per_second(algorithm), int(reference["cpu_cores"])
        if cpu_count == cores:
            return base, f"typical for {cores} cores without a GPU"
        share = float(reference["cpu_update_share"])
        threads_ratio = torch_threads_for(Hardware(cores)) / torch_threads_for(Hardware(cpu_count))
        speed = base / ((1 - share) + share * threads_ratio)
        return round(speed, 1), f"scaled from {cores} cores to {cpu_count}, no GPU"

    def estimated_seconds(self, algorithm: str, total_timesteps: int, steps_per_second: float | None = None) -> int:
        """Start-up time plus `total_timesteps` at `steps_per_second` (default: the baseline)."""
        speed = steps_per_second if steps_per_second and steps_per_second > 0 else None
        speed = speed or self.baseline_steps_per_second(algorithm)
        return int(self.raw["startup_seconds"] + total_timesteps / speed)

    def describe(self, estimator: Estimator | None = None, hardware: Hardware | None = None) -> dict[str, Any]:
        """What `GET /api/presets` returns; `estimator` gives each algorithm's speed (default: baseline),
        `hardware` sizes the configs (default: unsized)."""
        estimate_speed = estimator or self.baseline_estimate
        speeds = {algo: estimate_speed(algo) for algo in ALGORITHMS}
        presets = []
        for preset_id, preset in self.raw["presets"].items():
            configs = {algo: self.resolve(preset_id, algo, hardware=hardware) for algo in ALGORITHMS}
            estimate = {
                algo: self._estimate(algo, cfg["total_timesteps"], speeds[algo]) for algo, cfg in configs.items()
            }
            presets.append(
                {
                    "id": preset_id,
                    "name": preset["name"],
                    "description": preset["description"],
                    "video_length_hours": preset["video_length_hours"],
                    "configs": configs,
                    "estimated_seconds": {algo: est["seconds"] for algo, est in estimate.items()},
                    "estimate": estimate,
                }
            )
        algorithms = [
            {"id": algo, "name": spec["name"], "recommended": spec["recommended"], "description": spec["description"]}
            for algo, spec in self.raw["algorithms"].items()
        ]
        return {"presets": presets, "algorithms": algorithms}

    def _estimate(self, algorithm: str, steps: int, speed: tuple[Any, ...]) -> dict[str, Any]:
        seconds = self.estimated_seconds(algorithm, steps, speed[0])
        estimate = {"seconds": seconds, "source": speed[1], "device": speed[2]}
        if len(speed) > 3:
            estimate["basis"] = speed[3]
        return estimate

    def check_algorithm(self, algorithm: Any) -> str:
        value = str(algorithm or "").strip().lower()
        if value not in ALGORITHMS:
            raise InvalidInput(f"Unknown algorithm '{algorithm}': choose ppo or dqn.", field="algorithm")
        return value

    def _preset(self, preset: Any) -> dict[str, Any]:
        try:
            return self.raw["presets"][str(preset)]
        except KeyError:
            raise InvalidInput(
                f"Unknown preset '{preset}': choose {', '.join(self.preset_ids)}.", field="preset"
            ) from None


@lru_cache(maxsize=1)
def load_presets() -> PresetCatalog:
    text = resources.files("retro_ml").joinpath("data/presets.json").read_text(encoding="utf-8")
    return PresetCatalog(json.loads(text))
