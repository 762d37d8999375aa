"""The long video through the real server: its parts are listed while it is filmed, a killed
worker leaves the finished parts listed and playable, a stopped run still gets its joined video."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
import requests

from retro_ml.training.video import probe
from tests.helpers.api_client import call, create, worker_processes
from tests.helpers.run_configs import LONG_PPO
from tests.helpers.server import LiveServer
from tests.helpers.socket_events import RecordingClient

pytestmark = pytest.mark.training

# Footage is scarce for an hour of video: env 0 is filmed all the time, in 1 s parts.
FILMED = {**LONG_PPO, "video_length_hours": 1.0, "video_segment_seconds": 1}


def is_part(experiment_id: str, number: int):  # type: ignore[no-untyped-def]
    return lambda d: d["experiment_id"] == experiment_id and d.get("segment") == number


def download(server: LiveServer, video_id: str) -> bytes:
    response = requests.get(f"{server.base_url}/api/videos/{video_id}/file", headers=server.auth_headers, timeout=30)
    assert response.status_code == 200, response.text
    return response.content


def playable(content: bytes) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "part.mp4"
        path.write_bytes(content)
        return probe(path)


def test_a_killed_worker_leaves_its_finished_parts_listed_and_playable(
    live_server: LiveServer, socket_client: RecordingClient
) -> None:
    experiment = create(live_server, game="breakout", config=FILMED)
    socket_client.wait_for("video.generated", is_part(experiment["id"], 2), 180)
    [worker] = worker_processes(live_server)
    run_dir = Path(experiment["run_dir"])
    deadline = time.monotonic() + 10
    while not list((run_dir / "videos" / "hour").glob(".*.part")) and time.monotonic() < deadline:
        time.sleep(0.01)
    worker.kill()  # mid-segment: a part is being written
    assert list((run_dir / "videos" / "hour").glob(".*.part"))
    socket_client.wait_for(
        "experiment.status", lambda d: d["experiment_id"] == experiment["id"] and d["status"] == "failed", 60
    )

    parts = call(live_server, "GET", f"/videos?experiment_id={experiment['id']}&type=hour")["videos"]
    numbers = sorted(p["metadata"]["segment"] for p in parts)
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 2
    for part in parts:
        assert part["name"].endswith(f"Watch it learn (part {part['metadata']['segment']})")
        info = playable(download(live_server, part["id"]))
        assert info["codec"] == "h264" and info["fps"] == pytest.approx(60.0)
        assert info["duration"] == pytest.approx(1.0, abs=0.05)
    # What the killed writer was in the middle of is never listed, and is cleaned up.
    leftovers = [p.name for p in (run_dir / "videos").rglob(".*") if p.is_file()]
    assert leftovers == []
    assert not (run_dir / "videos" / "watch_it_learn.mp4").exists()


def test_a_stopped_run_gets_its_joined_video_in_place_of_the_parts(
    live_server: LiveServer, socket_client: RecordingClient
) -> None:
    experiment = create(live_server, game="pong", config=FILMED)
    socket_client.wait_for("video.generated", is_part(experiment["id"], 2), 180)
    call(live_server, "POST", f"/experiments/{experiment['id']}/stop", 202)
    joined = socket_client.wait_for(
        "video.generated",
        lambda d: d["experiment_id"] == experiment["id"] and d["video_type"] == "hour" and d.get("segment") is None,
        120,
    )
    socket_client.wait_for(
        "experiment.status", lambda d: d["experiment_id"] == experiment["id"] and d["status"] == "stopped", 60
    )
    parts = [d for d in socket_client.of("video.generated", experiment["id"]) if d.get("segment")]
    [video] = call(live_server, "GET", f"/videos?experiment_id={experiment['id']}&type=hour")["videos"]
    assert video["metadata"]["segment"] is None and video["name"].endswith("Watch it learn")
    assert video["metadata"]["frames"] == sum(p["frames"] for p in parts) == joined["frames"]
    assert video["metadata"]["target_seconds"] == 3600.0
    info = playable(download(live_server, video["id"]))
    assert info["frames"] == joined["frames"] and info["pix_fmt"] == "yuv420p"
    stored = call(live_server, "GET", f"/experiments/{experiment['id']}")["experiment"]
    assert [v["id"] for v in stored["artifacts"]["videos"] if v["type"] == "hour"] == [video["id"]]
    assert not (Path(experiment["run_dir"]) / "videos" / "hour").exists()
