"""The desktop shell's small pieces without a display: remembered geometry, the focus hand-off."""

from __future__ import annotations

import json
import os
import socket
import threading
from pathlib import Path

from retro_ml.desktop import window_state
from retro_ml.desktop.close_prompt import close_prompt_script
from retro_ml.desktop.single_instance import FILE_NAME, FocusListener, request_focus, running_window
from retro_ml.desktop.window_state import WindowState

SCREEN = [(0, 0, 1920, 1080)]


def test_state_round_trips_and_survives_a_broken_file(tmp_path: Path) -> None:
    assert window_state.load(tmp_path) == WindowState()
    window_state.save(tmp_path, WindowState(1100, 700, 40, 30, False))
    assert window_state.load(tmp_path) == WindowState(1100, 700, 40, 30, False)
    (tmp_path / window_state.FILE_NAME).write_text("{not json")
    assert window_state.load(tmp_path) == WindowState()
    (tmp_path / window_state.FILE_NAME).write_text(json.dumps({"width": "huge", "x": True, "maximized": 1}))
    assert window_state.load(tmp_path) == WindowState()


def test_a_window_left_on_a_missing_monitor_comes_back_centred_and_fitting() -> None:
    gone = WindowState(1280, 800, 2500, 100).on_screens(SCREEN)  # was on a second monitor
    assert (gone.x, gone.y) == (None, None)
    kept = WindowState(1280, 800, 1900 - 1280, 50).on_screens(SCREEN)
    assert (kept.x, kept.y) == (620, 50)
    huge = WindowState(4000, 3000, 0, 0).on_screens(SCREEN)
    assert (huge.width, huge.height) == (1920, 1080)
    tiny = WindowState(200, 100).on_screens(SCREEN)
    assert (tiny.width, tiny.height) == (window_state.MIN_WIDTH, window_state.MIN_HEIGHT)
    assert WindowState(1280, 800, 10, 10).on_screens([]) == WindowState(1280, 800, 10, 10)


def test_focus_requests_need_the_secret(tmp_path: Path) -> None:
    focused = threading.Event()
    listener = FocusListener(tmp_path, focused.set)
    try:
        info = json.loads((tmp_path / FILE_NAME).read_text())
        assert info["pid"] == os.getpid()
        if os.name != "nt":
            assert (tmp_path / FILE_NAME).stat().st_mode & 0o077 == 0
        # a page or another user without the secret is refused
        with socket.create_connection(("127.0.0.1", listener.port), timeout=5) as connection:
            connection.sendall(b'{"secret": "guess", "action": "focus"}\n')
            assert connection.makefile().readline().strip() == "denied"
        assert not focused.is_set()
        # this process is not "another instance" of itself
        assert running_window(tmp_path) is None
        with socket.create_connection(("127.0.0.1", listener.port), timeout=5) as connection:
            connection.sendall((json.dumps({"secret": info["secret"], "action": "focus"}) + "\n").encode())
            assert connection.makefile().readline().strip() == "ok"
        assert focused.wait(5)
    finally:
        listener.close()
    assert not (tmp_path / FILE_NAME).exists()


def test_a_stale_instance_file_is_ignored(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_text(json.dumps({"pid": 2**22 + 12345, "port": 1, "secret": "x"}))
    assert running_window(tmp_path) is None
    assert request_focus(tmp_path) is False


def test_the_close_question_carries_names_as_data() -> None:
    script = close_prompt_script(['<img src=x onerror="alert(1)">', "Pong #2"])
    assert "textContent" in script and "innerHTML" not in script
    payload = json.loads(script[script.rindex("})(") + 3 : script.rindex(")")])
    assert payload["names"] == ['<img src=x onerror="alert(1)">', "Pong #2"]
    assert payload["lead"].startswith("2 training runs are still going")


def test_server_json_names_the_server_a_window_attaches_to() -> None:
    from retro_ml.desktop.attach import OtherServer, other_server

    served = other_server({"pid": 42, "url": "http://127.0.0.1:8765", "token": "t0k"})
    assert served == OtherServer("http://127.0.0.1:8765", "t0k", 42)
    assert served.login_url == "http://127.0.0.1:8765/?token=t0k"
    # bound to every interface: reached over loopback
    assert other_server({"pid": 1, "url": "http://0.0.0.0:80", "token": "t"}) == OtherServer(
        "http://127.0.0.1:80", "t", 1
    )
    assert other_server({"pid": 1, "url": "http://[::]:80", "token": "t"}) == OtherServer("http://[::1]:80", "t", 1)
    # a terminal `retro-ml train` owns the folder, or the file is not a server's: nothing to open
    assert other_server({"pid": 1, "url": None}) is None
    assert other_server({"pid": 1, "url": "http://127.0.0.1:80"}) is None
    assert other_server({"pid": "1", "url": "http://127.0.0.1:80", "token": "t"}) is None
    assert other_server({"pid": 1, "url": "file:///etc/passwd", "token": "t"}) is None
