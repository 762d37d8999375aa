"""Milestone clips from a real run become video artifacts served with HTTP range requests."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.helpers.api_client import call, create
from tests.helpers.run_configs import TINY_PPO
from tests.helpers.server import LiveServer
from tests.helpers.socket_events import RecordingClient

pytestmark = pytest.mark.training


def test_milestone_clips_are_listed_and_seekable(live_server: LiveServer, socket_client: RecordingClient) -> None:
    config = {**TINY_PPO, "milestone_every_pct": 50, "milestone_max_seconds": 2}
    experiment = create(live_server, game="pong", config=config)
    socket_client.wait_for("training.complete", lambda d: d["experiment_id"] == experiment["id"], 240)
    generated = socket_client.of("video.generated", experiment["id"])
    assert [g["milestone_pct"] for g in generated] == [50, 100]
    assert all(g["video_type"] == "milestone" and 0.5 < g["duration"] <= 2.05 for g in generated)

    videos = call(live_server, "GET", f"/videos?experiment_id={experiment['id']}")["videos"]
    assert [v["metadata"]["milestone_pct"] for v in videos] == [100, 50]  # newest first
    assert call(live_server, "GET", "/videos?type=hour")["videos"] == []
    assert call(live_server, "GET", "/videos?game=pong")["videos"] == videos
    assert call(live_server, "GET", "/videos?type=gif", 400)["error"]["field"] == "type"
    video = videos[0]
    assert video["metadata"]["width"] == 480 and video["metadata"]["height"] == 630
    assert video["metadata"]["tags"][0] == "pong"
    stored = call(live_server, "GET", f"/experiments/{experiment['id']}")["experiment"]
    assert {v["id"] for v in stored["artifacts"]["videos"]} == {v["id"] for v in videos}

    url = f"{live_server.base_url}/api/videos/{video['id']}/file"
    on_disk = Path(video["path"]).read_bytes()
    whole = requests.get(url, headers=live_server.auth_headers, timeout=30)
    assert whole.status_code == 200 and whole.content == on_disk and whole.headers["Content-Type"] == "video/mp4"
    part = requests.get(url, headers={**live_server.auth_headers, "Range": "bytes=100-1099"}, timeout=30)
    assert part.status_code == 206 and part.content == on_disk[100:1100]
    assert part.headers["Content-Range"] == f"bytes 100-1099/{len(on_disk)}"
    thumb = requests.get(
        f"{live_server.base_url}/api/videos/{video['id']}/thumbnail", headers=live_server.auth_headers, timeout=30
    )
    assert thumb.status_code == 200 and thumb.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert call(live_server, "GET", "/videos/0123456789ab", 404)["error"]["code"] == "not_found"

    call(live_server, "DELETE", f"/experiments/{experiment['id']}")
    assert call(live_server, "GET", "/videos")["videos"] == []
