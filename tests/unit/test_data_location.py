"""Which data folder a start uses: --data-dir, else RETRO_ML_DATA_DIR, else the folder chosen
in Settings (a file in the user config dir), else the platform default."""

from __future__ import annotations

from pathlib import Path

import pytest

from retro_ml.config import choose_data_dir, chosen_data_dir, data_dir_source, data_location_file, resolve_data_dir


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))
    monkeypatch.delenv("RETRO_ML_DATA_DIR", raising=False)
    return tmp_path


def test_the_order_of_precedence(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    default = home / "data-home" / "RetroMLTrainer"
    assert (resolve_data_dir(), data_dir_source()) == (default, "default")

    choose_data_dir(home / "chosen")
    assert data_location_file() == home / "config" / "RetroMLTrainer" / "data-location.json"
    assert (resolve_data_dir(), data_dir_source()) == (home / "chosen", "settings")
    assert (home / "chosen").is_dir()

    monkeypatch.setenv("RETRO_ML_DATA_DIR", str(home / "env"))
    assert (resolve_data_dir(), data_dir_source()) == (home / "env", "environment")

    explicit = home / "explicit"
    assert (resolve_data_dir(explicit), data_dir_source(explicit)) == (explicit, "argument")

    monkeypatch.delenv("RETRO_ML_DATA_DIR")
    choose_data_dir(None)
    assert chosen_data_dir() is None and resolve_data_dir() == default


@pytest.mark.parametrize("content", ["{not json", '{"data_dir": "relative/path"}', '["a"]', '{"data_dir": 3}'])
def test_a_broken_choice_falls_back_to_the_default(home: Path, content: str) -> None:
    data_location_file().parent.mkdir(parents=True)
    data_location_file().write_text(content)
    assert chosen_data_dir() is None
    assert data_dir_source() == "default"
