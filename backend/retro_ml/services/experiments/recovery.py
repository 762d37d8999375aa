"""After a restart no experiment stays `running` forever.

For every run the database still calls active:
- its worker is alive → reattach (its progress flows again);
- its worker ended while the app was closed → apply its final report (completed, stopped, failed);
- it never got a worker (queued) → it stays queued and the scheduler starts it;
- otherwise → `interrupted`, resumable from its last checkpoint via "continue".
"""

from __future__ import annotations

from pathlib import Path

from retro_ml.run_contract import EVENTS_FILE, STOP_FILE
from retro_ml.services.events import EXPERIMENT_STATUS, EventBus
from retro_ml.services.experiments.manager import ExperimentManager
from retro_ml.services.workers import ProcessManager
from retro_ml.store.entities import ACTIVE_STATUSES
from retro_ml.store.experiment_store import ExperimentStore
from retro_ml.store.run_folders import RunFolders, remove_partial_files

INTERRUPTED_MESSAGE = "Retro ML Trainer closed while this run was training. Continue it from its last checkpoint."


def recover_after_restart(
    store: ExperimentStore,
    runs: RunFolders,
    processes: ProcessManager,
    manager: ExperimentManager,
    bus: EventBus,
) -> dict[str, list[str]]:
    outcome: dict[str, list[str]] = {"reattached": [], "finished": [], "interrupted": [], "queued": []}
    for experiment in store.list():
        if experiment.status not in ACTIVE_STATUSES:
            continue
        run_dir = Path(experiment.run_dir)
        if processes.attach(experiment.id, run_dir):
            manager.adopt(experiment.id)
            outcome["reattached"].append(experiment.id)
        elif experiment.status == "queued" and not (run_dir / EVENTS_FILE).exists():
            outcome["queued"].append(experiment.id)
        elif processes.replay_final_reports(experiment.id, run_dir):
            outcome["finished"].append(experiment.id)
        else:
            if run_dir.is_dir():
                (run_dir / STOP_FILE).touch()  # should a worker be alive after all, it saves and quits
                remove_partial_files(run_dir)
            bus.publish(
                EXPERIMENT_STATUS,
                {"experiment_id": experiment.id, "status": "interrupted", "message": INTERRUPTED_MESSAGE},
            )
            outcome["interrupted"].append(experiment.id)
    runs.empty_trash()
    manager.schedule()
    return outcome
