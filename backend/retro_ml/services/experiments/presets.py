"""Presets ("Quick", "Standard", "Epic") mapped to full run configs per algorithm.

Resolution order, as in RL Zoo: algorithm defaults → the preset's values for that
algorithm → the user's overrides (validated field by field).
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

# (algorithm) -> (steps_per_second, source, device): e.g. this machine's measured speed
# ("measured") or the preset file's typical CPU speed ("baseline"), and where it runs.
Estimator = Callable[[str], tuple[float, str, str]]


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
    ) -> dict[str, Any]:
        """The full, validated config for a run. `defaults` (the app's resource settings) go
        between the preset and the user's overrides."""
        algorithm = self.check_algorithm(algorithm)
        chosen = self._preset(preset)
        config: dict[str, Any] = dict(self.raw["algorithms"][algorithm]["defaults"])
        config["video_length_hours"] = chosen["video_length_hours"]
        config.update(chosen["per_algorithm"][algorithm])
        if overrides is not None and not isinstance(overrides, dict):
            raise InvalidInput("'config' must be an object of settings.", field="config")
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

    def baseline_estimate(self, algorithm: str) -> tuple[float, str, str]:
        """The estimator used when none is given: the baseline speed, on the CPU."""
        return self.baseline_steps_per_second(algorithm), "baseline", "cpu"

    def estimated_seconds(self, algorithm: str, total_timesteps: int, steps_per_second: float | None = None) -> int:
        """Start-up time plus `total_timesteps` at `steps_per_second` (default: the baseline)."""
        speed = steps_per_second if steps_per_second and steps_per_second > 0 else None
        speed = speed or self.baseline_steps_per_second(algorithm)
        return int(self.raw["startup_seconds"] + total_timesteps / speed)

    def describe(self, estimator: Estimator | None = None) -> dict[str, Any]:
        """What `GET /api/presets` returns; `estimator` gives each algorithm's speed (default: baseline)."""
        estimate_speed = estimator or self.baseline_estimate
        speeds = {algo: estimate_speed(algo) for algo in ALGORITHMS}
        presets = []
        for preset_id, preset in self.raw["presets"].items():
            configs = {algo: self.resolve(preset_id, algo) for algo in ALGORITHMS}
            estimate = {
                algo: {
                    "seconds": self.estimated_seconds(algo, cfg["total_timesteps"], speeds[algo][0]),
                    "source": speeds[algo][1],
                    "device": speeds[algo][2],
                }
                for algo, cfg in configs.items()
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
