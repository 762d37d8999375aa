"""The notification service on a real EventBus, a real TinyDB store and plyer, caught by a fake
notification daemon (dbusmock's `notification_daemon` template) on a private D-Bus session bus."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from plyer.platforms.linux.notification import NotifyDbus, NotifySendNotification

from retro_ml.errors import InvalidInput
from retro_ml.platform import LinuxPlatform, PlatformUnavailable
from retro_ml.services.events import EXPERIMENT_STATUS, TRAINING_COMPLETE, VIDEO_GENERATED, EventBus
from retro_ml.services.notifications import NotificationService
from retro_ml.services.settings import SettingsService, check_setting
from retro_ml.store import Experiment, TinyDBExperimentStore
from retro_ml.store.entities import new_experiment_id
from tests.helpers.desktop import NOTIFICATIONS, FakeService, spawn_service

NOTIFY_SIGNATURE = "susssasa{sv}i"


class World:
    def __init__(self, tmp_path: Path, notifier: Any = None) -> None:
        self.bus = EventBus()
        self.store = TinyDBExperimentStore(tmp_path / "db.json")
        self.settings = SettingsService(self.store)
        self.experiment = self.store.create(
            Experiment(
                id=new_experiment_id(),
                name="Breakout #7",
                game="breakout",
                env_id="ALE/Breakout-v5",
                algorithm="ppo",
                preset="quick",
                config={},
                run_dir=str(tmp_path / "runs" / "x"),
            )
        )
        self.service = NotificationService(self.bus, LinuxPlatform(notifier), self.settings, self.store)

    def publish(self, event: str, **data: Any) -> None:
        self.bus.publish(event, {"experiment_id": self.experiment.id, **data})

    def close(self) -> None:
        self.service.shutdown()
        self.store.close()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    world = World(tmp_path)
    try:
        yield world
    finally:
        world.close()


def shown(daemon: FakeService) -> list[tuple[str, str, str]]:
    """(app name, summary, body) of every Notify call the daemon received."""
    return [(args[0], args[3], args[4]) for args in daemon.calls("Notify")]


COMPLETE = {"final_metrics": {"mean_reward": 12.46, "best_reward": 40.0, "episodes": 1321}, "model_path": "/m.zip"}


@pytest.mark.parametrize("backend", [None, NotifyDbus, NotifySendNotification], ids=["plyer", "dbus", "notify-send"])
def test_training_complete_is_notified(notification_daemon: FakeService, tmp_path: Path, backend: type | None) -> None:
    world = World(tmp_path, backend() if backend else None)
    try:
        world.publish(TRAINING_COMPLETE, **COMPLETE)
        assert world.service.drain()
    finally:
        world.close()
    summary = ("Training complete: Breakout #7", "Mean reward 12.5, best game 40, 1,321 games played.")
    assert shown(notification_daemon) == [("Retro ML Trainer", *summary)]


def test_videos_and_failures_are_notified_and_each_kind_can_be_turned_off(
    notification_daemon: FakeService, world: World
) -> None:
    world.publish(VIDEO_GENERATED, video_path="/v/m.mp4", video_type="milestone", duration=12.0, milestone_pct=50)
    world.publish(VIDEO_GENERATED, video_path="/v/h/1.mp4", video_type="hour", duration=300.0, segment=1)
    world.publish(VIDEO_GENERATED, video_path="/v/w.mp4", video_type="hour", duration=1800.0, segment=None)
    world.publish(VIDEO_GENERATED, video_path="/v/e.mp4", video_type="evaluation", duration=75.0)
    world.publish(EXPERIMENT_STATUS, status="running", message="Training on CPU")
    world.publish(EXPERIMENT_STATUS, status="failed", message="Out of memory while training")
    assert world.service.drain()
    assert [(s, b) for _, s, b in shown(notification_daemon)] == [
        ("New video: Breakout #7 · 50% milestone", "12s long, in the Videos tab."),
        ("New video: Breakout #7 · Watch it learn", "30m 00s long, in the Videos tab."),
        ("New video: Breakout #7 · Evaluation", "1m 15s long, in the Videos tab."),
        ("Training failed: Breakout #7", "Out of memory while training"),
    ]

    notification_daemon.control.ClearCalls(dbus_interface="org.freedesktop.DBus.Mock")
    off = {"notify_training_complete": False, "notify_video_generated": False, "notify_training_failed": False}
    world.settings.update(off)
    world.publish(TRAINING_COMPLETE, **COMPLETE)
    world.publish(VIDEO_GENERATED, video_path="/v/m2.mp4", video_type="milestone", duration=12.0, milestone_pct=100)
    world.publish(EXPERIMENT_STATUS, status="failed", message="again")
    assert world.service.drain()
    assert shown(notification_daemon) == []

    world.settings.update({"notify_training_failed": True})
    world.publish(EXPERIMENT_STATUS, status="failed", message="third time")
    assert world.service.drain()
    assert [s for _, s, _ in shown(notification_daemon)] == ["Training failed: Breakout #7"]


def test_a_slow_notification_daemon_never_holds_up_the_bus(session_bus: str, world: World) -> None:
    slow = spawn_service(
        session_bus,
        NOTIFICATIONS,
        "/org/freedesktop/Notifications",
        [("Notify", NOTIFY_SIGNATURE, "u", "import time\ntime.sleep(0.6)\nret = 1")],
    )
    try:
        started = time.monotonic()
        world.publish(TRAINING_COMPLETE, **COMPLETE)
        world.publish(EXPERIMENT_STATUS, status="failed", message="x")
        assert time.monotonic() - started < 0.3  # sending one takes 0.6 s
        assert world.service.drain(15)
        assert len(slow.calls("Notify")) == 2
    finally:
        slow.stop()


def test_without_a_notification_service_it_says_so_once_and_keeps_working(
    session_bus: str, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="retro_ml.services.notifications")
    state = world.service.status()
    assert state.available is False
    assert "nothing on the D-Bus session bus provides org.freedesktop.Notifications" in state.reason
    for _ in range(3):
        world.publish(TRAINING_COMPLETE, **COMPLETE)
    assert world.service.drain()
    assert world.service.status().available is False
    with pytest.raises(PlatformUnavailable, match="No notification service"):
        world.service.send_test()
    assert [r.getMessage() for r in caplog.records].count(f"Desktop notifications are off: {state.reason}") == 1


def test_without_any_session_bus(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    state = world.service.status()
    assert state.available is False and "there is no D-Bus session bus" in state.reason
    world.publish(EXPERIMENT_STATUS, status="failed", message="x")
    assert world.service.drain()


def test_a_notification_service_that_fails_is_reported_not_raised(session_bus: str, world: World) -> None:
    refuse = "raise dbus.exceptions.DBusException('quiet hours', name='org.example.Denied')"
    broken = spawn_service(
        session_bus, NOTIFICATIONS, "/org/freedesktop/Notifications", [("Notify", NOTIFY_SIGNATURE, "u", refuse)]
    )
    try:
        assert world.service.status().available is True
        world.publish(TRAINING_COMPLETE, **COMPLETE)
        assert world.service.drain()
        state = world.service._state
        assert state is not None and state.available is False
        assert "DBusException: org.example.Denied: quiet hours" in state.reason
        with pytest.raises(PlatformUnavailable, match="quiet hours"):
            world.service.send_test()
    finally:
        broken.stop()


def test_send_test_reaches_the_daemon(notification_daemon: FakeService, world: World) -> None:
    state = world.service.send_test()
    assert state.available is True and state.method == "dbus-python"
    assert shown(notification_daemon)[0][1] == "Retro ML Trainer"


def test_notification_settings_are_booleans() -> None:
    assert check_setting("notify_video_generated", False) is False
    for bad in ("yes", 1, None):
        with pytest.raises(InvalidInput, match="true or false") as raised:
            check_setting("notify_video_generated", bad)
        assert raised.value.field == "settings.notify_video_generated"
    with pytest.raises(InvalidInput, match="whole number"):
        check_setting("max_concurrent_runs", True)
    described = SettingsService.describe()
    assert described["notify_training_complete"]["type"] == "bool"
    assert described["notify_training_complete"]["default"] is True
