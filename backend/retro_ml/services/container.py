"""Wires the services of one main process together (one store, one bus, one manager)."""

from __future__ import annotations

from dataclasses import dataclass

from retro_ml.config import AppPaths
from retro_ml.services.events import EventBus
from retro_ml.services.experiments import ExperimentManager
from retro_ml.services.presets import PresetCatalog, load_presets
from retro_ml.services.processes import ProcessManager
from retro_ml.store import RunFolders, TinyDBExperimentStore


@dataclass
class Services:
    paths: AppPaths
    bus: EventBus
    store: TinyDBExperimentStore
    processes: ProcessManager
    presets: PresetCatalog
    experiments: ExperimentManager

    def shutdown(self) -> None:
        """Stop workers gracefully (their models are saved) and close the store."""
        self.processes.shutdown()
        self.store.close()


def build_services(paths: AppPaths) -> Services:
    paths.ensure()
    bus = EventBus()
    store = TinyDBExperimentStore(paths.database)
    processes = ProcessManager(bus)
    presets = load_presets()
    # Subscribed first: it persists every event before anyone else hears of it.
    experiments = ExperimentManager(store, RunFolders(paths.runs), processes, bus, presets)
    experiments.reconcile_after_restart()
    return Services(paths, bus, store, processes, presets, experiments)
