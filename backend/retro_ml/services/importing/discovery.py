"""Find trained models on disk that Retro ML Trainer can import: SB3 zips and RL Zoo runs.

Discovery only: nothing is created, copied or loaded. A model zip is inspected with
`zipfile` and its `data` entry read as JSON (SB3 stores the model's attributes there);
the pickled parts (`policy.pth`, serialised classes inside `data`) are never unpickled, so
this runs in the main process without torch or SB3 and is safe on files from anywhere.

RL Zoo lays out a run as `logs/<algo>/<EnvName>_<n>/` with the final model
`<EnvName>.zip` (EnvName is the env id with `/` replaced by `-`), its hyperparameters in
`<EnvName>/config.yml`, `best_model.zip` and `rl_model_<N>_steps.zip` checkpoints, and
`<i>.monitor.csv` files whose first line names the env id.

The search is bounded, since a user can point it at `/` or a network share: at most
`MAX_DEPTH` folders down, `MAX_FOLDERS` folders and `SCAN_SECONDS` seconds. Its `ScanReport`
says how much it looked through and whether it stopped early, so an empty or partial result
can say so instead of looking like "there is nothing here".
"""

from __future__ import annotations

import json
import os
import re
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from retro_ml.errors import AppError, InvalidInput
from retro_ml.run_contract import CONFIG_FILE
from retro_ml.services.games import find_game

Source = Literal["sb3-zip", "rl-zoo"]

MAX_DEPTH = 8
PROGRESS_SECONDS = 0.5  # how often a search says how far it is (`import.progress`)
MAX_FOLDERS = 20_000  # `/` of a Linux install with its depth cut at 8: about 20,000 folders, 1-2 s
SCAN_SECONDS = 20.0  # a network share or a slow disk: answer within a request's patience
LOOKED_FOR = "SB3 model zips or RL Zoo `logs/<algo>/<env>_<n>/` runs"
MAX_DATA_BYTES = 64 * 2**20  # SB3's `data` is small JSON; anything bigger is not one
SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "site-packages", "venv", ".venv"})

# `ALE/Breakout-v5`, `ALE-Breakout-v5` (RL Zoo folders), `BreakoutNoFrameskip-v4`, `Pong-ramDeterministic-v4`...
ENV_ID = re.compile(
    r"(?<![A-Za-z])(?P<ale>ALE[/-])?(?P<game>[A-Z][A-Za-z0-9]*?)(?P<ram>-ram)?"
    r"(?P<variant>NoFrameskip|Deterministic)?-v(?P<version>\d+)"
)
ZOO_RUN = re.compile(r"^(?P<env>.+?)_(?P<run>\d+)(?:_[0-9a-f]{8}-[0-9a-f-]{27})?$")
ZOO_CHECKPOINT = re.compile(r"^rl_model_(?P<steps>\d+)_steps\.zip$")

# Where SB3 and sb3-contrib keep each algorithm's policies (from the zip's `policy_class`).
POLICY_MODULES = {
    "stable_baselines3.dqn.policies": "dqn",
    "stable_baselines3.sac.policies": "sac",
    "stable_baselines3.td3.policies": "td3",
    "sb3_contrib.qrdqn.policies": "qrdqn",
    "sb3_contrib.tqc.policies": "tqc",
    "sb3_contrib.ars.policies": "ars",
    "sb3_contrib.common.recurrent.policies": "ppo_lstm",
    "sb3_contrib.common.maskable.policies": "ppo_mask",
}


@dataclass(frozen=True)
class ImportCandidate:
    """A model found on disk. `algorithm`/`env_id` are None when nothing on disk says which."""

    path: Path
    algorithm: str | None
    env_id: str | None
    game_id: str | None
    num_timesteps: int | None
    source: Source


@dataclass(frozen=True)
class ScanReport:
    """How much of the folder the search looked through; `stopped` says why it ended early ("" if not)."""

    folders: int
    files: int
    stopped: str = ""

    @property
    def complete(self) -> bool:
        return not self.stopped

    def to_dict(self) -> dict[str, Any]:
        return {"folders": self.folders, "files": self.files, "complete": self.complete, "stopped": self.stopped}

    def nothing_found_message(self, folder: Path | str) -> str:
        """What was looked for, where and how far, and what to pick instead."""
        looked = f"looked through {self.folders:,} folders and {self.files:,} files, up to {MAX_DEPTH} levels down"
        if self.stopped:
            return (
                f"No {LOOKED_FOR} in {folder} ({looked}; {self.stopped}). Pick the folder that holds "
                "your runs, such as RL Zoo's `logs` folder, rather than a whole disk."
            )
        return f"No {LOOKED_FOR} in {folder} ({looked}). Pick the folder that holds your `.zip` models."


@dataclass(frozen=True)
class Discovery:
    candidates: list[ImportCandidate]
    scan: ScanReport


@dataclass(frozen=True)
class ScanLimits:
    max_folders: int = MAX_FOLDERS
    seconds: float = SCAN_SECONDS


@dataclass(frozen=True)
class ModelInfo:
    algorithm: str | None
    num_timesteps: int | None


def read_model_info(path: Path) -> ModelInfo | None:
    """What an SB3 model zip says about itself, or None if the file is not an SB3 model."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if not {"data", "policy.pth"} <= names:
                return None
            if archive.getinfo("data").file_size > MAX_DATA_BYTES:
                return ModelInfo(None, None)
            raw = archive.read("data")
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, NotImplementedError):  # encrypted, odd compression
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return ModelInfo(None, None)
    if not isinstance(data, dict):
        return ModelInfo(None, None)
    steps = data.get("num_timesteps")
    return ModelInfo(algorithm_from_data(data), steps if isinstance(steps, int) and steps >= 0 else None)


def algorithm_from_data(data: dict[str, Any]) -> str | None:
    """PPO, A2C, DQN... told apart by the policy's module and the attributes each one saves."""
    policy = data.get("policy_class")
    module = policy.get("__module__") if isinstance(policy, dict) else None
    if module in POLICY_MODULES:
        return POLICY_MODULES[module]
    if module == "stable_baselines3.common.policies" or "rollout_buffer_class" in data:
        if "clip_range" in data and "n_epochs" in data:
            return "ppo"
        if "n_steps" in data and "gae_lambda" in data:
            return "a2c"
    if "exploration_fraction" in data and "target_update_interval" in data:
        return "dqn"
    return None


def parse_env_id(text: str) -> str | None:
    """The first env id in a name: `ppo-BreakoutNoFrameskip-v4` → `BreakoutNoFrameskip-v4`."""
    match = ENV_ID.search(text)
    if match is None:
        return None
    if match["ale"]:
        return f"ALE/{match['game']}{match['ram'] or ''}-v{match['version']}"
    return match[0]


def game_for_env_id(env_id: str | None) -> str | None:
    """Our game id for an Atari env id; None for RAM-observation envs (we train on pixels) or unknown games."""
    if not env_id:
        return None
    match = ENV_ID.fullmatch(env_id.replace("ALE-", "ALE/", 1))
    if match is None or match["ram"]:
        return None
    try:
        return find_game(match["game"]).id
    except InvalidInput:
        return None


def _walk(root: Path) -> Iterator[tuple[Path, list[str], list[str]]]:
    base_depth = len(root.parts)
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        if len(here.parts) - base_depth >= MAX_DEPTH:
            dirs.clear()
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
        yield here, dirs, files


def _monitor_env_id(run_dir: Path) -> str | None:
    """SB3's Monitor starts its CSV with a comment line `#{"t_start": ..., "env_id": "..."}`."""
    for monitor in sorted(run_dir.glob("*.monitor.csv")):
        try:
            with monitor.open(encoding="utf-8") as handle:
                first = handle.readline(4096)
            header = json.loads(first[1:]) if first.startswith("#") else None
        except (OSError, ValueError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            continue
        if isinstance(header, dict) and isinstance(header.get("env_id"), str):
            return header["env_id"]
    return None


def _zoo_model(run_dir: Path, env_name: str) -> Path | None:
    """The final model, else the best one, else the newest checkpoint (an interrupted run)."""
    for name in (f"{env_name}.zip", "best_model.zip"):
        if (run_dir / name).is_file():
            return run_dir / name
    checkpoints = [
        (int(m["steps"]), p) for p in run_dir.glob("rl_model_*_steps.zip") if (m := ZOO_CHECKPOINT.match(p.name))
    ]
    return max(checkpoints)[1] if checkpoints else None


def zoo_candidate(run_dir: Path) -> ImportCandidate | None:
    """An RL Zoo run folder `<algo>/<EnvName>_<n>/` as one candidate, or None if it is not one."""
    match = ZOO_RUN.match(run_dir.name)
    if match is None:
        return None
    env_name = match["env"]
    if not ((run_dir / env_name).is_dir() or (run_dir / f"{env_name}.zip").is_file()):
        return None  # a folder that merely looks like `name_3` with a zip inside
    model = _zoo_model(run_dir, env_name)
    info = read_model_info(model) if model is not None else None
    if model is None or info is None:
        return None
    env_id = _monitor_env_id(run_dir) or parse_env_id(env_name) or env_name
    algorithm = run_dir.parent.name.lower() or info.algorithm
    return ImportCandidate(model, algorithm, env_id, game_for_env_id(env_id), info.num_timesteps, "rl-zoo")


def _our_run_config(model: Path) -> dict[str, Any]:
    """A Retro ML Trainer run folder keeps `config.json` beside `model.zip` (checkpoints one level down)."""
    for folder in (model.parent, model.parent.parent):
        try:
            config = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(config, dict) and isinstance(config.get("env_id"), str):
            return config
    return {}


def zip_candidate(path: Path) -> ImportCandidate | None:
    info = read_model_info(path)
    if info is None:
        return None
    config = _our_run_config(path)
    env_id = config.get("env_id") or next(
        (found for part in (path.stem, path.parent.name, path.parent.parent.name) if (found := parse_env_id(part))),
        None,
    )
    algorithm = info.algorithm or (str(config["algorithm"]) if config.get("algorithm") else None)
    return ImportCandidate(path, algorithm, env_id, game_for_env_id(env_id), info.num_timesteps, "sb3-zip")


def find_import_candidates(folder: Path) -> list[ImportCandidate]:
    """Every importable model under `folder` (within the scan limits), sorted by path."""
    return scan_for_models(folder).candidates


def scan_for_models(
    folder: Path,
    limits: ScanLimits = ScanLimits(),
    on_progress: Callable[[int, int, int, bool], None] | None = None,
) -> Discovery:
    """Importable models under `folder`, sorted by path, and how far the search got; an RL Zoo
    run counts once. Stops at `limits` (the folders walked, the time taken). `on_progress(folders,
    files, found, done)` hears how far it is every PROGRESS_SECONDS and once at the end."""
    root = Path(folder).expanduser()
    try:
        is_folder = root.is_dir()
    except OSError as error:  # e.g. a name too long for the file system
        raise AppError(
            "not_a_folder", f"'{folder}' cannot be opened ({error.strerror}): pick another folder.", 400
        ) from None
    if not is_folder:
        raise AppError("not_a_folder", f"'{folder}' is not a folder: pick the folder that holds your runs.", 400)
    deadline = time.monotonic() + limits.seconds
    candidates: list[ImportCandidate] = []
    folders = files = 0
    stopped = ""
    told = time.monotonic()
    for here, _dirs, names in _walk(root):
        if on_progress is not None and time.monotonic() - told >= PROGRESS_SECONDS:
            told = time.monotonic()
            on_progress(folders, files, len(candidates), False)
        if folders >= limits.max_folders:
            stopped = f"the search stops after {limits.max_folders:,} folders"
            break
        if time.monotonic() > deadline:
            stopped = f"the search stops after {limits.seconds:g} seconds"
            break
        folders += 1
        files += len(names)
        zoo = zoo_candidate(here)
        if zoo is not None:
            candidates.append(zoo)
            continue  # its other zips (best model, checkpoints) belong to that run
        for name in sorted(names):
            if name.lower().endswith(".zip"):
                found = zip_candidate(here / name)
                if found is not None:
                    candidates.append(found)
    if on_progress is not None:
        on_progress(folders, files, len(candidates), True)
    return Discovery(sorted(candidates, key=lambda c: str(c.path)), ScanReport(folders, files, stopped))
