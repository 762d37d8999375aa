"""Train the policy network faster on the CPU without changing the algorithm.

On a 2-core box the PPO update (4 epochs of batch-256 forward and backward passes through the
Atari CNN) is about two thirds of training time, so its cost sets the pace. One update
minibatch of ActorCriticCnnPolicy (batch 256, forward and backward, 2 threads), in ms, on the
project's 2-core boxes:

| layout and precision                                         | Xeon, AMX | EPYC, AVX512-BF16 |
|--------------------------------------------------------------|-----------|-------------------|
| SB3's default (NCHW, float32)                                |       122 |               116 |
| channels-last weights, float32                               |        82 |                82 |
| channels-last, the CNN in bfloat16 (autocast), heads float32 |        40 |                50 |

- Channels-last is the memory order oneDNN's convolutions run fastest in; the numbers are the
  same, only their order in memory changes, and model.zip loads into either layout.
- bfloat16 only where the CPU computes it in hardware (Intel AMX, or AVX512-BF16 as on AMD
  Zen 4 and later Xeons): elsewhere it is emulated, and slower than float32. Only the
  convolutional feature extractor runs in it (autocast keeps float32 master weights and
  gradients); its output is cast back to float32, so the policy and value heads,
  the log-probabilities and PPO's ratio stay in full precision. `precision: "float32"` in the
  run config turns it off; bench/learning_parity.py checks that it learns the same.
- Nothing changes on CUDA, where neither was measured.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor


def bfloat16_units() -> str | None:
    """The CPU's hardware for bfloat16 matrix products as torch sees it ("AMX", "AVX512-BF16"), or None."""
    for name, probe_name in (("AMX", "_is_amx_tile_supported"), ("AVX512-BF16", "_is_avx512_bf16_supported")):
        probe = getattr(torch.cpu, probe_name, None)  # private torch probes: never let them stop a run
        try:
            if probe is not None and probe():
                return name
        except Exception:
            continue
    return None


def speed_up_network(model: BaseAlgorithm, precision: str | None = "auto") -> str:
    """Channels-last weights on the CPU and, with `precision` "auto" on a CPU with bfloat16 units,
    the CNN in bfloat16. Returns how the network now trains, for the worker's log."""
    if model.device.type != "cpu":
        return f"float32 on {model.device.type}"
    model.policy.to(memory_format=torch.channels_last)  # type: ignore[call-overload]
    units = bfloat16_units() if (precision or "auto") == "auto" else None
    if units is not None:
        for extractor in _feature_extractors(model.policy):
            extractor.forward = _in_bfloat16(extractor.forward)
        return f"CPU, channels-last, CNN in bfloat16 ({units})"
    return "CPU, channels-last, float32"


def _feature_extractors(policy: torch.nn.Module) -> list[BaseFeaturesExtractor]:
    """Every distinct CNN in the policy (PPO shares one; DQN has its net's and its target's)."""
    found: dict[int, BaseFeaturesExtractor] = {}
    for module in policy.modules():
        if isinstance(module, BaseFeaturesExtractor):
            found[id(module)] = module
    return list(found.values())


def _in_bfloat16(forward: Callable[[torch.Tensor], torch.Tensor]) -> Callable[[torch.Tensor], torch.Tensor]:
    def forward_in_bfloat16(observations: torch.Tensor, *args: Any) -> torch.Tensor:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            features = forward(observations, *args)
        return features.float()

    return forward_in_bfloat16
