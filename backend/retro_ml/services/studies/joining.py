"""Several machines on one study: what a study tells the machines that join it, and the join request.

`create` puts the study's definition (`study_definition`: its id, game, algorithm, budget,
sampler, pruner, search space and trial config) in its Optuna storage as the study's user attr
`retro_ml`; a machine that joins (`POST /api/studies/join`, `retro-ml tune --join`) makes its own
record from it (`record_from_definition`), with the same id, and runs trials on its own queue.
"""

from __future__ import annotations

from typing import Any

from retro_ml.errors import AppError, InvalidInput, reject_unknown_fields
from retro_ml.services.experiments.config_fields import ALGORITHMS
from retro_ml.services.games import find_game
from retro_ml.services.studies.requests import PRUNERS, SAMPLERS
from retro_ml.services.studies.search_space import parse_space
from retro_ml.services.studies.storage import check_storage_url
from retro_ml.store.study_store import StudyRecord, validate_study_id

DEFINITION_KEYS = (
    "id", "game", "algorithm", "n_trials", "timesteps_per_trial", "sampler", "pruner", "params", "config",
)  # fmt: skip


def study_definition(record: StudyRecord) -> dict[str, Any]:
    return {key: getattr(record, key) for key in DEFINITION_KEYS}


def parse_join(payload: Any, settings_url: str) -> tuple[str, str]:
    """`{study, storage?}`: the study's name and the storage URL (absent: Settings'); 400 naming the field."""
    if not isinstance(payload, dict):
        raise InvalidInput('Send {"study": "NAME", "storage": "postgresql://user:password@host/db"}.')
    reject_unknown_fields(payload, {"study", "storage"})
    name = payload.get("study")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("Name the study to join: 'study' (its name in the storage).", field="study")
    storage = payload.get("storage")
    if storage is None and not settings_url:
        raise InvalidInput("Say where the study is: 'storage', e.g. postgresql://user:pw@host/db.", field="storage")
    return name.strip(), check_storage_url(storage) if storage is not None else settings_url


def record_from_definition(definition: Any, name: str) -> StudyRecord:
    """This machine's record of a study another app created; 422 when the storage's study is not one of ours
    (or names what this version cannot run)."""
    if not isinstance(definition, dict) or any(key not in definition for key in DEFINITION_KEYS):
        raise AppError(
            "not_a_retro_ml_study",
            f"The study '{name}' was not made by Retro ML Trainer (it has no trial settings to run): "
            "create it in the app, then join it.",
            status=422,
            field="study",
        )
    try:
        validate_study_id(str(definition["id"]))
        game = find_game(str(definition["game"]))
        if definition["algorithm"] not in ALGORITHMS or definition["sampler"] not in SAMPLERS:
            raise InvalidInput(f"unknown algorithm or sampler in {definition!r}")
        if definition["pruner"] not in PRUNERS or not isinstance(definition["config"], dict):
            raise InvalidInput(f"unknown pruner or config in {definition!r}")
        parse_space(definition["params"], definition["algorithm"])
    except InvalidInput as error:
        raise AppError(
            "not_a_retro_ml_study",
            f"The study '{name}' cannot run here: {error.message}",
            status=422,
            field="study",
        ) from None
    return StudyRecord(
        id=str(definition["id"]),
        name=name,
        game=game.id,
        algorithm=str(definition["algorithm"]),
        n_trials=int(definition["n_trials"]),
        timesteps_per_trial=int(definition["timesteps_per_trial"]),
        sampler=str(definition["sampler"]),
        pruner=str(definition["pruner"]),
        params=dict(definition["params"]),
        config=dict(definition["config"]),
        storage_url="",
    )
