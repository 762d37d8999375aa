"""A study and its Optuna trials as the API shows them (docs/CONTRACT.md §5.10)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from retro_ml.services.studies.storage import redact_url
from retro_ml.store.study_store import StudyRecord

# Optuna's TrialState names, as the API spells them
TRIAL_STATES = {
    "RUNNING": "running",
    "COMPLETE": "complete",
    "PRUNED": "pruned",
    "FAIL": "failed",
    "WAITING": "waiting",
}
EXPERIMENT_ATTR = "experiment_id"  # the trial's run, a user attr of the Optuna trial
FAIL_REASON_ATTR = "fail_reason"
CONFIG_ATTR = "config"  # the trial's searched values as its run got them (batch_size fitted to a rollout)
MACHINE_ID_ATTR = "machine_id"  # the app (host and data dir) that runs the trial: services/studies/runner.Machine
MACHINE_ATTR = "machine"  # ...and its host name, for people
STUDY_ATTR = "retro_ml"  # the Optuna study's user attr: what `join` needs to run its trials elsewhere
MIN_TRIALS_FOR_IMPORTANCE = 2


def trial_dict(trial: Any, promoted: Sequence[str] = (), machine_id: str | None = None) -> dict[str, Any]:
    """One Optuna FrozenTrial: {number, state, params, value, experiment_id, machine, local, started,
    finished, duration_seconds, intermediate_values: [{step, value}], message, promoted_experiment_ids,
    retry_of}. `local`: run by this app (`machine_id`), so `experiment_id` is one of its runs; another
    machine's trial has no experiment here (null)."""
    local = machine_id is None or trial.user_attrs.get(MACHINE_ID_ATTR, machine_id) == machine_id
    started, finished = trial.datetime_start, trial.datetime_complete
    duration = (finished - started).total_seconds() if started and finished else None
    return {
        "number": trial.number,
        "state": TRIAL_STATES.get(trial.state.name, trial.state.name.lower()),
        "params": dict(trial.params),
        "config": trial.user_attrs.get(CONFIG_ATTR),
        "value": _number(trial.value) if trial.values is not None else None,
        "experiment_id": trial.user_attrs.get(EXPERIMENT_ATTR) if local else None,
        "machine": trial.user_attrs.get(MACHINE_ATTR),
        "local": local,
        "started": _iso(started),
        "finished": _iso(finished),
        "duration_seconds": round(duration, 3) if duration is not None else None,
        "intermediate_values": [
            {"step": step, "value": _number(value)} for step, value in sorted(trial.intermediate_values.items())
        ],
        "message": trial.user_attrs.get(FAIL_REASON_ATTR, ""),
        "promoted_experiment_ids": list(promoted),  # full runs made from it (POST .../promote)
        "retry_of": trial.system_attrs.get("failed_trial"),  # the lost trial it runs again (storage.py)
    }


def counted_trials(trials: Sequence[Any]) -> list[Any]:
    """The trials that count towards n_trials: asked (not WAITING), less the lost ones a retry replaced."""
    retried = {t.system_attrs.get("failed_trial") for t in trials} - {None}
    return [t for t in trials if t.state.name != "WAITING" and t.number not in retried]


def state_counts(trials: Sequence[Any]) -> dict[str, int]:
    counts = dict.fromkeys(TRIAL_STATES.values(), 0)
    for trial in trials:
        state = TRIAL_STATES.get(trial.state.name)
        if state is not None:
            counts[state] += 1
    return counts


def best_trial(trials: Sequence[Any]) -> Any | None:
    """The complete trial with the highest value (the first of equals), else None."""
    complete = [t for t in trials if t.state.name == "COMPLETE" and t.value is not None and math.isfinite(t.value)]
    return max(complete, key=lambda t: (t.value, -t.number)) if complete else None


def best_so_far(trials: Sequence[Any]) -> list[dict[str, Any]]:
    """Per complete trial, in trial order: {number, value, best} (the best value up to it)."""
    series = []
    best: float | None = None
    for trial in sorted(trials, key=lambda t: t.number):
        if trial.state.name != "COMPLETE" or trial.value is None or not math.isfinite(trial.value):
            continue
        best = trial.value if best is None else max(best, trial.value)
        series.append({"number": trial.number, "value": trial.value, "best": best})
    return series


def study_summary(record: StudyRecord, trials: Sequence[Any], machine_id: str | None = None) -> dict[str, Any]:
    """The study without its trials: what lists and `study.updated` carry."""
    best = best_trial(trials)
    counts = state_counts(trials)
    return {
        "id": record.id,
        "name": record.name,
        "game": record.game,
        "algorithm": record.algorithm,
        "n_trials": record.n_trials,
        "timesteps_per_trial": record.timesteps_per_trial,
        "sampler": record.sampler,
        "pruner": record.pruner,
        "params": record.params,
        "config": record.config,
        "storage": redact_url(record.storage_url),
        "status": record.status,
        "message": record.message,
        "created": record.created,
        "updated": record.updated,
        "counts": counts,
        "trials_done": counts["complete"] + counts["pruned"] + counts["failed"],
        "best_trial": trial_dict(best, machine_id=machine_id) if best is not None else None,
        "best_value": best.value if best is not None else None,
    }


def importance(study: Any, trials: Sequence[Any]) -> tuple[dict[str, float] | None, str]:
    """Optuna's parameter importance (fANOVA) and "" — or None and the reason it cannot be had."""
    complete = [t for t in trials if t.state.name == "COMPLETE"]
    if len(complete) < MIN_TRIALS_FOR_IMPORTANCE:
        return None, f"Needs at least {MIN_TRIALS_FOR_IMPORTANCE} complete trials ({len(complete)} so far)."
    import optuna

    try:
        values = optuna.importance.get_param_importances(study)
    except Exception as error:  # noqa: BLE001 - e.g. every trial had the same value: say so, not 500
        return None, f"Optuna could not rank the parameters: {type(error).__name__}: {str(error)[:200]}"
    if not values:
        return None, "The complete trials share no searched parameter that varied."
    return {name: round(float(value), 6) for name, value in values.items()}, ""


def _number(value: Any) -> float | None:
    return float(value) if value is not None and math.isfinite(float(value)) else None


def _iso(moment: Any) -> str | None:
    if moment is None:
        return None
    return str(moment.isoformat(timespec="milliseconds"))
