"""DQN's replay memory kept beside the model, so that continuing a DQN run continues its learning.

SB3 does not put the replay buffer in model.zip: a continuation would start from an empty
memory and wait `learning_starts` steps before learning again. With `keep_replay_buffer: "yes"`
(DQN's default) the worker saves it with SB3's `save_replay_buffer` when training ends
(completed or stopped) as replay_buffer.pkl, written to a temporary file and renamed, so a
half-written memory is never listed. It weighs about 56 KB per stored frame (2.8 GB for the
presets' 50,000); the main process shows its size before a continuation keeps it.

A continuation asked to keep it (`resume_from.replay_buffer_path`) loads it with
`load_replay_buffer`; its `learning_starts` then stays counted from the model's first step (the
memory already holds what the wait was for) instead of from the continuation's start.
A memory that cannot be saved (a full disk) is not an error: the model is what matters, and
the log says why the memory was not kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm

from retro_ml.run_contract import REPLAY_BUFFER_FILE, TEMPORARY_REPLAY_BUFFER_FILE
from retro_ml.training.checkpoints import save_atomically


def keeps_replay_memory(model: BaseAlgorithm, settings: dict[str, Any]) -> bool:
    """Whether this run saves its replay memory at the end: DQN (off-policy) with the setting on."""
    return isinstance(model, OffPolicyAlgorithm) and (settings.get("keep_replay_buffer") or "yes") == "yes"


def save_replay_memory(model: BaseAlgorithm, run_dir: Path) -> Path | None:
    """replay_buffer.pkl in `run_dir`, or None (with the reason in the log) when it could not be written."""
    assert isinstance(model, OffPolicyAlgorithm)
    buffer = model.replay_buffer
    if buffer is None or buffer.size() == 0:
        return None
    try:  # the temporary name keeps its .tmp suffix: SB3 adds .pkl only to a name without one
        final = save_atomically(
            model.save_replay_buffer, run_dir / REPLAY_BUFFER_FILE, run_dir / TEMPORARY_REPLAY_BUFFER_FILE
        )
    except OSError as exc:
        print(f"replay memory not kept: {exc.strerror or exc} (the model is saved)", flush=True)
        return None
    print(f"replay memory kept: {buffer.size()} frames, {final.stat().st_size / 1e6:.0f} MB", flush=True)
    return final


def replay_memory_path(run_config: dict[str, Any]) -> Path | None:
    """`resume_from.replay_buffer_path` of config.json: the parent's memory to keep, or None."""
    resume_from = run_config.get("resume_from")
    path = resume_from.get("replay_buffer_path") if isinstance(resume_from, dict) else None
    return Path(path) if path else None


def load_replay_memory(model: BaseAlgorithm, path: Path) -> int:
    """Load the memory saved at `path` into `model`; how many frames it holds."""
    assert isinstance(model, OffPolicyAlgorithm)
    model.load_replay_buffer(path)
    assert model.replay_buffer is not None
    frames = int(model.replay_buffer.size())
    print(f"replay memory loaded: {frames} frames from {path}", flush=True)
    return frames
