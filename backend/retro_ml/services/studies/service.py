"""The study service: create, list, describe, stop, resume and promote studies; one runner each.

A study's trials live in its Optuna storage (storage.py); its app-side record (name, game,
search space, storage URL, status) in the `studies` table. Running studies get a runner thread
(runner.py) when the app starts (`start`, after crash recovery), when created and when resumed.
"""

from __future__ import annotations

import builtins
import hashlib
import logging
import math
import secrets
import socket
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from retro_ml.errors import AppError, Conflict, InvalidInput, reject_unknown_fields
from retro_ml.run_contract import STUDY_TRIAL, STUDY_TRIAL_EVALUATION, STUDY_UPDATED, StudyTrialEvent, StudyUpdatedEvent
from retro_ml.services.events import EventBus, EventData
from retro_ml.services.experiments import ExperimentManager
from retro_ml.services.experiments.config_fields import FIELDS, check_value
from retro_ml.services.settings import SettingsService
from retro_ml.services.studies.describe import (
    CONFIG_ATTR,
    STUDY_ATTR,
    best_so_far,
    importance,
    study_summary,
    trial_dict,
)
from retro_ml.services.studies.joining import parse_join, record_from_definition, study_definition
from retro_ml.services.studies.requests import DQN_TRIAL_DEFAULTS, TRIAL_DEFAULTS, NewStudy, parse_new_study
from retro_ml.services.studies.runner import PROMOTED_TAG, Machine, StudyRunner
from retro_ml.services.studies.search_space import SAFE_BOUNDS, default_space, fit_to_trials
from retro_ml.services.studies.storage import StorageCache, default_storage_url, redact_url
from retro_ml.store.entities import Experiment, Lineage
from retro_ml.store.study_store import StudyRecord, StudyStore

log = logging.getLogger(__name__)

TRIAL_EVAL_KEYS = ("trial_eval_every_pct", "trial_eval_episodes", "trial_eval_max_seconds")


class StudyService:
    def __init__(
        self,
        store: StudyStore,
        experiments: ExperimentManager,
        settings: SettingsService,
        bus: EventBus,
        data_dir: Path,
    ) -> None:
        self._store = store
        self._experiments = experiments
        self._settings = settings
        self._bus = bus
        self._data_dir = data_dir
        self._storages = StorageCache(lambda: str(settings.get("study_storage_url") or ""))
        self.machine = this_machine(data_dir)
        self._lock = threading.RLock()
        self._runners: dict[str, StudyRunner] = {}
        self._importance_cache: dict[str, tuple[int, dict[str, float] | None, str]] = {}
        bus.subscribe(STUDY_TRIAL_EVALUATION, self._on_evaluation)

    # ---- lifecycle -----------------------------------------------------------------
    def start(self) -> None:
        """Runners for the studies that were running when the app last closed."""
        for record in self._store.list():
            if record.status == "running":
                try:
                    self._start_runner(record)
                except AppError as error:  # its storage is gone (a server down): say so, keep the app up
                    self._set_status(record.id, "stopped", error.message)

    def shutdown(self) -> None:
        """End the runner threads; their trials go on as runs and are picked up at the next start."""
        with self._lock:
            runners = list(self._runners.values())
            self._runners.clear()
        for runner in runners:
            runner.close()

    # ---- queries -------------------------------------------------------------------
    def search_spaces(self) -> dict[str, Any]:
        return {
            "search_spaces": {algorithm: default_space(algorithm) for algorithm in ("ppo", "dqn")},
            "safe_bounds": {name: {"low": low, "high": high} for name, (low, high) in SAFE_BOUNDS.items()},
        }

    def list(self) -> list[dict[str, Any]]:
        return [self._summary(record) for record in self._store.list()]

    def get(self, study_id: str) -> dict[str, Any]:
        record = self._store.get(study_id)
        study = self._optuna_study(record)
        trials = study.get_trials(deepcopy=False)
        detail = self._summary(record, trials)
        promoted = self._promoted(record.id)
        detail["trials"] = [
            trial_dict(t, promoted.get(t.number, ()), self.machine.id) for t in sorted(trials, key=lambda t: t.number)
        ]
        detail["best_so_far"] = best_so_far(trials)
        detail["importance"], detail["importance_reason"] = self._importance(record, study, trials)
        return detail

    # ---- commands ------------------------------------------------------------------
    def create(self, payload: Any) -> dict[str, Any]:
        request = parse_new_study(payload)
        name = request.name or self._default_name(request)
        if any(existing.name == name for existing in self._store.list()):
            raise Conflict(f"A study named '{name}' exists already: pick another name.")
        config = self._trial_config(request)
        space = fit_to_trials(
            request.space, request.algorithm, request.timesteps_per_trial, int(config.get("n_envs") or 1),
            request.space_given,
        )  # fmt: skip
        record = StudyRecord(
            id=secrets.token_hex(6),
            name=name,
            game=request.game.id,
            algorithm=request.algorithm,
            n_trials=request.n_trials,
            timesteps_per_trial=request.timesteps_per_trial,
            sampler=request.sampler,
            pruner=request.pruner,
            params={param.name: param.to_dict() for param in space},
            config=config,
            storage_url="",
        )
        url = request.storage_url or str(self._settings.get("study_storage_url") or "")
        url = url or default_storage_url(self._data_dir)
        record.storage_url = self._storages.remember(url)  # the record keeps no password (storage.py)
        import optuna

        storage = self._storages.get(url)  # 422 when it cannot be opened: nothing is created
        try:
            study = optuna.create_study(storage=storage, study_name=record.name, direction="maximize")
        except optuna.exceptions.DuplicatedStudyError:
            raise Conflict(f"The storage {record.storage_url} has a study '{name}' already.") from None
        study.set_user_attr(STUDY_ATTR, study_definition(record))  # for machines that join it
        for params in request.enqueue:
            study.enqueue_trial(params)
        self._store.create(record)
        log.info("study %s (%s) created in %s", record.id, record.name, redact_url(record.storage_url))
        self._start_runner(record)
        summary = self._summary(record)
        self._bus.publish(STUDY_UPDATED, StudyUpdatedEvent(study=summary))
        return summary

    def join(self, payload: Any) -> dict[str, Any]:
        """Run trials of a study another app created in a shared storage: `{study, storage}` → its summary.

        The study's definition comes from its Optuna user attr (`create` puts it there); this app
        keeps a record with the same id (lineage and links agree across machines) and runs trials
        on its own queue. A stopped record of it here is resumed."""
        name, url = parse_join(payload, str(self._settings.get("study_storage_url") or ""))
        storage = self._storages.get(url)  # 422 when it cannot be opened
        try:
            optuna_id = storage.get_study_id_from_name(name)
        except KeyError:
            raise AppError(
                "not_found", f"The storage {redact_url(url)} has no study '{name}'.", status=404, field="study"
            ) from None
        record = record_from_definition(storage.get_study_user_attrs(optuna_id).get(STUDY_ATTR), name)
        record.storage_url = self._storages.remember(url)
        existing = next((r for r in self._store.list() if r.id == record.id or r.name == name), None)
        if existing is not None:
            if existing.id == record.id and existing.status == "stopped":
                return self.resume(existing.id)
            raise Conflict(f"This app has the study '{existing.name}' already ({existing.status}).")
        self._store.create(record)
        log.info("study %s (%s) joined in %s as %s", record.id, name, record.storage_url, self.machine.name)
        self._start_runner(record)
        summary = self._summary(record)
        self._bus.publish(STUDY_UPDATED, StudyUpdatedEvent(study=summary))
        return summary

    def stop(self, study_id: str) -> dict[str, Any]:
        """No new trials; the trials in flight run to their end and are told as usual."""
        record = self._store.get(study_id)
        if record.status != "running":
            raise Conflict(f"Study '{record.name}' is {record.status}, not running.")
        runner = self._runner(study_id)
        if runner is not None:
            runner.accept_new_trials(False)
        running = runner.running_trials() if runner is not None else 0
        message = f"Stopped: no new trials; {running} running trial(s) finish." if running else "Stopped."
        return self._set_status(study_id, "stopped", message)

    def resume(self, study_id: str) -> dict[str, Any]:
        record = self._store.get(study_id)
        if record.status != "stopped":
            raise Conflict(f"Study '{record.name}' is {record.status}: only a stopped study resumes.")
        summary = self._set_status(study_id, "running", "Resumed.")
        record = self._store.get(study_id)
        runner = self._runner(study_id)
        if runner is not None and runner.alive:
            runner.record = record
            runner.accept_new_trials(True)
        else:
            self._start_runner(record)
        return summary

    def promote(self, study_id: str, payload: Any) -> Experiment:
        """A full run with one trial's searched values: `{trial_number, total_timesteps}`."""
        record = self._store.get(study_id)
        if not isinstance(payload, dict):
            raise InvalidInput('Send {"trial_number": N, "total_timesteps": N}.')
        reject_unknown_fields(payload, {"trial_number", "total_timesteps", "name"})
        number = payload.get("trial_number")
        if isinstance(number, bool) or not isinstance(number, int) or number < 0:
            raise InvalidInput("'trial_number' must be a trial's number (0, 1, ...).", field="trial_number")
        if payload.get("total_timesteps") is None:
            raise InvalidInput("Say how many steps the full run trains: total_timesteps.", field="total_timesteps")
        try:
            steps = check_value("total_timesteps", payload["total_timesteps"], record.algorithm)
        except InvalidInput as error:
            raise InvalidInput(error.message, field="total_timesteps") from None
        study = self._optuna_study(record)
        trial = next((t for t in study.get_trials(deepcopy=False) if t.number == number), None)
        if trial is None:
            raise AppError("not_found", f"Study '{record.name}' has no trial {number}.", status=404)
        searched = trial.user_attrs.get(CONFIG_ATTR) or dict(trial.params)
        if not searched:
            raise Conflict(f"Trial {number} has no parameters yet (it is {trial.state.name.lower()}).")
        # The trial's values were fitted to the study's number of games (batch_size ≤ one rollout): keep it
        overrides = {**searched, "n_envs": record.config["n_envs"], "total_timesteps": steps}
        experiment = self._experiments.create(
            {
                "game": record.game,
                "algorithm": record.algorithm,
                "preset": "quick",
                "name": payload.get("name") or f"{record.name} · trial {number} (promoted)"[:100],
                "tags": ["study", PROMOTED_TAG],
                "config": overrides,
            },
            lineage=Lineage(study_id=record.id, trial_number=number),
        )
        self._publish_trial(record, number)
        return experiment

    def _promoted(self, study_id: str) -> dict[int, builtins.list[str]]:
        """The full runs promoted from each trial (their lineage and tag say so), oldest first."""
        promoted: dict[int, builtins.list[str]] = {}
        for experiment in reversed(self._experiments.list()):
            lineage = experiment.lineage
            if lineage.study_id == study_id and lineage.trial_number is not None:
                if PROMOTED_TAG in experiment.metadata.tags:
                    promoted.setdefault(lineage.trial_number, []).append(experiment.id)
        return promoted

    # ---- helpers -------------------------------------------------------------------
    def _trial_config(self, request: NewStudy) -> dict[str, Any]:
        """The whole run config every trial starts from (400 naming `config.<name>` for a bad value)."""
        overrides = {**TRIAL_DEFAULTS, **(DQN_TRIAL_DEFAULTS if request.algorithm == "dqn" else {})}
        overrides = {k: v for k, v in overrides.items() if request.algorithm in FIELDS[k].algorithms}
        overrides.update(request.config)
        overrides["total_timesteps"] = request.timesteps_per_trial
        if not overrides.get("trial_eval_every_pct"):
            raise InvalidInput(
                "A study's trials must be evaluated: trial_eval_every_pct above 0.", field="config.trial_eval_every_pct"
            )
        return self._experiments.resolve_config(request.algorithm, overrides)

    def _default_name(self, request: NewStudy) -> str:
        count = sum(1 for s in self._store.list() if s.game == request.game.id) + 1
        return f"{request.game.name} {request.algorithm.upper()} study #{count}"

    def _optuna_study(self, record: StudyRecord) -> Any:
        import optuna

        storage = self._storages.get(record.storage_url)
        try:
            return optuna.load_study(
                study_name=record.name, storage=storage, sampler=self._sampler(record), pruner=self._pruner(record)
            )
        except KeyError:
            raise AppError(
                "storage_unavailable",
                f"The storage {redact_url(record.storage_url)} has no study '{record.name}' (any more).",
                status=422,
            ) from None

    def _sampler(self, record: StudyRecord) -> Any:
        import optuna

        if record.sampler == "random":
            return optuna.samplers.RandomSampler()
        startup = min(10, max(2, record.n_trials // 4))  # RL Zoo: 10 random trials first; fewer in small studies
        return optuna.samplers.TPESampler(n_startup_trials=startup, constant_liar=True)

    def _pruner(self, record: StudyRecord) -> Any:
        import optuna

        if record.pruner == "none":
            return optuna.pruners.NopPruner()
        evaluations = math.ceil(100.0 / float(record.config["trial_eval_every_pct"]) - 1e-9)
        return optuna.pruners.MedianPruner(
            n_startup_trials=min(5, max(1, record.n_trials // 4)),  # trials that complete before any is pruned
            n_warmup_steps=max(1, evaluations // 3),  # RL Zoo: no pruning in the first third (steps count from 1)
        )

    def _start_runner(self, record: StudyRecord) -> None:
        study = self._optuna_study(record)
        storage = self._storages.get(record.storage_url)
        runner = StudyRunner(
            record,
            study,
            storage,
            self.machine,
            self._experiments,
            self._settings,
            on_trial=self._publish_trial,
            on_done=self._runner_done,
        )
        with self._lock:
            self._runners[record.id] = runner
        runner.start()

    def _runner(self, study_id: str) -> StudyRunner | None:
        with self._lock:
            return self._runners.get(study_id)

    def _runner_done(self, record: StudyRecord, status: str, message: str) -> None:
        current = self._store.get(record.id)
        if current.status == "running" or status == "completed":
            self._set_status(record.id, status, message)

    def _set_status(self, study_id: str, status: str, message: str) -> dict[str, Any]:
        def change(record: StudyRecord) -> None:
            record.status = status
            record.message = message

        record = self._store.update(study_id, change)
        summary = self._summary(record)
        self._bus.publish(STUDY_UPDATED, StudyUpdatedEvent(study=summary))
        return summary

    def _summary(self, record: StudyRecord, trials: Sequence[Any] | None = None) -> dict[str, Any]:
        if trials is None:
            try:
                trials = self._optuna_study(record).get_trials(deepcopy=False)
            except AppError as error:  # its storage cannot be reached: the record still lists
                summary = study_summary(record, [])
                summary["message"] = error.message
                return summary
        summary = study_summary(record, trials, self.machine.id)
        runner = self._runner(record.id)
        summary["running_trials"] = runner.running_trials() if runner is not None else 0
        return summary

    def _importance(
        self, record: StudyRecord, study: Any, trials: Sequence[Any]
    ) -> tuple[dict[str, float] | None, str]:
        complete = sum(1 for t in trials if t.state.name == "COMPLETE")
        cached = self._importance_cache.get(record.id)
        if cached is not None and cached[0] == complete:
            return cached[1], cached[2]
        values, reason = importance(study, trials)
        self._importance_cache[record.id] = (complete, values, reason)
        return values, reason

    def _publish_trial(self, record: StudyRecord, number: int) -> None:
        try:
            study = self._optuna_study(record)
            trial = next(t for t in study.get_trials(deepcopy=False) if t.number == number)
        except (AppError, StopIteration):
            return
        trial_data = trial_dict(trial, self._promoted(record.id).get(number, ()), self.machine.id)
        self._bus.publish(STUDY_TRIAL, StudyTrialEvent(study_id=record.id, trial=trial_data))
        if trial.state.is_finished():
            self._bus.publish(STUDY_UPDATED, StudyUpdatedEvent(study=self._summary(self._store.get(record.id))))

    def _on_evaluation(self, _event: str, data: EventData) -> None:
        experiment_id = data.get("experiment_id")
        with self._lock:
            runners = list(self._runners.values())
        for runner in runners:
            if runner.follows(str(experiment_id)):
                runner.on_evaluation(str(experiment_id), int(data.get("index") or 0), float(data["mean_score"]))
                return


def this_machine(data_dir: Path) -> Machine:
    """This app among the machines of a shared study: its host and data dir (two apps on one host differ)."""
    host = socket.gethostname() or "localhost"
    digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:10]
    return Machine(id=f"{host}/{digest}", name=host)
