"""The experiment manager: creates runs, schedules their workers, and controls them.

New runs wait `queued` until a slot is free (`max_concurrent_runs`) and their disk has room
(disk_guard.py, which also pauses runs before a disk fills up). Status changes go out on the
bus as `experiment.status`; the recorder (subscribed first) stores them, or holds them while
the disk is full (reads see them all the same).
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from retro_ml.errors import AppError, Conflict, InvalidInput, NotFound
from retro_ml.run_contract import CHECKPOINTS_DIR, MODEL_FILE, checkpoint_files, disk_full_message, is_disk_full
from retro_ml.run_contract.disk import disk_full_reason
from retro_ml.services.events import EXPERIMENT_STATUS, EventBus
from retro_ml.services.experiments.config_fields import check_consistency, check_value
from retro_ml.services.experiments.disk_estimate import disk_warning
from retro_ml.services.experiments.disk_guard import DiskGuard
from retro_ml.services.experiments.presets import PresetCatalog
from retro_ml.services.experiments.recorder import ExperimentRecorder
from retro_ml.services.experiments.requests import (
    kept_replay_memory,
    parse_name,
    parse_new_experiment,
    parse_tags,
    resource_defaults,
)
from retro_ml.services.experiments.sizing import Hardware, this_machine
from retro_ml.services.settings import SettingsService
from retro_ml.services.workers import ProcessManager
from retro_ml.store.entities import ACTIVE_STATUSES, Experiment, Lineage, VideoArtifact, new_experiment_id
from retro_ml.store.experiment_store import ExperimentFilter, ExperimentStore
from retro_ml.store.run_folders import RunFolders

CONTINUABLE = frozenset({"completed", "stopped", "interrupted", "failed", "pruned"})
RETRYABLE = frozenset({"failed", "interrupted"})
WatchedFolders = tuple[list[Path], dict[str, Path]]  # the disk guard's: folders, running runs' folders


class ExperimentManager:
    def __init__(
        self,
        store: ExperimentStore,
        run_folders: RunFolders,
        processes: ProcessManager,
        bus: EventBus,
        presets: PresetCatalog,
        settings: SettingsService,
        hardware: Hardware | None = None,
    ) -> None:
        self._store = store
        self._hardware = hardware  # sizes new runs; None: this machine's, found on first use
        self._runs = run_folders
        self._processes = processes
        self._bus = bus
        self._presets = presets
        self._settings = settings
        self._recorder = ExperimentRecorder(store, bus)  # first subscriber: stores before others hear
        self._schedule_lock = threading.RLock()
        self._launched: set[str] = set()  # have (or had, until their final status) a worker
        self._paused_at: dict[str, float] = {}
        self._speed_listeners: list[Callable[[str, float, int], object]] = []
        self._deleted_listeners: list[Callable[[str], object]] = []
        self._recorder.on_finished(self._on_finished)
        self._disk_guard = DiskGuard(bus, settings, self._disk_watched, self._pause_for_space, self.schedule)
        settings.on_change(self._on_settings_changed)

    # ---- queries -------------------------------------------------------------------
    def get(self, experiment_id: str) -> Experiment:
        return self._recorder.with_live_progress(self._store.get(experiment_id))

    def list(self, filters: ExperimentFilter | None = None) -> list[Experiment]:
        return [self._recorder.with_live_progress(e) for e in self._store.list(filters)]

    @property
    def disk_guard(self) -> DiskGuard:
        """Free space of the runs' disks: warnings, pauses, queued runs held (disk_guard.py)."""
        return self._disk_guard

    def disk_warning(self, experiment: Experiment, videos: Iterable[VideoArtifact] = ()) -> str | None:
        """What to tell whoever just created `experiment` when its files may not fit (else None);
        `videos`: the finished ones, whose sizes say how much an hour of video takes here."""
        return disk_warning(experiment, self._store.list(), videos)

    @property
    def hardware(self) -> Hardware:
        """What new runs are sized for (`sizing.py`): this machine unless given."""
        if self._hardware is None:
            self._hardware = this_machine()
        return self._hardware

    def runs_dir(self) -> Path:
        """Where new runs go: Settings' runs folder when set, else the data folder's runs/.

        Changing it moves nothing: existing runs stay where they are (their record says where).
        """
        custom = self._settings.get("runs_dir")
        return Path(custom) if custom else self._runs.root

    # ---- creating ------------------------------------------------------------------
    def create(self, payload: Any, lineage: Lineage | None = None) -> Experiment:
        """Validate, record and queue a new experiment; it starts as soon as a slot is free.

        `lineage`: a study's trial says which (services/studies); other runs start with none."""
        defaults = resource_defaults(self._settings.all())
        request = parse_new_experiment(payload, self._presets, defaults, self.hardware)
        experiment = Experiment(
            id=new_experiment_id(),
            name=request.name or self._default_name(request.game.id, request.game.name),
            game=request.game.id,
            env_id=request.game.env_id,
            algorithm=request.algorithm,
            preset=request.preset,
            config=request.config,
            run_dir="",
        )
        experiment.metadata.tags = request.tags
        if lineage is not None:
            experiment.lineage = lineage
        return self._record_and_queue(experiment)

    def resolve_config(self, algorithm: str, overrides: dict[str, Any]) -> dict[str, Any]:
        """The whole config a new run of `algorithm` with these `config` overrides would get (as `create`)."""
        defaults = resource_defaults(self._settings.all())
        return self._presets.resolve("quick", algorithm, overrides, defaults, self.hardware)

    def continue_training(self, experiment_id: str, payload: Any) -> Experiment:
        """A child run that loads the parent's model and trains `additional_timesteps` more."""
        parent = self.get(experiment_id)
        if parent.status not in CONTINUABLE:
            raise Conflict(f"'{parent.name}' is {parent.status}: continue it once it has finished or stopped.")
        source, start = self._resume_point(parent)
        additional = payload.get("additional_timesteps") if isinstance(payload, dict) else None
        if additional is None:
            raise InvalidInput("Say how many more steps to train: additional_timesteps.", field="additional_timesteps")
        try:
            steps = check_value("total_timesteps", additional, parent.algorithm)
            config = {**parent.config, "total_timesteps": steps}
            check_consistency(config, parent.algorithm)
        except InvalidInput as error:  # said of the field the client sent
            message = error.message.replace("'total_timesteps'", "'additional_timesteps'")
            raise InvalidInput(message, field="additional_timesteps") from None
        memory = kept_replay_memory(parent, source, payload)
        child = self._child_of(parent, f"{parent.name} (continued)", config)
        child.lineage = Lineage(parent.id, str(source), start_timestep=start, replay_buffer_source=memory)
        child.progress.timestep = start
        return self._record_and_queue(child, parent)

    def retry(self, experiment_id: str) -> Experiment:
        """The same run again (same config, same starting point), linked to the failed one."""
        parent = self.get(experiment_id)
        if parent.status not in RETRYABLE:
            raise Conflict(f"Only failed or interrupted runs can be retried; '{parent.name}' is {parent.status}.")
        child = self._child_of(parent, f"{parent.name} (retry)", dict(parent.config))
        child.lineage = Lineage(
            parent.id,
            parent.lineage.checkpoint_source,
            start_timestep=parent.lineage.start_timestep,
            replay_buffer_source=parent.lineage.replay_buffer_source,
        )
        child.progress.timestep = parent.lineage.start_timestep
        return self._record_and_queue(child, parent)

    # ---- control -------------------------------------------------------------------
    def stop(self, experiment_id: str) -> Experiment:
        experiment = self.get(experiment_id)
        if experiment.status not in ACTIVE_STATUSES:
            raise Conflict(f"'{experiment.name}' is not running (it is {experiment.status}).")
        if self._processes.request_stop(experiment_id):
            self._paused_at.pop(experiment_id, None)
            self._recorder.update(experiment_id, lambda e: setattr(e.metadata, "status_message", "Stopping…"))
            return self.get(experiment_id)
        self._publish_status(experiment_id, "stopped", "Stopped before training began")
        return self.get(experiment_id)

    def pause(self, experiment_id: str, message: str = "Paused: resume to continue where it left off") -> Experiment:
        experiment = self.get(experiment_id)
        if experiment.status != "running" or not self._processes.suspend(experiment_id):
            raise Conflict(f"'{experiment.name}' is {experiment.status}: only a running training can be paused.")
        self._paused_at[experiment_id] = time.monotonic()
        self._publish_status(experiment_id, "paused", message)
        return self.get(experiment_id)

    def resume(self, experiment_id: str) -> Experiment:
        experiment = self.get(experiment_id)
        if experiment.status != "paused":
            raise Conflict(f"'{experiment.name}' is {experiment.status}, not paused.")
        paused_since = self._paused_at.pop(experiment_id, time.monotonic())
        total = experiment.metadata.paused_seconds + (time.monotonic() - paused_since)
        if not self._processes.resume(experiment_id, total):
            raise Conflict(f"'{experiment.name}' has no training process to resume.")
        self._publish_status(experiment_id, "running", "Training resumed", paused_seconds=round(total, 3))
        return self.get(experiment_id)

    # ---- editing -------------------------------------------------------------------
    def update(self, experiment_id: str, payload: Any) -> Experiment:
        if not isinstance(payload, dict) or not payload:
            raise InvalidInput('Send what to change, e.g. {"name": "My best run"}.')
        unknown = sorted(set(payload) - {"name", "tags"})
        if unknown:
            raise InvalidInput(f"'{unknown[0]}' cannot be changed here (only name and tags).", field=unknown[0])
        name = parse_name(payload["name"]) if "name" in payload else None
        if "name" in payload and name is None:
            raise InvalidInput("The name cannot be empty.", field="name")
        tags = parse_tags(payload["tags"]) if "tags" in payload else None

        def change(experiment: Experiment) -> None:
            if name is not None:
                experiment.name = name
            if tags is not None:
                experiment.metadata.tags = tags

        self._store.update(experiment_id, change)
        return self.get(experiment_id)

    def delete(self, experiment_id: str) -> None:
        """Delete the record and its run folder (model, logs, checkpoints).

        On a full disk the folder's files go first: that frees the room the database needs.
        """
        experiment = self.get(experiment_id)
        if experiment.status in ACTIVE_STATUSES:
            raise Conflict(f"'{experiment.name}' is {experiment.status}: stop it before deleting it.")
        folder = Path(experiment.run_dir) if experiment.run_dir else None
        trash = self._runs.move_to_trash(experiment_id, folder)  # one rename: never half a folder under its name
        try:
            self._store.delete(experiment_id)
        except OSError as error:
            if trash is None or not is_disk_full(error):
                raise AppError("disk_full", self._not_deleted(experiment, error), status=507) from None
            shutil.rmtree(trash, ignore_errors=True)
            trash = None
            try:
                self._store.delete(experiment_id)
            except OSError as again:
                raise AppError("disk_full", self._not_deleted(experiment, again), status=507) from None
        self._recorder.forget(experiment_id)
        parent_id = experiment.lineage.parent_experiment_id
        if parent_id:

            def forget_child(parent: Experiment) -> None:
                parent.lineage.children = [c for c in parent.lineage.children if c != experiment_id]

            self._update_if_exists(parent_id, forget_child)
        for listener in list(self._deleted_listeners):
            listener(experiment_id)
        if trash is not None:
            shutil.rmtree(trash, ignore_errors=True)

    def _not_deleted(self, experiment: Experiment, error: OSError) -> str:
        where = Path(experiment.run_dir).parent if experiment.run_dir else self._runs.root
        reason = disk_full_reason(where) if is_disk_full(error) else str(error.strerror or error)
        return (
            f"'{experiment.name}' could not be removed from the database ({reason}): free space, then delete it again."
        )

    def on_deleted(self, listener: Callable[[str], object]) -> None:
        """`listener(experiment_id)` after an experiment and its folder were deleted."""
        self._deleted_listeners.append(listener)

    # ---- scheduling ----------------------------------------------------------------
    def schedule(self) -> tuple[str, ...]:
        """Start queued runs, oldest first, while slots are free. Returns the ids started."""
        started: tuple[str, ...] = ()
        self._disk_guard.start()  # from the first run on: warnings, pauses, and the queue waiting for room
        with self._schedule_lock:
            free = self._settings.get("max_concurrent_runs") - len(self._launched)
            if free <= 0:
                return started
            queued = self.list(ExperimentFilter(status="queued"))  # as stored; pending changes applied
            waiting = [e for e in queued if e.status == "queued" and e.id not in self._launched]
            for experiment in sorted(waiting, key=lambda e: e.metadata.created)[:free]:
                no_room = self._disk_guard.room_to_start(Path(experiment.run_dir))
                if no_room is not None:  # the guard calls schedule() again once there is room
                    if experiment.metadata.status_message != no_room:
                        self._publish_status(experiment.id, "queued", no_room)
                    continue
                self._launched.add(experiment.id)
                self._publish_status(experiment.id, "queued", "Starting…")  # no longer waiting for a slot
                try:
                    self._processes.start(experiment.id, Path(experiment.run_dir))
                except OSError as error:  # its folder cannot take the worker's first files
                    message = disk_full_message(Path(experiment.run_dir)) if is_disk_full(error) else str(error)
                    self._publish_status(experiment.id, "failed", message)
                    continue
                started += (experiment.id,)
        return started

    def adopt(self, experiment_id: str) -> None:
        """A worker found alive after a restart counts against the concurrency limit."""
        with self._schedule_lock:
            self._launched.add(experiment_id)
            if self._processes.is_suspended(experiment_id):
                self._paused_at[experiment_id] = time.monotonic()

    # ---- helpers -------------------------------------------------------------------
    def _record_and_queue(self, experiment: Experiment, parent: Experiment | None = None) -> Experiment:
        run_dir = self._runs.path_for(experiment.id, self.runs_dir())
        experiment.run_dir = str(run_dir)
        experiment.progress.total_timesteps = experiment.lineage.start_timestep + experiment.config["total_timesteps"]
        running = len(self._launched)
        experiment.metadata.status_message = (
            "Starting…"
            if running < self._settings.get("max_concurrent_runs")
            else f"Waiting for a free slot ({running} running)"
        )
        try:
            self._runs.create(experiment.id, self.worker_config(experiment), run_dir)
            self._store.create(experiment)
        except OSError as error:  # a full disk: nothing of the run is kept
            shutil.rmtree(run_dir, ignore_errors=True)
            if not is_disk_full(error):
                raise
            reason = disk_full_reason(run_dir.parent)
            raise AppError("disk_full", f"No room for a new run ({reason}): free space, then try again.", 507) from None
        if parent is not None:
            self._update_if_exists(parent.id, lambda p: p.lineage.children.append(experiment.id))
        if experiment.id not in self.schedule():  # a started run already said "queued: Starting…"
            self._publish_status(experiment.id, "queued", experiment.metadata.status_message)
        return self.get(experiment.id)

    def _child_of(self, parent: Experiment, name: str, config: dict[str, Any]) -> Experiment:
        child = Experiment(
            id=new_experiment_id(),
            name=name[:100],
            game=parent.game,
            env_id=parent.env_id,
            algorithm=parent.algorithm,
            preset=parent.preset,
            config=config,
            run_dir="",
        )
        child.metadata.tags = list(parent.metadata.tags)
        return child

    def _resume_point(self, parent: Experiment) -> tuple[Path, int]:
        """The parent's final model, else its newest checkpoint, with the step it reached."""
        run_dir = Path(parent.run_dir)
        if (run_dir / MODEL_FILE).is_file():
            return run_dir / MODEL_FILE, parent.progress.timestep
        checkpoints = checkpoint_files(run_dir / CHECKPOINTS_DIR)
        if not checkpoints:
            raise Conflict(f"'{parent.name}' has no saved model or checkpoint to continue from.")
        step, path = checkpoints[-1]
        return path, step

    def _disk_watched(self) -> WatchedFolders:
        """For the disk guard: the folders new runs and the database use, and the running runs'."""
        with self._schedule_lock:
            launched = list(self._launched)
        running: dict[str, Path] = {}
        for experiment_id in launched:
            try:
                experiment = self.get(experiment_id)
            except NotFound:
                continue
            if experiment.status == "running" and experiment.run_dir:
                running[experiment_id] = Path(experiment.run_dir)
        return [self._runs.root, self.runs_dir()], running

    def _pause_for_space(self, experiment_id: str, message: str) -> bool:
        try:
            self.pause(experiment_id, message)
        except (Conflict, NotFound):  # it finished or was paused meanwhile
            return False
        return True

    def _on_settings_changed(self, _values: dict[str, Any]) -> None:
        self.schedule()  # a higher limit may free slots for queued runs

    def on_run_measured(self, listener: Callable[[str, float, int], object]) -> None:
        """`listener(algorithm, steps_per_second, steps)` for each run that trained alone to its end."""
        self._speed_listeners.append(listener)

    def _on_finished(self, experiment_id: str) -> None:
        with self._schedule_lock:
            self._launched.discard(experiment_id)
            self._paused_at.pop(experiment_id, None)
            ran_alone = not self._launched
        if ran_alone:
            self._report_speed(self.get(experiment_id))
        self.schedule()

    def _report_speed(self, experiment: Experiment) -> None:
        fps = (experiment.final_metrics or {}).get("fps")
        if experiment.status not in ("completed", "stopped") or not fps:
            return
        steps = experiment.progress.timestep - experiment.lineage.start_timestep
        for listener in list(self._speed_listeners):
            listener(experiment.algorithm, float(fps), steps)

    def _publish_status(self, experiment_id: str, status: str, message: str, **extra: Any) -> None:
        self._bus.publish(
            EXPERIMENT_STATUS, {"experiment_id": experiment_id, "status": status, "message": message, **extra}
        )

    def _update_if_exists(self, experiment_id: str, change: Callable[[Experiment], None]) -> None:
        try:
            self._store.update(experiment_id, change)
        except NotFound:  # the parent was deleted meanwhile: its lineage needs no update
            return

    def _default_name(self, game_id: str, game_name: str) -> str:
        return f"{game_name} #{len(self._store.list(ExperimentFilter(game=game_id))) + 1}"

    @staticmethod
    def worker_config(experiment: Experiment) -> dict[str, Any]:
        config: dict[str, Any] = {
            "experiment_id": experiment.id,
            "game": experiment.game,
            "env_id": experiment.env_id,
            "algorithm": experiment.algorithm,
            "config": experiment.config,
        }
        if experiment.lineage.checkpoint_source:
            config["resume_from"] = {
                "model_path": experiment.lineage.checkpoint_source,
                "num_timesteps": experiment.lineage.start_timestep,
            }
            if experiment.lineage.replay_buffer_source:
                config["resume_from"]["replay_buffer_path"] = experiment.lineage.replay_buffer_source
        return config
