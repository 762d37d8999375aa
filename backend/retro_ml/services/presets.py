"""Presets ("Quick", "Standard", "Epic") mapped to full run configs per algorithm.

Resolution order, as in RL Zoo: algorithm defaults → the preset's values for that
algorithm → the user's overrides (validated field by field).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from retro_ml.errors import InvalidInput
from retro_ml.services.config_fields import ALGORITHMS, check_consistency, check_value


@dataclass(frozen=True)
class PresetCatalog:
    raw: dict[str, Any]

    @property
    def preset_ids(self) -> list[str]:
        return list(self.raw["presets"])

    def resolve(self, preset: str, algorithm: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        """The full, validated config for a run."""
        algorithm = self.check_algorithm(algorithm)
        chosen = self._preset(preset)
        config: dict[str, Any] = dict(self.raw["algorithms"][algorithm]["defaults"])
        config["video_length_hours"] = chosen["video_length_hours"]
        config.update(chosen["per_algorithm"][algorithm])
        if overrides is not None and not isinstance(overrides, dict):
            raise InvalidInput("'config' must be an object of settings.", field="config")
        for name, value in (overrides or {}).items():
            config[name] = check_value(name, value, algorithm)
        check_consistency(config, algorithm)
        return config

    def estimated_seconds(self, algorithm: str, total_timesteps: int) -> int:
        speed = self.raw["baseline_cpu_steps_per_second"][algorithm]
        return int(self.raw["startup_seconds"] + total_timesteps / speed)

    def describe(self) -> dict[str, Any]:
        """What `GET /api/presets` returns."""
        presets = []
        for preset_id, preset in self.raw["presets"].items():
            configs = {algo: self.resolve(preset_id, algo) for algo in ALGORITHMS}
            presets.append(
                {
                    "id": preset_id,
                    "name": preset["name"],
                    "description": preset["description"],
                    "video_length_hours": preset["video_length_hours"],
                    "configs": configs,
                    "estimated_seconds": {
                        algo: self.estimated_seconds(algo, cfg["total_timesteps"]) for algo, cfg in configs.items()
                    },
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
