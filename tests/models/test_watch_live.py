"""Watching a model version play live (the Models tab's Watch): a real tiny PPO model (the real worker
trained it), the real server, real Socket.IO clients. Frames carry the model's step count and the live
score; speed 4 plays more game per wall second than speed 1 in the same process; the player exits once
the last watcher leaves or disconnects, and none outlives the server; bad requests are 4xx, a damaged
or missing model file is refused in the ack with no process left behind."""

from __future__ import annotations

import shutil
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from retro_ml.run_contract import LIVE_ENDED, LIVE_FRAME, LIVE_VIEW_WATCH_TIMEOUT_SECONDS
from tests.helpers.api_client import call
from tests.helpers.run_configs import PPO_TINY_CONFIG
from tests.helpers.seeded_runs import Seeded
from tests.helpers.server import LiveServer, start_server
from tests.helpers.socket_events import RecordingClient
from tests.helpers.worker_runs import make_run_dir, run_worker_to_end, worker_log

pytestmark = pytest.mark.training

# Pong: even a model of 1,024 steps loses a game in a minute or two of play (the opponent scores
# 21), so games follow one another; a Breakout model that never presses FIRE sits until the cap.
GAME, ENV_ID = "pong", "ALE/Pong-v5"
FPS = 15
EXIT_TIMEOUT = LIVE_VIEW_WATCH_TIMEOUT_SECONDS + 5  # SIGTERM ends it at once; this is the outer bound


class WatchClient(RecordingClient):
    """A RecordingClient that stamps each live.frame with its arrival time and records live.ended."""

    def __init__(self, server: LiveServer) -> None:
        super().__init__()
        self.client.on(LIVE_ENDED, self._recorder(LIVE_ENDED))
        self.connect(server.base_url, auth={"token": server.token})

    def _recorder(self, name: str) -> Callable[[dict[str, Any]], None]:
        record = super()._recorder(name)
        if name != LIVE_FRAME:
            return record

        def timed(data: dict[str, Any]) -> None:
            data["arrived"] = time.monotonic()
            record(data)

        return timed

    def ask(self, event: str, data: dict[str, Any]) -> dict[str, Any]:
        ack = self.client.call(event, data, timeout=90)
        assert isinstance(ack, dict), ack
        return ack

    def frames(self, model_id: str) -> list[dict[str, Any]]:
        return [d for d in self.of(LIVE_FRAME) if d.get("model_id") == model_id]


def players(data_dir: Path) -> list[psutil.Process]:
    """The model-play processes working for the app of `data_dir`."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if "model-play" in cmdline and any(arg.startswith(str(data_dir)) for arg in cmdline):
            found.append(process)
    return found


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def game_frames_per_second(frames: list[dict[str, Any]]) -> float:
    """Emulator frames the game advanced per wall second, between consecutive frames of one game."""
    advanced = seconds = 0.0
    for before, after in zip(frames, frames[1:], strict=False):
        if after["game"] == before["game"]:
            advanced += after["game_frame"] - before["game_frame"]
            seconds += after["arrived"] - before["arrived"]
    assert seconds > 1, frames
    return advanced / seconds


@pytest.fixture(scope="module")
def trained_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """model.zip of a finished 1024-step PPO Pong run (the real worker)."""
    run_dir = make_run_dir(tmp_path_factory.mktemp("watch-train"), GAME, ENV_ID, "ppo", PPO_TINY_CONFIG)
    assert run_worker_to_end(run_dir) == 0, worker_log(run_dir)
    return run_dir / "model.zip"


def serve_model(data_dir: Path, model: Path) -> tuple[LiveServer, Seeded]:
    """A server whose one finished Pong PPO run has `model` as its final model and as a checkpoint."""
    seeded = Seeded(data_dir, GAME, ENV_ID)
    shutil.copyfile(model, seeded.run_dir / "model.zip")
    (seeded.run_dir / "checkpoints").mkdir()
    shutil.copyfile(model, seeded.run_dir / "checkpoints" / "step_512.zip")
    return start_server(data_dir), seeded


def versions(server: LiveServer) -> dict[str, dict[str, Any]]:
    return {m["kind"]: m for m in call(server, "GET", "/models")["models"]}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, trained_model: Path) -> Iterator[tuple[LiveServer, Seeded]]:
    server, seeded = serve_model(tmp_path_factory.mktemp("watch") / "data", trained_model)
    try:
        yield server, seeded
    finally:
        assert server.stop() == 0, server.log_text()


def test_watching_streams_the_models_games_and_speed_4_plays_faster(lab: tuple[LiveServer, Seeded]) -> None:
    server, seeded = lab
    model = versions(server)["final"]
    client = WatchClient(server)
    try:
        ack = client.ask("live.watch", {"model_id": model["id"], "fps": FPS})
        assert ack == {"ok": True, "model_id": model["id"], "fps": FPS, "speed": 1, "num_timesteps": 1024}, ack
        assert len(players(server.data_dir)) == 1
        assert client.wait_for(LIVE_FRAME, lambda d: d.get("model_id") == model["id"], 30)
        time.sleep(4)
        at_speed_1 = client.frames(model["id"])
        speed = call(server, "PUT", f"/models/{model['id']}/watch", json={"speed": 4})
        assert speed == {"model_id": model["id"], "watching": True, "speed": 4, "games": speed["games"]}
        time.sleep(1)  # the player re-reads SPEED every half second
        since = len(client.frames(model["id"]))
        time.sleep(4)
        at_speed_4 = client.frames(model["id"])[since:]

        first = at_speed_1[0]
        assert (first["width"], first["height"], first["timestep"]) == (320, 420, 1024)
        assert isinstance(first["jpeg"], bytes) and first["jpeg"][:2] == b"\xff\xd8"
        assert {"score", "game", "game_frame"} <= set(first), first
        slow, fast = game_frames_per_second(at_speed_1), game_frames_per_second(at_speed_4)
        print(f"\ngame frames per wall second: speed 1 {slow:.0f}, speed 4 {fast:.0f} ({fast / slow:.1f}×)")
        assert fast >= 2 * slow, (slow, fast)

        # Games follow one another; each one's score is reported.
        assert wait_until(lambda: call(server, "GET", f"/models/{model['id']}/watch")["games"], 60)
        status = call(server, "GET", f"/models/{model['id']}/watch")
        assert status["watching"] is True and status["speed"] == 4
        assert all(isinstance(score, float) and -21 <= score <= 21 for score in status["games"]), status  # Pong
        assert len(players(server.data_dir)) == 1, "one process, whatever the speed"
    finally:
        client.close()
    assert wait_until(lambda: not players(server.data_dir), EXIT_TIMEOUT)
    assert wait_until(lambda: not list((seeded.data_dir / "model-watch").iterdir()), 5), "its folder goes too"


def test_the_player_exits_when_the_last_watcher_leaves(lab: tuple[LiveServer, Seeded]) -> None:
    server, _seeded = lab
    model_id = versions(server)["final"]["id"]
    first, second = WatchClient(server), WatchClient(server)
    try:
        assert first.ask("live.watch", {"model_id": model_id})["ok"]
        assert second.ask("live.watch", {"model_id": model_id, "speed": 2})["speed"] == 2
        [player] = players(server.data_dir)
        assert second.wait_for(LIVE_FRAME, lambda d: d.get("model_id") == model_id, 30)

        assert first.ask("live.unwatch", {"model_id": model_id}) == {"ok": True, "model_id": model_id}
        time.sleep(1)
        assert player.is_running(), "someone still watches"
        assert call(server, "GET", f"/models/{model_id}/watch")["watching"] is True

        second.close()  # leaves without a word: the disconnect ends its watch
        player.wait(EXIT_TIMEOUT)
        assert not players(server.data_dir)
        assert call(server, "GET", f"/models/{model_id}/watch") == {
            "model_id": model_id,
            "watching": False,
            "speed": None,
            "games": [],
        }
        body = call(server, "PUT", f"/models/{model_id}/watch", 409, json={"speed": 2})
        assert "Nobody is watching" in body["error"]["message"]
        assert not first.of(LIVE_ENDED), "a player stopped on purpose is no news"
    finally:
        first.close()
        second.close()


def test_bad_requests_are_4xx_and_leave_no_player(lab: tuple[LiveServer, Seeded]) -> None:
    server, seeded = lab
    model_id = versions(server)["final"]["id"]
    path = f"/models/{model_id}/watch"
    for speed in (3, 0, 8, "4", None, True, 1.5):
        body = call(server, "PUT", path, 400, json={"speed": speed})
        assert body["error"]["field"] == "speed" and "1, 2, 4" in body["error"]["message"], body
    assert call(server, "PUT", path, 400, json=[4])["error"]["code"] == "invalid_input"
    assert call(server, "PUT", "/models/0123456789ab/watch", 404, json={"speed": 2})["error"]["code"] == "not_found"
    assert call(server, "GET", "/models/0123456789ab/watch", 404)["error"]["code"] == "not_found"
    assert call(server, "PUT", path, 409, json={"speed": 2})["error"]["code"] == "conflict"

    client = WatchClient(server)
    try:
        refusals = {
            "unknown model": ({"model_id": "0123456789ab"}, "not_found"),
            "speed 3": ({"model_id": model_id, "speed": 3}, "invalid_input"),
            "fps 'fast'": ({"model_id": model_id, "fps": "fast"}, "invalid_input"),
            "empty id": ({"model_id": ""}, "invalid_input"),
        }
        for what, (payload, code) in refusals.items():
            ack = client.ask("live.watch", payload)
            assert ack["ok"] is False and ack["error"]["code"] == code, (what, ack)

        # The checkpoint's file damaged, then gone: refused in the ack, and no player left behind.
        checkpoint = versions(server)["checkpoint"]
        checkpoint_file = Path(checkpoint["path"])
        saved = checkpoint_file.read_bytes()
        checkpoint_file.write_bytes(saved[: len(saved) // 3])  # truncated: no zip
        ack = client.ask("live.watch", {"model_id": checkpoint["id"]})
        assert ack["ok"] is False and ack["error"]["code"] == "model_file_corrupt", ack
        assert "cannot be watched" in ack["error"]["message"]
        with zipfile.ZipFile(checkpoint_file, "w") as archive:  # a zip as SB3's, but no model in it
            archive.writestr("data", "{not json")
            archive.writestr("policy.pth", b"garbage")
        ack = client.ask("live.watch", {"model_id": checkpoint["id"]})  # only its player can tell
        assert ack["ok"] is False and ack["error"]["code"] == "model_file_corrupt", ack
        assert "cannot be loaded as a PPO model" in ack["error"]["message"], ack
        checkpoint_file.unlink()
        ack = client.ask("live.watch", {"model_id": checkpoint["id"]})
        assert ack["ok"] is False and ack["error"]["code"] == "model_file_missing", ack
        assert "checkpoint" not in versions(server), "a version whose file is gone leaves the list"
        assert wait_until(lambda: not players(server.data_dir), EXIT_TIMEOUT)
        assert wait_until(lambda: not list((seeded.data_dir / "model-watch").iterdir()), 5)
    finally:
        client.close()


def test_no_player_outlives_the_server(tmp_path: Path, trained_model: Path) -> None:
    server, _seeded = serve_model(tmp_path / "data", trained_model)
    client = WatchClient(server)
    try:
        model_id = versions(server)["final"]["id"]
        assert client.ask("live.watch", {"model_id": model_id, "speed": 4})["ok"]
        [player] = players(server.data_dir)
        assert client.wait_for(LIVE_FRAME, lambda d: d.get("model_id") == model_id, 30)
    finally:
        client.close()
        assert server.stop() == 0, server.log_text()
    assert not player.is_running()
    assert not players(server.data_dir)
