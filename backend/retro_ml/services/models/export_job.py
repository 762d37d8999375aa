"""A model version's export job (services/models/export.py runs it) and what every format shares."""

from __future__ import annotations

import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retro_ml.errors import AppError
from retro_ml.services.importing.discovery import read_model_info
from retro_ml.services.videos.file_names import safe_stem
from retro_ml.store.entities import ModelVersion, new_experiment_id, utc_now

FORMATS = ("sb3", "onnx", "hf")
FINISHED_STATUSES = frozenset({"completed", "failed", "cancelled"})


@dataclass
class ModelExportJob:
    model_id: str
    experiment_id: str
    format: str  # one of FORMATS
    destination: str
    name: str  # e.g. "Breakout #1 · PPO · 10,000 steps", for messages in the UI
    id: str = field(default_factory=new_experiment_id)  # 12 hex digits, like every id
    status: str = "queued"  # queued | running | completed | failed | cancelled
    progress: float = 0.0
    stage: str = "waiting"  # what it is doing, in words
    output_paths: list[str] = field(default_factory=list)
    result: dict[str, Any] | None = None  # the format's facts (onnx: the check's numbers)
    error: str | None = None
    created: str = field(default_factory=utc_now)
    started: str | None = None
    finished: str | None = None
    cancel_requested: threading.Event = field(default_factory=threading.Event, repr=False)
    process: subprocess.Popen[str] | None = field(default=None, repr=False)  # onnx: the model-export process

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    def cancelled(self) -> bool:
        return self.cancel_requested.is_set()

    def stop(self) -> None:
        """Ask it to stop; a running export process is killed at once."""
        self.cancel_requested.set()
        process = self.process
        if process is not None and process.poll() is None:
            process.kill()

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "model_id": self.model_id,
            "experiment_id": self.experiment_id,
            "format": self.format,
            "name": self.name,
            "destination": self.destination,
            "status": self.status,
            "progress": round(self.progress, 4),
            "stage": self.stage,
            "output_paths": list(self.output_paths),
            "result": self.result,
            "created": self.created,
            "started": self.started,
            "finished": self.finished,
        }
        if self.error is not None:
            body["error"] = self.error
        return body


def output_stem(model: ModelVersion) -> str:
    """`<game>-<algo>-<steps>`, e.g. breakout-PPO-10000."""
    return safe_stem(f"{model.game}-{model.algorithm}-{model.num_timesteps}", fallback="model")


def check_model_file(path: Path) -> None:
    """A 422 `model_file_corrupt` when the file is not an SB3 model zip (damaged, truncated, other)."""
    if read_model_info(path) is None:
        raise AppError(
            "model_file_corrupt",
            f"The model file {path} is not a readable SB3 model (a zip holding 'data' and 'policy.pth'): "
            "it may be damaged or only partly written. Export another version.",
            status=422,
        )
