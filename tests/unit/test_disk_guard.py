"""The disk guard lets a queued run start again once there is room, with real free-space readings
and the real settings: the 'room again' call must come even when no periodic check saw the disk
low, only the queue's own look (`room_to_start`) did."""

from __future__ import annotations

from pathlib import Path

from retro_ml.services.events import EventBus
from retro_ml.services.experiments.disk_guard import DiskGuard
from retro_ml.services.settings import SettingsService
from retro_ml.store import TinyDBExperimentStore


def test_a_refused_start_is_followed_by_on_room_at_the_next_check_with_room(tmp_path: Path) -> None:
    store = TinyDBExperimentStore(tmp_path / "db.json")
    settings = SettingsService(store)
    calls: list[str] = []
    guard = DiskGuard(
        EventBus(), settings, lambda: ([tmp_path], {}), lambda _id, _why: False, lambda: calls.append("room")
    )
    guard.check()
    assert calls == []  # room all along: nothing to announce

    settings.update({"low_disk_warning_mb": 100_000_000, "low_disk_pause_mb": 99_999_999})  # no disk here has that
    assert guard.room_to_start(tmp_path) is not None
    settings.update({"low_disk_pause_mb": 0})
    guard.check()
    assert calls == ["room"]  # the queue waiting since the refusal is scheduled again
    guard.check()
    assert calls == ["room"]  # once
    store.close()
