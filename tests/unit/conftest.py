"""Fixtures the unit tests share: a real TinyDB experiment store in the test's own folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from retro_ml.store import TinyDBExperimentStore


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """The `store` fixture's file, alone in tmp_path: reopen it or read it to see what was written."""
    return tmp_path / "db.json"


@pytest.fixture
def store(database: Path) -> Iterator[TinyDBExperimentStore]:
    opened = TinyDBExperimentStore(database)
    try:
        yield opened
    finally:
        opened.close()
