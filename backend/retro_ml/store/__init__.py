"""Persistence: entities, the experiment store (TinyDB) and run folders."""

from retro_ml.store.entities import Experiment
from retro_ml.store.experiment_store import ExperimentFilter, ExperimentStore, TinyDBExperimentStore
from retro_ml.store.run_folders import RunFolders

__all__ = ["Experiment", "ExperimentFilter", "ExperimentStore", "RunFolders", "TinyDBExperimentStore"]
