"""Settings → Storage → Data folder: a folder chosen through the API is where the next start
keeps its database and runs (when no --data-dir or RETRO_ML_DATA_DIR says otherwise); the
running app keeps its own. Real servers, a private XDG config dir."""

from __future__ import annotations

from pathlib import Path

import requests

from tests.helpers.server import LiveServer, start_server


def _call(server: LiveServer, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, f"{server.base_url}/api{path}", headers=server.auth_headers, timeout=30, **kwargs)


def _stop(server: LiveServer) -> None:
    assert server.stop() == 0, server.log_text()


def test_a_chosen_data_folder_is_used_from_the_next_start(tmp_path: Path) -> None:
    env = {
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        "RETRO_ML_DATA_DIR": None,
    }
    chosen = tmp_path / "my data"
    default = tmp_path / "xdg-data" / "RetroMLTrainer"

    # First start: no --data-dir, nothing chosen: the default place.
    server = start_server(tmp_path / "logs", env=env, pass_data_dir=False)
    try:
        state = _call(server, "GET", "/storage/data-folder").json()
        assert state == {
            "current": str(default),
            "source": "default",
            "chosen": None,
            "default": str(default),
            "next_start": str(default),
        }

        # Bad folders: 400 under "path", nothing chosen.
        for bad in ("relative/folder", "/proc/cannot-make-this"):
            refused = _call(server, "PUT", "/storage/data-folder", json={"path": bad})
            assert refused.status_code == 400, refused.text
            assert refused.json()["error"]["field"] == "path"
        assert _call(server, "PUT", "/storage/data-folder", json={"folder": "x"}).status_code == 400
        assert not (tmp_path / "config" / "RetroMLTrainer" / "data-location.json").exists()

        answer = _call(server, "PUT", "/storage/data-folder", json={"path": str(chosen)})
        assert answer.status_code == 200, answer.text
        assert answer.json()["next_start"] == str(chosen) and answer.json()["chosen"] == str(chosen)
        assert answer.json()["current"] == str(default)  # this launch keeps its folder
        assert (default / "retro_ml.json").is_file() and not chosen.joinpath("retro_ml.json").exists()
    finally:
        _stop(server)

    # Next start: the chosen folder, with its own (new) database.
    server = start_server(tmp_path / "logs", env=env, pass_data_dir=False)
    try:
        state = _call(server, "GET", "/storage/data-folder").json()
        assert state["current"] == str(chosen) and state["source"] == "settings"
        assert (chosen / "retro_ml.json").is_file()
        assert _call(server, "GET", "/experiments").json()["experiments"] == []

        # Back to the default place for the start after.
        back = _call(server, "PUT", "/storage/data-folder", json={"path": ""}).json()
        assert back["chosen"] is None and back["next_start"] == str(default)
    finally:
        _stop(server)

    # --data-dir wins over a choice, and says so.
    server = start_server(tmp_path / "explicit", env=env)
    try:
        state = _call(server, "GET", "/storage/data-folder").json()
        assert state["source"] == "argument" and state["current"] == str((tmp_path / "explicit").resolve())
    finally:
        _stop(server)
