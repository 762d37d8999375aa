"""What every exporter is: an id, words for the UI, an options schema, `accepts` and `run`.

An exporter works from an `ExportRequest`, a snapshot taken when the job was created (the video
or experiment, where to write, validated options). It writes everything under hidden temporary
names in the destination folder (`OutputSet`) and publishes the finished files together under
free names at the end, so a cancelled or failed export leaves nothing half-written behind.
"""

from __future__ import annotations

import errno
import os
import shutil
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from retro_ml.errors import Conflict, InvalidInput
from retro_ml.services.videos.file_names import (
    move_no_clobber,
    numbered_stems,
    temp_path_for,
    unlink_quietly,
)
from retro_ml.store.entities import Experiment, VideoArtifact

Progress = Callable[[float], None]
Cancelled = Callable[[], bool]

COPY_CHUNK_BYTES = 1 << 20


class ExportCancelled(Exception):
    """Raised inside `run` when the job was cancelled; the service marks the job `cancelled`."""


class ExportFailed(Exception):
    """A failure with a message a user can act on (the service puts it in the job as is)."""


@dataclass(frozen=True)
class Option:
    """One option an exporter takes: a choice among words, or a yes/no."""

    name: str
    label: str
    description: str
    default: str | bool
    choices: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return "boolean" if isinstance(self.default, bool) else "choice"

    def parse(self, value: Any) -> str | bool:
        where = f"options.{self.name}"
        if value is None:
            return self.default
        if self.kind == "boolean":
            if not isinstance(value, bool):
                raise InvalidInput(f"'{self.name}' is true or false.", field=where)
            return value
        if value not in self.choices:
            raise InvalidInput(f"'{self.name}' must be one of {', '.join(self.choices)}.", field=where)
        return str(value)

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": self.name,
            "type": self.kind,
            "label": self.label,
            "description": self.description,
            "default": self.default,
        }
        if self.choices:
            body["choices"] = list(self.choices)
        return body


ON_CONFLICT = Option(
    "on_conflict",
    "If the file exists",
    "rename: write 'name (2)' beside it; fail: stop and change nothing.",
    "rename",
    ("rename", "fail"),
)


@dataclass(frozen=True)
class SharedModel:
    """One model version for model.share: its file (a private copy), steps and, if known, results.json."""

    path: Path
    num_timesteps: int
    results: dict[str, Any] | None = None  # None: the run's own numbers (its final model's)


@dataclass(frozen=True)
class ExportRequest:
    """Everything an exporter needs, captured when the job is created."""

    destination: Path
    options: dict[str, Any]
    video: VideoArtifact | None = None
    source: Path | None = None  # the video's file, checked to be inside the app's data folder
    experiment: Experiment | None = None
    videos: tuple[VideoArtifact, ...] = ()  # every video of the experiment (chapters, the replay)
    model: SharedModel | None = None  # model.share: this model version instead of the run's final model

    @property
    def on_conflict(self) -> str:
        return str(self.options.get("on_conflict", "rename"))


class Exporter(ABC):
    """One way to export. Subclasses set the class attributes and implement `outputs` and `run`."""

    id: ClassVar[str]
    label: ClassVar[str]
    description: ClassVar[str]
    target: ClassVar[str] = "video"  # "video" or "experiment": what the exporter takes
    heavy: ClassVar[bool] = False  # re-encodes (one such job at a time on a small machine)
    options: ClassVar[tuple[Option, ...]] = (ON_CONFLICT,)

    def accepts(self, request: ExportRequest) -> str | None:
        """None when this exporter can take the request's subject, else why not (for a 409)."""
        return None

    def bytes_needed(self, request: ExportRequest) -> int:
        """Free space the export needs in the destination, when known beforehand (else 0)."""
        return 0

    def parse_options(self, raw: Any) -> dict[str, Any]:
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise InvalidInput('\'options\' must be an object, e.g. {"on_conflict": "rename"}.', field="options")
        known = {option.name: option for option in self.options}
        unknown = sorted(set(raw) - set(known))
        if unknown:
            raise InvalidInput(
                f"'{unknown[0]}' is not an option of {self.id} (it takes {', '.join(known)}).",
                field=f"options.{unknown[0]}",
            )
        return {name: option.parse(raw.get(name)) for name, option in known.items()}

    @abstractmethod
    def outputs(self, request: ExportRequest) -> tuple[str, tuple[str, ...]]:
        """The output's stem and suffixes, e.g. ("Pong #1 · Evaluation", (".mp4", ".txt"))."""

    @abstractmethod
    def run(self, request: ExportRequest, progress: Progress, cancelled: Cancelled) -> list[Path]:
        """Write the outputs; return their final paths. Raise `ExportCancelled` when cancelled."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "description": self.description,
            "target": self.target,
            "options": [option.to_dict() for option in self.options],
        }

    def check_free(self, request: ExportRequest) -> None:
        """With on_conflict "fail": a 409 now, when the output's name is already taken."""
        if request.on_conflict != "fail":
            return
        stem, suffixes = self.outputs(request)
        taken = [stem + suffix for suffix in suffixes if os.path.lexists(request.destination / (stem + suffix))]
        if taken:
            raise Conflict(
                f"'{taken[0]}' already exists in {request.destination}: choose another folder, "
                "or let the export pick a free name (on_conflict: rename)."
            )


class OutputSet:
    """Hidden temporary files in the destination, published together under one free stem."""

    def __init__(self, folder: Path, stem: str, suffixes: Sequence[str], on_conflict: str) -> None:
        self.folder = folder
        self.stem = stem
        self.suffixes = tuple(suffixes)
        self.on_conflict = on_conflict
        self.temps = {suffix: temp_path_for(folder / f"{stem}{suffix}") for suffix in self.suffixes}

    def temp(self, suffix: str) -> Path:
        return self.temps[suffix]

    def publish(self) -> list[Path]:
        """Move every temporary file to `<stem><suffix>` (or `<stem> (n)<suffix>`); never overwrite."""
        stems = numbered_stems(self.stem) if self.on_conflict == "rename" else iter([self.stem])
        for stem in stems:
            finals = [self.folder / f"{stem}{suffix}" for suffix in self.suffixes]
            if any(os.path.lexists(final) for final in finals):
                continue
            published: list[Path] = []
            try:
                for suffix, final in zip(self.suffixes, finals, strict=True):
                    move_no_clobber(self.temps[suffix], final)
                    published.append(final)
            except FileExistsError:  # taken meanwhile: undo this stem's moves, try the next
                for suffix, final in zip(self.suffixes, published, strict=False):
                    os.rename(final, self.temps[suffix])
                continue
            return published
        taken = f"{self.stem}{self.suffixes[0]}"
        raise ExportFailed(f"'{taken}' already exists in {self.folder}: nothing was overwritten.")

    def discard(self) -> None:
        for temp in self.temps.values():
            if temp.is_dir():
                shutil.rmtree(temp, ignore_errors=True)
            else:
                unlink_quietly(temp)


def copy_file(
    source: Path,
    target: Path,
    cancelled: Cancelled,
    on_bytes: Callable[[int], None],
    chunk_bytes: int = COPY_CHUNK_BYTES,
) -> None:
    """Copy in chunks, reporting bytes as they go and stopping between chunks when cancelled."""
    with source.open("rb") as reader, target.open("xb") as writer:
        while True:
            if cancelled():
                raise ExportCancelled()
            chunk = reader.read(chunk_bytes)
            if not chunk:
                break
            writer.write(chunk)
            on_bytes(len(chunk))
    shutil.copystat(source, target)


@dataclass
class ByteProgress:
    """Bytes done over bytes in all, as 0..1."""

    total: int
    progress: Progress
    done: int = field(default=0)

    def add(self, count: int) -> None:
        self.done += count
        self.progress(min(1.0, self.done / self.total) if self.total else 1.0)


def user_message(error: OSError, destination: Path) -> str:
    """What went wrong writing an export, said so that the user knows what to do."""
    if error.errno == errno.ENOSPC:
        return f"Not enough free space in {destination}: free some space or choose another folder, then export again."
    if isinstance(error, PermissionError):
        return f"Retro ML Trainer may not write in {destination}: choose another folder."
    if isinstance(error, FileNotFoundError):
        return f"A file or folder disappeared during the export ({error.filename}): export again."
    return f"The export could not be written to {destination}: {error.strerror or error}."
