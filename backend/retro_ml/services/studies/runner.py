"""A study's runner: one thread that turns Optuna trials into experiments and their results back.

It asks Optuna for a trial, creates an experiment through the normal ExperimentManager (so the
queue and `max_concurrent_runs` apply) with the sampled values on top of the study's config and
lineage `{study_id, trial_number}`, and keeps at most `max_concurrent_runs` trials in flight.
Each `trial_evaluation` of a trial's worker becomes `trial.report(mean_score, step=index)`;
when Optuna's pruner says so the runner writes PRUNE into the run folder and the worker ends
as `pruned`. When the run ends Optuna is told:
- `completed`: the value is the last evaluation's mean score (the final model's, at 100%); a run
  without evaluations gives its final metrics' mean reward; PRUNED when the prune came too late;
- `pruned`: PRUNED (Optuna keeps its last intermediate value);
- `stopped`, `failed`, `interrupted`: FAIL, with the run's message as the trial's `fail_reason`.

Nothing is kept only in memory: the trial's run is the Optuna trial's user attr `experiment_id`
(and the run's lineage), its evaluations are in its events.jsonl. So a runner started again
after the app closed (`reconcile`) follows the trials still running, catches up on evaluations
it missed, tells Optuna how the runs that ended meanwhile ended, and fails a trial whose run was
never created. Stopping a study asks for no new trials: the trials in flight run to their end
and are told as usual. Closing the app ends the thread only: its trials go on as runs do.

Several machines may run one study (a shared PostgreSQL storage, `retro-ml tune --join`): each
trial carries the user attrs `machine_id` and `machine` (the host) of the runner that asked for
it, and a runner only follows its own. Every runner beats Optuna's heartbeat for its own trials
and fails the trials of a machine gone silent for the grace period (storage.py), which Optuna
enqueues again; a trial of ours found failed that way while its run still goes on (the app was
closed for longer than the grace period) has its run stopped: the retry redoes it.
"""

from __future__ import annotations

import logging
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retro_ml.errors import AppError, NotFound
from retro_ml.run_contract import PRUNE_FILE
from retro_ml.services.experiments import ExperimentManager
from retro_ml.services.settings import SettingsService
from retro_ml.services.studies.describe import (
    CONFIG_ATTR,
    EXPERIMENT_ATTR,
    FAIL_REASON_ATTR,
    MACHINE_ATTR,
    MACHINE_ID_ATTR,
    counted_trials,
)
from retro_ml.services.studies.search_space import Param, fit_to_rollout, parse_space
from retro_ml.services.studies.trial_results import read_trial_evaluations, trial_value
from retro_ml.store.entities import ACTIVE_STATUSES, Experiment, Lineage
from retro_ml.store.study_store import StudyRecord

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
MAX_CREATE_FAILURES = 3  # in a row: the study stops, saying why
PROMOTED_TAG = "promoted"


@dataclass(frozen=True)
class Machine:
    """Who runs trials: `id` tells this data dir's app from any other (on this host or not), `name` is the host."""

    id: str
    name: str


class StudyRunner:
    def __init__(
        self,
        record: StudyRecord,
        study: Any,  # optuna.Study, loaded with this study's sampler and pruner
        storage: Any,  # its optuna RDBStorage
        machine: Machine,
        experiments: ExperimentManager,
        settings: SettingsService,
        on_trial: Callable[[StudyRecord, int], None],
        on_done: Callable[[StudyRecord, str, str], None],
    ) -> None:
        self.record = record
        self.study = study
        self._storage = storage
        self._study_id: int = storage.get_study_id_from_name(record.name)
        self._machine = machine
        self._heartbeat_due = 0.0  # time.monotonic() of the next heartbeat round
        self._experiments = experiments
        self._settings = settings
        self._on_trial = on_trial  # a trial changed: (record, trial number)
        self._on_done = on_done  # the runner asks for no more trials: (record, status, message)
        self._space: list[Param] = parse_space(record.params, record.algorithm)
        self._lock = threading.RLock()
        self._in_flight: dict[str, tuple[int, int]] = {}  # experiment id -> (trial number, Optuna trial id)
        self._starting = 0  # trials being started: asked of Optuna, their runs not created yet
        self._prune_asked: set[str] = set()
        self._accepting = record.status == "running"
        self._closing = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._create_failures = 0

    # ---- control -------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"study-{self.record.id}", daemon=True)
        self._thread.start()

    def accept_new_trials(self, accepting: bool) -> None:
        """Stop (False) or resume (True) asking Optuna for new trials."""
        with self._lock:
            self._accepting = accepting
        self._wake.set()

    def close(self, timeout: float = 10.0) -> None:
        """End the thread (app shutdown): trials in flight go on as runs."""
        self._closing.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def running_trials(self) -> int:
        """The trials in flight, counting one being started (asked of Optuna, its run not made yet)."""
        with self._lock:
            return len(self._in_flight) + self._starting

    def follows(self, experiment_id: str) -> bool:
        with self._lock:
            return experiment_id in self._in_flight

    def wake(self) -> None:
        self._wake.set()

    # ---- the loop ------------------------------------------------------------------
    def _run(self) -> None:
        try:
            self.reconcile()
            while not self._closing.is_set():
                self._heartbeat()
                self._finish_ended()
                if self._closing.is_set() or self._step():
                    break
                self._wake.wait(POLL_SECONDS)
                self._wake.clear()
        except Exception as error:  # noqa: BLE001 - a storage failure: the study says so instead of dying silently
            log.exception("study %s stopped", self.record.id)
            self._on_done(self.record, "stopped", f"The study stopped: {type(error).__name__}: {str(error)[:200]}")

    def _step(self) -> bool:
        """Start trials while slots are free; True once the runner has nothing left to do."""
        trials = self.study.get_trials(deepcopy=False)
        asked = len(counted_trials(trials))
        with self._lock:
            accepting = self._accepting
            in_flight = len(self._in_flight)
        limit = max(1, int(self._settings.get("max_concurrent_runs")))
        while accepting and in_flight < limit and asked < self.record.n_trials and not self._closing.is_set():
            self._start_trial()
            asked += 1
            in_flight += 1
            with self._lock:
                accepting = self._accepting
        if in_flight:
            return False
        if asked >= self.record.n_trials:
            elsewhere = sum(1 for t in trials if t.state.name == "RUNNING")
            if elsewhere:  # trials of other machines: the study completes when they end (or are failed as lost)
                return False
            self._on_done(self.record, "completed", f"All {self.record.n_trials} trials ran.")
            return True
        return not accepting  # stopped, and its last trials have ended

    def _start_trial(self) -> None:
        with self._lock:
            self._starting += 1
        try:
            self._ask_and_run_trial()
        finally:
            with self._lock:
                self._starting -= 1

    def _ask_and_run_trial(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "Heartbeat ... used with Study.optimize": we beat ourselves
            trial = self.study.ask()
        trial_id = self._storage.get_trial_id_from_study_id_trial_number(self._study_id, trial.number)
        self._storage.record_heartbeat(trial_id)
        trial.set_user_attr(MACHINE_ID_ATTR, self._machine.id)
        trial.set_user_attr(MACHINE_ATTR, self._machine.name)
        params = {param.name: param.suggest(trial) for param in self._space}
        config = fit_to_rollout({**self.record.config, **params}, self.record.algorithm)
        trial.set_user_attr(CONFIG_ATTR, {name: config[name] for name in params})
        payload = {
            "game": self.record.game,
            "algorithm": self.record.algorithm,
            "preset": "quick",
            "name": f"{self.record.name} · trial {trial.number}"[:100],
            "tags": ["study"],
            "config": config,
        }
        lineage = Lineage(study_id=self.record.id, trial_number=trial.number)
        try:
            experiment = self._experiments.create(payload, lineage=lineage)
        except AppError as error:  # e.g. a full disk, or values the run config refuses
            self._fail(trial.number, f"Its run could not be created: {error.message}")
            self._create_failures += 1
            if self._create_failures >= MAX_CREATE_FAILURES:
                self.accept_new_trials(False)
                message = f"Stopped: {MAX_CREATE_FAILURES} trials in a row could not start."
                self._on_done(self.record, "stopped", message)
            return
        self._create_failures = 0
        trial.set_user_attr(EXPERIMENT_ATTR, experiment.id)
        with self._lock:
            self._in_flight[experiment.id] = (trial.number, trial_id)
        self._on_trial(self.record, trial.number)

    # ---- evaluations and pruning ------------------------------------------------------
    def on_evaluation(self, experiment_id: str, step: int, value: float) -> None:
        """A trial's worker evaluated its policy: report it, and prune the trial if Optuna says so."""
        with self._lock:
            entry = self._in_flight.get(experiment_id)
            if entry is None or step <= 0:
                return
            number, trial_id = entry
            if not self._report(trial_id, step, value):
                return
            prune = self.record.pruner != "none" and self._trial(trial_id).should_prune()
            if prune and experiment_id not in self._prune_asked:
                self._prune_asked.add(experiment_id)
                self._ask_to_prune(experiment_id)
        self._on_trial(self.record, number)

    def _report(self, trial_id: int, step: int, value: float) -> bool:
        """Report once per step (a catch-up may see one again); False when it was known already."""
        frozen = self._storage.get_trial(trial_id)
        if step in frozen.intermediate_values or frozen.state.is_finished():
            return False
        self._trial(trial_id).report(float(value), step)
        return True

    def _trial(self, trial_id: int) -> Any:
        import optuna

        return optuna.trial.Trial(self.study, trial_id)

    def _ask_to_prune(self, experiment_id: str) -> None:
        try:
            experiment = self._experiments.get(experiment_id)
            (Path(experiment.run_dir) / PRUNE_FILE).touch()
            if experiment.status == "paused":  # a suspended worker could never see the file
                self._experiments.resume(experiment_id)
        except (OSError, AppError) as error:
            log.warning("could not prune trial run %s: %s", experiment_id, error)

    def catch_up(self, experiment: Experiment, trial_id: int) -> None:
        """Report the evaluations in the run's events.jsonl that Optuna has not seen (the app was closed)."""
        for report in read_trial_evaluations(Path(experiment.run_dir)):
            self._report(trial_id, int(report.get("index") or 0), float(report.get("mean_score") or 0.0))

    # ---- ends of trials -----------------------------------------------------------------
    def _finish_ended(self) -> None:
        with self._lock:
            in_flight = list(self._in_flight.items())
        for experiment_id, (number, trial_id) in in_flight:
            try:
                experiment = self._experiments.get(experiment_id)
            except NotFound:  # deleted while it ran
                self._fail(number, "Its run was deleted.")
                self._forget(experiment_id)
                continue
            if experiment.status in ACTIVE_STATUSES:
                continue
            with self._lock:
                self.catch_up(experiment, trial_id)
                self._tell(experiment, number, trial_id)
            self._forget(experiment_id)

    def _tell(self, experiment: Experiment, number: int, trial_id: int) -> None:
        from optuna.trial import TrialState

        frozen = self._storage.get_trial(trial_id)
        if frozen.state.is_finished():
            return
        status = experiment.status
        if status == "pruned" or (status == "completed" and experiment.id in self._prune_asked):
            self.study.tell(number, state=TrialState.PRUNED, skip_if_finished=True)
        elif status == "completed":
            value = trial_value(frozen.intermediate_values, experiment.final_metrics)
            if value is None:
                self._fail(number, "Its run ended without a score (no evaluation and no finished game).")
            else:
                self.study.tell(number, value, skip_if_finished=True)
        else:
            message = experiment.metadata.status_message or status
            self._fail(number, f"Its run {status}: {message}")
        self._on_trial(self.record, number)

    def _fail(self, number: int, reason: str) -> None:
        from optuna.trial import TrialState

        trial_id = self._storage.get_trial_id_from_study_id_trial_number(self._study_id, number)
        if self._storage.get_trial(trial_id).state.is_finished():
            return
        self._storage.set_trial_user_attr(trial_id, FAIL_REASON_ATTR, reason)
        self.study.tell(number, state=TrialState.FAIL, skip_if_finished=True)
        self._on_trial(self.record, number)

    def _forget(self, experiment_id: str) -> None:
        with self._lock:
            self._in_flight.pop(experiment_id, None)
            self._prune_asked.discard(experiment_id)

    # ---- heartbeats ------------------------------------------------------------------------
    def _heartbeat(self) -> None:
        """Beat for our trials in flight (stopping the run of one failed as lost meanwhile), and fail
        the trials of machines gone silent (Optuna enqueues each again), every HEARTBEAT_SECONDS."""
        now = time.monotonic()
        if now < self._heartbeat_due:
            return
        self._heartbeat_due = now + self._storage.get_heartbeat_interval()
        with self._lock:
            in_flight = list(self._in_flight.items())
        for experiment_id, (number, trial_id) in in_flight:
            if self._storage.get_trial(trial_id).state.is_finished():
                self._drop_lost(experiment_id, number)
            else:
                self._storage.record_heartbeat(trial_id)
        import optuna

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            optuna.storages.fail_stale_trials(self.study)

    def _drop_lost(self, experiment_id: str, number: int) -> None:
        """Our trial was failed by another machine (no heartbeat for the grace period): its retry
        redoes it, so its run stops and the runner forgets it."""
        log.warning("study %s: trial %d was failed as lost; stopping its run %s", self.record.id, number, experiment_id)
        try:
            if self._experiments.get(experiment_id).status in ACTIVE_STATUSES:
                self._experiments.stop(experiment_id)
        except AppError:  # it ended or went meanwhile
            pass
        self._forget(experiment_id)
        self._on_trial(self.record, number)

    # ---- after a restart ----------------------------------------------------------------
    def reconcile(self) -> None:
        """Follow our trials Optuna calls running again (see the module doc); beat for them first,
        so that the first round of `fail_stale_trials` does not take them for lost."""
        from optuna.trial import TrialState

        for frozen in self.study.get_trials(deepcopy=False, states=(TrialState.RUNNING, TrialState.FAIL)):
            if not self._ours(frozen):
                continue
            trial_id = self._storage.get_trial_id_from_study_id_trial_number(self._study_id, frozen.number)
            experiment = self._experiment_of(frozen)
            if frozen.state == TrialState.FAIL:  # failed as lost while the app was closed: its run, if any, stops
                if experiment is not None and experiment.status in ACTIVE_STATUSES:
                    self._drop_lost(experiment.id, frozen.number)
                continue
            if experiment is None:
                self._fail(frozen.number, "The app closed before this trial's run was created.")
                continue
            self._storage.record_heartbeat(trial_id)
            if EXPERIMENT_ATTR not in frozen.user_attrs:
                self._storage.set_trial_user_attr(trial_id, EXPERIMENT_ATTR, experiment.id)
            if (Path(experiment.run_dir) / PRUNE_FILE).exists():
                self._prune_asked.add(experiment.id)
            with self._lock:
                self._in_flight[experiment.id] = (frozen.number, trial_id)
                self.catch_up(experiment, trial_id)

    def _ours(self, frozen: Any) -> bool:
        """A trial this app asked for (one from before machines were noted counts as ours)."""
        return frozen.user_attrs.get(MACHINE_ID_ATTR, self._machine.id) == self._machine.id

    def _experiment_of(self, frozen: Any) -> Experiment | None:
        experiment_id = frozen.user_attrs.get(EXPERIMENT_ATTR)
        if experiment_id:
            try:
                return self._experiments.get(experiment_id)
            except NotFound:
                return None
        for experiment in self._experiments.list():  # created, but the app closed before it was noted
            lineage = experiment.lineage
            if (lineage.study_id, lineage.trial_number) == (self.record.id, frozen.number):
                if PROMOTED_TAG not in experiment.metadata.tags:
                    return experiment
        return None
