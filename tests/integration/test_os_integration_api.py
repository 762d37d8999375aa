"""Reveal, copy-path, integrations and notify-test through the real server, on a virtual desktop
(Xvfb + xclip, a private D-Bus with fake services, a recording xdg-open); then on a bare machine."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers.api_client import call
from tests.helpers.desktop import (
    FakeService,
    RecordingTool,
    read_clipboard,
    start_file_manager,
    start_notification_daemon,
)
from tests.helpers.seeded_runs import Seeded
from tests.helpers.server import LiveServer, start_server

UNKNOWN = "0123456789ab"


@pytest.fixture
def seeded(tmp_path: Path) -> Seeded:
    return Seeded(tmp_path / "data")


@contextmanager
def serve(seeded: Seeded, env: Mapping[str, str | None]) -> Iterator[LiveServer]:
    server = start_server(seeded.run_dir.parents[1], env=env)
    try:
        yield server
    finally:
        code = server.stop()
        assert code == 0, f"server exited with {code}:\n{server.log_text()}"


@pytest.fixture
def desktop_server(
    seeded: Seeded, xvfb_display: str, session_bus: str, xdg_open: RecordingTool
) -> Iterator[LiveServer]:
    env = {
        "DISPLAY": xvfb_display,
        "WAYLAND_DISPLAY": None,
        "DBUS_SESSION_BUS_ADDRESS": session_bus,
        "PATH": xdg_open.path_with_it(),
    }
    with serve(seeded, env) as server:
        yield server


def post(server: LiveServer, path: str, expect: int = 200) -> dict:  # type: ignore[type-arg]
    return call(server, "POST", path, expect)


def test_on_a_desktop(
    desktop_server: LiveServer, seeded: Seeded, xvfb_display: str, session_bus: str, xdg_open: RecordingTool
) -> None:
    server, video = desktop_server, seeded.video_id
    integrations = call(server, "GET", "/system/integrations")
    assert integrations["platform"] == "linux"
    assert integrations["clipboard"] == {"available": True, "reason": "", "method": "xclip"}
    assert integrations["reveal"]["available"] is True and integrations["reveal"]["method"] == "xdg-open"
    assert integrations["notifications"]["available"] is False
    assert "org.freedesktop.Notifications" in integrations["notifications"]["reason"]

    # Copy Path: the absolute path lands on the X clipboard
    copied = post(server, f"/videos/{video}/copy-path")
    assert copied == {"ok": True, "path": str(seeded.video_path.resolve())}
    assert read_clipboard(xvfb_display) == str(seeded.video_path.resolve())

    # Open Folder without a FileManager1 service: xdg-open on the folder
    folder = str(seeded.video_path.parent.resolve())
    assert post(server, f"/videos/{video}/reveal") == {"ok": True, "command": ["xdg-open", folder]}
    assert post(server, f"/videos/{video}/open-location")["command"] == ["xdg-open", folder]
    run_dir = str(seeded.run_dir.resolve())
    assert post(server, f"/experiments/{seeded.experiment_id}/reveal")["command"] == ["xdg-open", run_dir]
    assert xdg_open.wait_for_invocations(3) == [[folder], [folder], [run_dir]]

    # ...and with one: the file is selected
    file_manager = start_file_manager(session_bus)
    try:
        command = post(server, f"/videos/{video}/reveal")["command"]
        assert command[0] == "gdbus" and "org.freedesktop.FileManager1.ShowItems" in command
        assert file_manager.wait_for_calls("ShowItems") == [[[seeded.video_path.resolve().as_uri()], ""]]
        assert call(server, "GET", "/system/integrations")["reveal"]["method"] == "file-manager"
    finally:
        file_manager.stop()

    # Notifications: a clear 503 without a service, a real Notify with one
    refused = post(server, "/system/notify-test", 503)["error"]
    assert refused["code"] == "integration_unavailable" and "dunst" in refused["message"]
    daemon: FakeService = start_notification_daemon(session_bus)
    try:
        assert post(server, "/system/notify-test")["notifications"]["available"] is True
        assert [(a[0], a[3]) for a in daemon.wait_for_calls("Notify")] == [("Retro ML Trainer", "Retro ML Trainer")]
        assert call(server, "GET", "/system/integrations")["notifications"]["available"] is True
    finally:
        daemon.stop()

    # Unknown ids are 404s, malformed ones 400s, a vanished file a 404
    for path in (f"/videos/{UNKNOWN}/reveal", f"/videos/{UNKNOWN}/copy-path", f"/experiments/{UNKNOWN}/reveal"):
        assert post(server, path, 404)["error"]["code"] == "not_found"
    assert post(server, "/videos/nope/reveal", 400)["error"]["code"] == "invalid_input"
    seeded.video_path.unlink()
    assert "video file" in post(server, f"/videos/{video}/copy-path", 404)["error"]["message"]
    assert len(xdg_open.invocations()) == 3

    # the three toggles are settings like any other
    settings = call(server, "GET", "/settings")
    assert {k: v for k, v in settings["settings"].items() if k.startswith("notify_")} == {
        "notify_training_complete": True,
        "notify_video_generated": True,
        "notify_training_failed": True,
    }
    bad = call(server, "PUT", "/settings", 400, json={"notify_video_generated": "no"})
    assert bad["error"]["field"] == "settings.notify_video_generated"
    changed = call(server, "PUT", "/settings", json={"notify_video_generated": False})
    assert changed["settings"]["notify_video_generated"] is False


def test_on_a_bare_machine_every_missing_piece_is_a_clear_503(seeded: Seeded, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    env = {
        "DISPLAY": None,
        "WAYLAND_DISPLAY": None,
        "DBUS_SESSION_BUS_ADDRESS": None,
        "XDG_RUNTIME_DIR": str(tmp_path),
        "PATH": str(empty),  # no xdg-open, gdbus, xclip or notify-send
    }
    with serve(seeded, env) as server:
        integrations = call(server, "GET", "/system/integrations")
        assert integrations["clipboard"]["available"] is False
        assert integrations["reveal"] == {
            "available": False,
            "reason": "Opening folders needs xdg-open: install xdg-utils (Debian/Ubuntu: sudo apt install xdg-utils).",
            "method": None,
        }
        assert integrations["notifications"]["available"] is False

        copy = post(server, f"/videos/{seeded.video_id}/copy-path", 503)["error"]
        assert copy["code"] == "integration_unavailable" and "DISPLAY is not set" in copy["message"]
        reveal = post(server, f"/experiments/{seeded.experiment_id}/reveal", 503)["error"]
        assert "install xdg-utils" in reveal["message"]
        notify = post(server, "/system/notify-test", 503)["error"]
        assert "there is no D-Bus session bus" in notify["message"]
        assert "Desktop notifications are off" in server.log_text()  # said once, in the log
        assert server.log_text().count("Desktop notifications are off") == 1


def test_without_a_display_open_location_says_it_cannot_instead_of_opened(
    seeded: Seeded, tmp_path: Path, xdg_open: RecordingTool
) -> None:
    """xdg-open installed but nothing to show a window on (an SSH session, a headless server):
    every reveal is a 503 that says so, and xdg-open is never started."""
    env = {
        "DISPLAY": None,
        "WAYLAND_DISPLAY": None,
        "DBUS_SESSION_BUS_ADDRESS": None,
        "XDG_RUNTIME_DIR": str(tmp_path),  # no bus socket there: no file manager either
        "PATH": xdg_open.path_with_it(),
    }
    with serve(seeded, env) as server:
        reveal = call(server, "GET", "/system/integrations")["reveal"]
        assert reveal["available"] is False and "no graphical display" in reveal["reason"]
        for path in (
            f"/videos/{seeded.video_id}/open-location",
            f"/videos/{seeded.video_id}/reveal",
            f"/experiments/{seeded.experiment_id}/reveal",
            "/system/reveal-data-folder",
        ):
            error = post(server, path, 503)["error"]
            assert error["code"] == "integration_unavailable", path
            assert "no graphical display (DISPLAY and WAYLAND_DISPLAY are not set)" in error["message"], path
    assert xdg_open.invocations() == []
