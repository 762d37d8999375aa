"""The settings added for the Settings tab: folders, training defaults and resources, and how
resource defaults reach a new run's config."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from retro_ml.errors import InvalidInput
from retro_ml.services.experiments.presets import load_presets
from retro_ml.services.experiments.requests import parse_new_experiment, resource_defaults
from retro_ml.services.settings import SCHEMA, SettingsService, check_setting


class MemoryPersistence:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def load_settings(self) -> dict[str, Any]:
        return dict(self.values)

    def save_settings(self, values: dict[str, Any]) -> None:
        self.values = dict(values)


def test_new_settings_have_defaults() -> None:
    values = SettingsService(MemoryPersistence()).all()
    assert values["export_dir"] == "" and values["runs_dir"] == ""
    assert values["default_n_envs"] == 0 and values["default_torch_threads"] == 0
    assert values["default_device"] == "auto"
    assert {"theme", "accent", "default_game", "default_algorithm", "default_preset"} <= set(SCHEMA)


@pytest.mark.parametrize("name", ["runs_dir", "export_dir"])
def test_folder_must_be_absolute(name: str) -> None:
    with pytest.raises(InvalidInput) as error:
        check_setting(name, "relative/folder")
    assert error.value.field == f"settings.{name}"
    assert "not a full path" in error.value.message


def test_folder_is_created_and_must_be_writable(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b"
    assert check_setting("runs_dir", str(target)) == str(target.resolve())
    assert target.is_dir()
    assert check_setting("runs_dir", "") == ""  # back to the data folder
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InvalidInput, match="Cannot use"):
        check_setting("runs_dir", str(blocker / "inside"))  # a file where a folder should be


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_read_only_folder_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(InvalidInput, match="Cannot use"):
            check_setting("export_dir", str(locked))
    finally:
        locked.chmod(0o700)


def test_default_game_and_preset_are_checked_against_the_catalog() -> None:
    assert check_setting("default_game", "pong") == "pong"
    assert check_setting("default_preset", "standard") == "standard"
    with pytest.raises(InvalidInput, match="Unknown game 'nogame'"):
        check_setting("default_game", "nogame")
    with pytest.raises(InvalidInput, match="Unknown training length"):
        check_setting("default_preset", "forever")


@pytest.mark.parametrize(
    ("name", "value"),
    [("default_n_envs", 65), ("default_n_envs", -1), ("default_torch_threads", 1.5), ("default_device", "tpu")],
)
def test_resource_settings_are_validated(name: str, value: Any) -> None:
    with pytest.raises(InvalidInput):
        check_setting(name, value)


def test_invalid_change_saves_nothing(tmp_path: Path) -> None:
    service = SettingsService(MemoryPersistence())
    with pytest.raises(InvalidInput):
        service.update({"default_device": "cpu", "runs_dir": "nope"})
    assert service.get("default_device") == "auto"


def test_resource_defaults_only_for_set_values() -> None:
    assert resource_defaults({"default_n_envs": 0, "default_torch_threads": 0, "default_device": "auto"}) == {}
    assert resource_defaults({"default_n_envs": 4, "default_torch_threads": 3, "default_device": "cpu"}) == {
        "n_envs": 4,
        "torch_threads": 3,
        "device": "cpu",
    }


def test_defaults_apply_unless_the_run_sets_them() -> None:
    presets = load_presets()
    defaults = {"n_envs": 2, "torch_threads": 3, "device": "cpu"}
    plain = parse_new_experiment({"game": "pong"}, presets, defaults).config
    assert (plain["n_envs"], plain["torch_threads"], plain["device"]) == (2, 3, "cpu")
    # PPO's batch shrinks to one rollout of the fewer games (128 steps × 2), so the run is valid.
    assert plain["batch_size"] <= plain["n_steps"] * plain["n_envs"]
    own = parse_new_experiment({"game": "pong", "config": {"n_envs": 4, "device": "auto"}}, presets, defaults).config
    assert (own["n_envs"], own["device"], own["torch_threads"]) == (4, "auto", 3)
    untouched = parse_new_experiment({"game": "pong"}, presets).config
    assert untouched["n_envs"] == 8 and untouched["device"] == "auto"
