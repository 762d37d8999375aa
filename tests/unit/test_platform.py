"""The platform layer: reveal commands per OS, and for real on Linux (a private D-Bus with a fake
file manager, a recording xdg-open), the clipboard through Xvfb and xclip."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from retro_ml.platform import (
    LinuxPlatform,
    MacPlatform,
    PlatformUnavailable,
    WindowsPlatform,
    current_platform,
)
from retro_ml.platform.linux import FILE_MANAGER, show_items_command, xdg_open_command
from retro_ml.platform.windows import windows_command_line
from tests.helpers.desktop import FakeService, RecordingTool, read_clipboard, spawn_service


@pytest.fixture
def video(tmp_path: Path) -> Path:
    path = tmp_path / "runs" / "a1b2" / "videos" / "Breakout #1, it's 50% · é.mp4"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x00" * 16)
    return path


def test_current_platform_follows_sys_platform() -> None:
    assert isinstance(current_platform("win32"), WindowsPlatform)
    assert isinstance(current_platform("darwin"), MacPlatform)
    assert isinstance(current_platform("linux"), LinuxPlatform)
    assert isinstance(current_platform("freebsd14"), LinuxPlatform)


@pytest.mark.parametrize(
    ("platform", "path", "command"),
    [
        (WindowsPlatform(), r"C:\Users\me\Videos\a b.mp4", ["explorer", r"/select,C:\Users\me\Videos\a b.mp4"]),
        (WindowsPlatform(), "C:/Users/me/a.mp4", ["explorer", r"/select,C:\Users\me\a.mp4"]),
        (MacPlatform(), "/Users/me/Movies/a b.mp4", ["open", "-R", "/Users/me/Movies/a b.mp4"]),
    ],
    ids=["windows", "windows-forward-slashes", "macos"],
)  # fmt: skip
def test_reveal_command_selects_the_file(platform: object, path: str, command: list[str]) -> None:
    assert platform.reveal_command(path) == command  # type: ignore[attr-defined]


def test_reveal_command_opens_a_folder(tmp_path: Path) -> None:
    assert MacPlatform().reveal_command(tmp_path) == ["open", str(tmp_path)]
    assert show_items_command(tmp_path)[-2:] == [f"['{tmp_path.as_uri()}']", "''"]
    assert f"{FILE_MANAGER}.ShowFolders" in show_items_command(tmp_path)
    assert xdg_open_command(tmp_path) == ["xdg-open", str(tmp_path)]


def test_linux_commands_for_a_file(video: Path) -> None:
    assert show_items_command(video) == [
        "gdbus", "call", "--session", "--dest", FILE_MANAGER, "--object-path", "/org/freedesktop/FileManager1",
        "--method", f"{FILE_MANAGER}.ShowItems", f"['{video.as_uri()}']", "''",
    ]  # fmt: skip
    assert "'" not in video.as_uri() and "," not in video.as_uri()  # safe inside the GVariant literal
    assert xdg_open_command(video) == ["xdg-open", str(video.parent)]


def test_windows_command_line_quotes_the_path_after_select() -> None:
    command = WindowsPlatform().reveal_command(r"C:\My Videos\a b.mp4")
    assert windows_command_line(command) == r'"explorer" /select,"C:\My Videos\a b.mp4"'


def test_linux_reveal_asks_the_file_manager_to_select_the_file(
    file_manager: FakeService, xdg_open: RecordingTool, video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", xdg_open.path_with_it())
    platform = LinuxPlatform()
    assert platform.reveal_state().to_dict() == {"available": True, "reason": "", "method": "file-manager"}
    assert platform.reveal(video) == show_items_command(video)
    assert file_manager.wait_for_calls("ShowItems") == [[[video.as_uri()], ""]]
    platform.reveal(video.parent)
    assert file_manager.wait_for_calls("ShowFolders") == [[[video.parent.as_uri()], ""]]
    assert xdg_open.invocations() == []


def test_linux_reveal_without_a_file_manager_opens_the_folder_with_xdg_open(
    session_bus: str, xvfb_display: str, xdg_open: RecordingTool, video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", xdg_open.path_with_it())
    monkeypatch.setenv("DISPLAY", xvfb_display)  # xdg-open is only started where it can show something
    platform = LinuxPlatform()
    state = platform.reveal_state()
    assert (state.available, state.method) == (True, "xdg-open") and FILE_MANAGER in state.reason
    assert platform.reveal(video) == ["xdg-open", str(video.parent)]
    assert xdg_open.wait_for_invocations() == [[str(video.parent)]]


def test_linux_reveal_falls_back_to_xdg_open_when_the_file_manager_fails(
    session_bus: str, xvfb_display: str, xdg_open: RecordingTool, video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", xdg_open.path_with_it())
    monkeypatch.setenv("DISPLAY", xvfb_display)  # xdg-open is only started where it can show something
    failing = spawn_service(
        session_bus,
        FILE_MANAGER,
        "/org/freedesktop/FileManager1",
        [("ShowItems", "ass", "", "raise dbus.exceptions.DBusException('no window', name='org.example.Broken')")],
    )
    try:
        assert LinuxPlatform().reveal(video)[0] == "gdbus"
        assert xdg_open.wait_for_invocations() == [[str(video.parent)]]
        assert len(failing.calls("ShowItems")) == 1
    finally:
        failing.stop()


def test_linux_reveal_without_any_tool_says_what_to_install(
    tmp_path: Path, video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    platform = LinuxPlatform()
    assert platform.reveal_state().available is False
    with pytest.raises(PlatformUnavailable, match="install xdg-utils") as raised:
        platform.reveal(video)
    assert raised.value.status == 503 and raised.value.code == "integration_unavailable"


def test_clipboard_round_trip_through_xclip(xvfb_display: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", xvfb_display)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    platform = LinuxPlatform()
    assert platform.clipboard_state().to_dict() == {"available": True, "reason": "", "method": "xclip"}
    for text in ("/data/runs/a1b2/videos/Breakout #1 · é.mp4", "second copy wins"):
        platform.copy_to_clipboard(text)
        assert read_clipboard(xvfb_display) == text


def test_a_copy_leaves_nothing_holding_the_apps_output(xvfb_display: str) -> None:
    """xclip stays in the background to serve the clipboard; it must not keep the app's stdout open."""
    script = "from retro_ml.platform import LinuxPlatform; LinuxPlatform().copy_to_clipboard('x'); print('copied')"
    env = {**os.environ, "DISPLAY": xvfb_display}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, timeout=30)  # EOF or hang
    assert result.stdout == b"copied\n", result.stderr.decode()
    assert read_clipboard(xvfb_display) == "x"


def test_clipboard_on_a_display_that_is_gone_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    unused = next(n for n in range(180, 400) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    monkeypatch.setenv("DISPLAY", f":{unused}")
    with pytest.raises(PlatformUnavailable, match=f"display :{unused} .xclip: Error: Can't open display"):
        LinuxPlatform().copy_to_clipboard("lost")


def test_clipboard_without_display_or_tool_says_what_to_do(
    xvfb_display: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with pytest.raises(PlatformUnavailable, match="DISPLAY is not set"):
        LinuxPlatform().copy_to_clipboard("x")
    monkeypatch.setenv("DISPLAY", xvfb_display)
    monkeypatch.setenv("PATH", str(tmp_path))  # no xclip, no xsel
    state = LinuxPlatform().clipboard_state()
    assert state.available is False and "sudo apt install xclip" in state.reason
    with pytest.raises(PlatformUnavailable, match="xclip or xsel"):
        LinuxPlatform().copy_to_clipboard("x")
