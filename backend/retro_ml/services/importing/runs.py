"""Turns models found on disk (SB3 zips, RL Zoo runs) into experiments ("map existing runs").

Each imported model is copied into its own run folder, so the experiment owns its files
and can be continued like any other. The original path is kept as `checkpoint_source`,
which also makes a second import of the same folder skip what is already there.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retro_ml.errors import AppError, InvalidInput
from retro_ml.run_contract import IMPORTED_FROM_FILE, MODEL_FILE
from retro_ml.run_contract.events import ImportProgressEvent
from retro_ml.services.events import EXPERIMENT_STATUS, IMPORT_PROGRESS, EventBus
from retro_ml.services.experiments.config_fields import ALGORITHMS
from retro_ml.services.experiments.presets import PresetCatalog
from retro_ml.services.games import find_game
from retro_ml.services.importing.discovery import ImportCandidate, ScanReport, scan_for_models
from retro_ml.store.atomic_storage import atomic_write_text
from retro_ml.store.entities import Experiment, Lineage, new_experiment_id
from retro_ml.store.experiment_store import ExperimentStore
from retro_ml.store.run_folders import RunFolders


@dataclass(frozen=True)
class ImportOutcome:
    imported: list[Experiment]
    skipped: list[dict[str, str]]
    scan: ScanReport


class RunImporter:
    def __init__(self, store: ExperimentStore, runs: RunFolders, presets: PresetCatalog, bus: EventBus) -> None:
        self._store = store
        self._runs = runs
        self._presets = presets
        self._bus = bus

    def import_folder(self, payload: Any) -> ImportOutcome:
        """422 `nothing_to_import` when the folder holds no model at all (what was looked for, and how far)."""
        if not isinstance(payload, dict) or not isinstance(payload.get("folder"), str) or not payload["folder"]:
            raise InvalidInput('Say which folder to import: {"folder": "/path/to/runs"}.', field="folder")
        game_override = find_game(payload["game"]).id if payload.get("game") else None
        known = {e.lineage.checkpoint_source for e in self._store.list()}
        folder = payload["folder"]

        def progress(folders: int, files: int, found: int, done: bool) -> None:
            event = ImportProgressEvent(folder=folder, folders=folders, files=files, found=found, done=done)
            self._bus.publish(IMPORT_PROGRESS, dict(event))

        discovery = scan_for_models(Path(folder), on_progress=progress)
        if not discovery.candidates:
            message = discovery.scan.nothing_found_message(folder)
            raise AppError("nothing_to_import", message, status=422, field="folder")
        imported, skipped = [], []
        for candidate in discovery.candidates:
            reason = self._skip_reason(candidate, game_override, known)
            if reason:
                skipped.append({"path": str(candidate.path), "reason": reason})
                continue
            imported.append(self._import(candidate, game_override or str(candidate.game_id)))
        return ImportOutcome(imported, skipped, discovery.scan)

    @staticmethod
    def _skip_reason(candidate: ImportCandidate, game_override: str | None, known: set[str | None]) -> str:
        if str(candidate.path) in known:
            return "already imported"
        if candidate.algorithm not in ALGORITHMS:
            return f"only PPO and DQN models can be imported (this one is {candidate.algorithm or 'unknown'})"
        if not (game_override or candidate.game_id):
            return "could not tell which game it plays: import it again with a game chosen"
        return ""

    def _import(self, candidate: ImportCandidate, game_id: str) -> Experiment:
        game = find_game(game_id)
        algorithm = str(candidate.algorithm)
        config = self._presets.resolve("quick", algorithm)
        steps = int(candidate.num_timesteps or 0)
        config["total_timesteps"] = steps
        experiment = Experiment(
            id=new_experiment_id(),
            name=f"{game.name} (imported)",
            game=game.id,
            env_id=game.env_id,
            algorithm=algorithm,
            preset="quick",
            config=config,
            run_dir="",
        )
        run_dir = self._runs.path_for(experiment.id)
        experiment.run_dir = str(run_dir)
        run_dir.mkdir(parents=True, exist_ok=True)
        model = run_dir / MODEL_FILE
        partial = run_dir / f"{MODEL_FILE}.part"
        shutil.copyfile(candidate.path, partial)
        partial.replace(model)  # nothing half-copied under the final name
        atomic_write_text(run_dir / IMPORTED_FROM_FILE, str(candidate.path))
        experiment.lineage = Lineage(checkpoint_source=str(candidate.path))
        experiment.metadata.tags = ["imported", candidate.source]
        experiment.metadata.status = "completed"
        experiment.metadata.status_message = f"Imported from {candidate.path}"
        experiment.progress.timestep = experiment.progress.total_timesteps = steps
        experiment.progress.progress_pct = 100.0
        experiment.artifacts.models = [{"kind": "final", "path": str(model), "size_bytes": model.stat().st_size}]
        self._store.create(experiment)
        self._bus.publish(
            EXPERIMENT_STATUS,
            {
                "experiment_id": experiment.id,
                "status": "completed",
                "message": experiment.metadata.status_message,
            },
        )
        return experiment
