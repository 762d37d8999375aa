"""Studies' app-side records in the `studies` table (the trials themselves live in Optuna's storage)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from tinydb import Query

from retro_ml.errors import InvalidInput, NotFound
from retro_ml.store.entities import utc_now, validate_experiment_id
from retro_ml.store.experiment_store import TinyDBExperimentStore

STUDIES_TABLE = "studies"
STUDY_STATUSES = ("running", "stopped", "completed")


@dataclass
class StudyRecord:
    """What the app keeps of a study: its request, where Optuna keeps its trials, and its status.

    `storage_url` may hold a password: it is never sent out as is (services/studies redacts it).
    `config` is the whole run config every trial starts from (its searched parameters go on top).
    """

    id: str
    name: str  # also the study's name in its Optuna storage
    game: str
    algorithm: str
    n_trials: int
    timesteps_per_trial: int
    sampler: str  # "tpe" | "random"
    pruner: str  # "median" | "none"
    params: dict[str, dict[str, Any]]  # the search space, as services/studies/search_space.Param.to_dict
    config: dict[str, Any]
    storage_url: str
    status: str = "running"  # one of STUDY_STATUSES
    message: str = ""
    created: str = field(default_factory=utc_now)
    updated: str = field(default_factory=utc_now)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StudyRecord:
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in data.items() if key in known})


def validate_study_id(ident: str) -> str:
    try:
        return validate_experiment_id(ident)  # the same 12-hex-digit format
    except InvalidInput:
        raise InvalidInput(f"'{ident}' is not a valid study id.", field="id") from None


class StudyStore:
    """A handful of records: plain scans under the database's one lock."""

    def __init__(self, database: TinyDBExperimentStore) -> None:
        self._database = database
        self._table = database.shared_table(STUDIES_TABLE)

    def create(self, study: StudyRecord) -> StudyRecord:
        with self._database.lock:
            self._table.insert(study.to_dict())
        return study

    def get(self, study_id: str) -> StudyRecord:
        validate_study_id(study_id)
        with self._database.lock:
            row = self._table.get(Query().id == study_id)
        if row is None:
            raise NotFound("study", study_id)
        return StudyRecord.from_dict(dict(row))

    def list(self) -> list[StudyRecord]:
        """Newest first."""
        with self._database.lock:
            rows = [dict(row) for row in self._table.all()]
        return sorted((StudyRecord.from_dict(row) for row in rows), key=lambda s: s.created, reverse=True)

    def update(self, study_id: str, change: Callable[[StudyRecord], None]) -> StudyRecord:
        with self._database.lock:
            study = self.get(study_id)
            change(study)
            study.updated = utc_now()
            self._table.update(study.to_dict(), Query().id == study_id)
        return study
