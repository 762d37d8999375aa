"""Model versions in the `model_versions` table of the experiments' database, indexed in memory."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass

from retro_ml.errors import InvalidInput, NotFound
from retro_ml.store.entities import ModelVersion, validate_experiment_id
from retro_ml.store.experiment_store import TinyDBExperimentStore
from retro_ml.store.record_index import IndexedTable

MODELS_TABLE = "model_versions"


@dataclass(frozen=True)
class ModelFilter:
    game: str | None = None
    algorithm: str | None = None
    experiment_id: str | None = None
    kind: str | None = None
    tag: str | None = None
    search: str | None = None  # a case-insensitive part of the name, game or a tag

    def matches(self, model: ModelVersion) -> bool:
        return (
            (self.game is None or model.game == self.game)
            and (self.algorithm is None or model.algorithm.upper() == self.algorithm.upper())
            and (self.experiment_id is None or model.experiment_id == self.experiment_id)
            and (self.kind is None or model.kind == self.kind)
            and (self.tag is None or self.tag in model.tags)
            and (self.search is None or _mentions(model, self.search.lower()))
        )


def _mentions(model: ModelVersion, needle: str) -> bool:
    return any(needle in text.lower() for text in (model.name, model.game, model.algorithm, *model.tags))


def validate_model_id(ident: str) -> str:
    try:
        return validate_experiment_id(ident)  # the same 12-hex-digit format
    except InvalidInput:
        raise InvalidInput(f"'{ident}' is not a valid model id.", field="id") from None


class ModelVersionStore(IndexedTable):
    """Model version records: looked up by id, experiment or file path without a scan."""

    def __init__(self, database: TinyDBExperimentStore) -> None:
        super().__init__(database, MODELS_TABLE)

    def _doc_id(self, model_id: str) -> int:
        doc_ids = self._current_index().by_id.get(validate_model_id(model_id))
        if not doc_ids:
            raise NotFound("model", model_id)
        return min(doc_ids)

    def create(self, model: ModelVersion) -> ModelVersion:
        with self._lock:
            self._insert(model.to_dict())
        return model

    def get(self, model_id: str) -> ModelVersion:
        with self._lock:
            row = self._document(self._doc_id(model_id))
        if row is None:
            raise NotFound("model", model_id)
        return ModelVersion.from_dict(row)

    def list(self, filters: ModelFilter | None = None) -> list[ModelVersion]:
        """Every match, newest first."""
        with self._lock:
            rows = self._documents()
        models = [ModelVersion.from_dict(row) for row in rows]
        chosen = [m for m in models if filters is None or filters.matches(m)]
        return sorted(chosen, key=lambda m: m.created, reverse=True)

    def of_experiment(self, experiment_id: str) -> builtins.list[ModelVersion]:
        with self._lock:
            doc_ids = sorted(self._current_index().by_experiment.get(experiment_id, ()))
            rows = [row for doc_id in doc_ids if (row := self._document(doc_id)) is not None]
        return [ModelVersion.from_dict(row) for row in rows]

    def update(self, model_id: str, change: Callable[[ModelVersion], None]) -> ModelVersion:
        """Apply `change` to the stored record and persist it in one write."""
        with self._lock:
            doc_id = self._doc_id(model_id)
            row = self._document(doc_id)
            if row is None:
                raise NotFound("model", model_id)
            model = ModelVersion.from_dict(row)
            change(model)
            self._replace(doc_id, model.to_dict())
        return model

    def delete(self, model_id: str) -> None:
        validate_model_id(model_id)
        with self._lock:
            if not self._remove(sorted(self._current_index().by_id.get(model_id, ()))):
                raise NotFound("model", model_id)

    def delete_for_experiment(self, experiment_id: str) -> builtins.list[str]:
        """Remove every version of one experiment; return their ids."""
        with self._lock:
            ids = [m.id for m in self.of_experiment(experiment_id)]
            self._remove(sorted(self._current_index().by_experiment.get(experiment_id, ())))
        return ids

    def count(self) -> int:
        with self._lock:
            return len(self._current_index().by_id)
