"""Exports and video management through the real server, on the videos of one real tiny run.

One server and one training run serve the whole module (training is the slow part); the tests
run in file order and the deletions come last.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from retro_ml.media import mp4_top_level_atoms, probe
from tests.helpers.api_client import call, create
from tests.helpers.run_configs import TINY_PPO
from tests.helpers.server import LiveServer, start_server
from tests.helpers.socket_events import RecordingClient

pytestmark = pytest.mark.training

EXPORT_EVENTS = ("export.progress", "export.complete", "export.failed")


class ExportEvents(RecordingClient):
    def __init__(self) -> None:
        super().__init__()
        for name in EXPORT_EVENTS:
            self.client.on(name, self._recorder(name))

    def jobs(self, name: str, job_id: str) -> list[dict[str, Any]]:
        return [d["job"] for n, d in list(self.events) if n == name and d["job"]["id"] == job_id]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    base = tmp_path_factory.mktemp("exports-api")
    (base / "xdg").mkdir()
    saved = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(base / "xdg")  # the server's OS trash: inside the test folder
    try:
        live = start_server(base / "data")
    finally:
        if saved is None:
            del os.environ["XDG_DATA_HOME"]
        else:
            os.environ["XDG_DATA_HOME"] = saved
    try:
        yield live
    finally:
        code = live.stop()
        assert code == 0, f"server exited with {code}:\n{live.log_text()}"
        assert "Traceback" not in live.log_text(), live.log_text()


@pytest.fixture
def events(server: LiveServer) -> Iterator[ExportEvents]:
    client = ExportEvents()
    client.connect(server.base_url, auth={"token": server.token})
    try:
        yield client
    finally:
        client.close()


@pytest.fixture(scope="module")
def run(server: LiveServer) -> dict[str, Any]:
    """A completed tiny Pong run with two milestone clips and an evaluation video."""
    watcher = RecordingClient()
    watcher.connect(server.base_url, auth={"token": server.token})
    try:
        config = {**TINY_PPO, "milestone_every_pct": 50, "milestone_max_seconds": 2, "eval_episodes": 1}
        experiment = create(server, game="pong", config=config)
        watcher.wait_for("training.complete", lambda d: d["experiment_id"] == experiment["id"], 240)
    finally:
        watcher.close()
    videos = call(server, "GET", f"/videos?experiment_id={experiment['id']}")["videos"]
    assert sorted(v["type"] for v in videos) == ["evaluation", "milestone", "milestone"]
    return experiment


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def videos_of(server: LiveServer, experiment: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return call(server, "GET", f"/videos?experiment_id={experiment['id']}&type={kind}")["videos"]


def wait_job(server: LiveServer, job_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job = call(server, "GET", f"/exports/{job_id}")["job"]
        if job["status"] in ("completed", "failed", "cancelled"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


def test_exporters_are_listed(server: LiveServer) -> None:
    exporters = call(server, "GET", "/exporters")["exporters"]
    assert [e["id"] for e in exporters] == ["video.copy", "video.youtube", "video.twitter", "model.share"]
    assert all({"id", "label", "description", "options"} <= set(e) for e in exporters)


def test_copy_export_streams_progress_then_completes(
    server: LiveServer, run: dict[str, Any], events: ExportEvents, out: Path
) -> None:
    [evaluation] = videos_of(server, run, "evaluation")
    job = call(
        server,
        "POST",
        f"/videos/{evaluation['id']}/export",
        202,
        json={"exporter": "video.copy", "destination": str(out)},
    )["job"]
    assert job["status"] in ("queued", "running", "completed") and job["video_id"] == evaluation["id"]
    done = events.wait_for("export.complete", lambda d: d["job"]["id"] == job["id"], 30)["job"]
    progress = events.jobs("export.progress", job["id"])
    assert progress and progress[0]["status"] == "running"
    jobs_in_order = [(name, data["job"]) for name, data in events.events if name.startswith("export.")]
    assert jobs_in_order.index(("export.progress", progress[0])) < jobs_in_order.index(("export.complete", done))
    [copied] = done["output_paths"]
    assert Path(copied).read_bytes() == Path(evaluation["path"]).read_bytes()
    assert Path(copied).name == f"{evaluation['name']}.mp4"
    assert call(server, "GET", f"/exports/{job['id']}")["job"] == done
    assert done in call(server, "GET", "/exports")["jobs"]


def test_youtube_export_is_upload_ready(server: LiveServer, run: dict[str, Any], out: Path) -> None:
    clip = videos_of(server, run, "milestone")[0]
    job = call(
        server, "POST", f"/videos/{clip['id']}/export", 202, json={"exporter": "video.youtube", "destination": str(out)}
    )["job"]
    job = wait_job(server, job["id"])
    assert job["status"] == "completed", job
    mp4, txt = map(Path, job["output_paths"])
    info = probe(mp4)
    assert (info.codec, info.profile, info.pix_fmt, info.width, info.height) == ("h264", "High", "yuv420p", 1920, 1080)
    assert info.fps == pytest.approx(60.0)
    assert mp4_top_level_atoms(mp4).index("moov") < mp4_top_level_atoms(mp4).index("mdat")
    assert txt.read_text(encoding="utf-8").startswith("Title:\nAI plays Pong after ")


def test_model_share_of_the_experiment(server: LiveServer, run: dict[str, Any], out: Path) -> None:
    job = call(
        server, "POST", f"/experiments/{run['id']}/export", 202, json={"exporter": "model.share", "dest": str(out)}
    )["job"]
    job = wait_job(server, job["id"])
    assert job["status"] == "completed" and job["experiment_id"] == run["id"], job
    [folder] = map(Path, job["output_paths"])
    assert folder.name == "ppo-ALE-Pong-v5"
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md",
        "config.json",
        "config.yml",
        "ppo-ALE-Pong-v5.zip",
        "replay.mp4",
        "results.json",
    ]
    assert (folder / "ppo-ALE-Pong-v5.zip").read_bytes() == (Path(run["run_dir"]) / "model.zip").read_bytes()


def test_a_queued_export_can_be_cancelled(server: LiveServer, run: dict[str, Any], out: Path) -> None:
    ids = [v["id"] for v in call(server, "GET", f"/videos?experiment_id={run['id']}")["videos"]]
    body = call(
        server, "POST", "/videos/export", 202, json={"ids": ids, "exporter": "video.youtube", "destination": str(out)}
    )
    assert [j["video_id"] for j in body["jobs"]] == ids and body["errors"] == []
    last = body["jobs"][-1]  # re-encodes run one at a time: the last waits its turn
    cancelled = call(server, "POST", f"/exports/{last['id']}/cancel")["job"]
    assert cancelled["status"] == "cancelled", cancelled
    for job in body["jobs"][:-1]:
        assert wait_job(server, job["id"])["status"] == "completed"
    assert call(server, "POST", f"/exports/{last['id']}/cancel", 409)["error"]["code"] == "conflict"
    assert len([p for p in out.iterdir() if p.suffix == ".mp4"]) == len(ids) - 1
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


def test_bad_export_requests_are_4xx(server: LiveServer, run: dict[str, Any], out: Path) -> None:
    video_id = videos_of(server, run, "milestone")[0]["id"]
    path = f"/videos/{video_id}/export"
    for payload, field in [
        ({"exporter": "video.copy", "destination": str(out / "nope")}, "destination"),
        ({"exporter": "video.copy", "destination": "relative"}, "destination"),
        ({"exporter": "video.copy", "destination": "/tmp/" + "x" * 300}, "destination"),  # ENAMETOOLONG
        ({"exporter": "video.copy"}, "destination"),
        ({"exporter": "video.mov", "destination": str(out)}, "exporter"),
        ({"exporter": "model.share", "destination": str(out)}, "exporter"),
        (
            {"exporter": "video.copy", "destination": str(out), "options": {"on_conflict": "overwrite"}},
            "options.on_conflict",
        ),
    ]:
        error = call(server, "POST", path, 400, json=payload)["error"]
        assert error["code"] == "invalid_input" and error["field"] == field, (payload, error)
    assert call(
        server, "POST", "/videos/0123456789ab/export", 404, json={"exporter": "video.copy", "destination": str(out)}
    )
    assert call(
        server,
        "POST",
        f"/experiments/{run['id']}/export",
        400,
        json={"exporter": "video.copy", "destination": str(out)},
    )
    assert call(server, "POST", path, 400, data="not json")["error"]["code"] == "invalid_input"
    assert call(server, "GET", "/exports/0123456789ab", 404)["error"]["code"] == "not_found"
    assert call(server, "GET", "/exports/not-a-job", 400)["error"]["field"] == "id"
    assert list(out.iterdir()) == []


def test_rename_good_and_bad(server: LiveServer, run: dict[str, Any]) -> None:
    clip = videos_of(server, run, "milestone")[0]
    folder = Path(clip["path"]).parent
    before = sorted(p.name for p in folder.iterdir())
    for bad in ("../x", "con", "", "x" * 300, "a/b", "   "):
        error = call(server, "PATCH", f"/videos/{clip['id']}", 400, json={"name": bad})["error"]
        assert error["field"] == "name", error
    assert sorted(p.name for p in folder.iterdir()) == before
    assert call(server, "GET", f"/videos/{clip['id']}")["video"] == clip

    renamed = call(server, "PATCH", f"/videos/{clip['id']}", json={"name": "Pong at its best"})["video"]
    assert renamed["name"] == "Pong at its best" and renamed["path"] == str(folder / "Pong at its best.mp4")
    assert Path(renamed["path"]).is_file() and not Path(clip["path"]).exists()
    assert Path(renamed["metadata"]["thumbnail_path"]).name == "Pong at its best.png"
    served = requests.get(f"{server.base_url}/api/videos/{clip['id']}/file", headers=server.auth_headers, timeout=30)
    assert served.status_code == 200 and served.content == Path(renamed["path"]).read_bytes()
    other = videos_of(server, run, "milestone")[1]
    assert (
        call(server, "POST", f"/videos/{other['id']}/rename", 409, json={"name": "Pong at its best"})["error"]["code"]
        == "conflict"
    )
    linked = call(server, "GET", f"/experiments/{run['id']}")["experiment"]["artifacts"]["videos"]
    assert {"id": clip["id"], "type": "milestone", "path": renamed["path"]} in linked


def test_concurrent_renames_of_one_video_end_consistent(server: LiveServer, run: dict[str, Any]) -> None:
    clip = videos_of(server, run, "milestone")[1]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def rename(name: str) -> None:
        barrier.wait()
        response = requests.patch(
            f"{server.base_url}/api/videos/{clip['id']}", json={"name": name}, headers=server.auth_headers, timeout=30
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=rename, args=(name,)) for name in ("Race A", "Race B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 200]  # one after the other: the later one wins
    final = call(server, "GET", f"/videos/{clip['id']}")["video"]
    assert final["name"] in ("Race A", "Race B") and final["path"].endswith(f"{final['name']}.mp4")
    names = sorted(p.name for p in Path(final["path"]).parent.iterdir())
    loser = ({"Race A", "Race B"} - {final["name"]}).pop()
    assert f"{final['name']}.mp4" in names and f"{loser}.mp4" not in names and f"{loser}.png" not in names


def test_batch_tag_and_favorite(server: LiveServer, run: dict[str, Any]) -> None:
    ids = [v["id"] for v in call(server, "GET", f"/videos?experiment_id={run['id']}")["videos"]]
    results = call(
        server, "POST", "/videos/batch", json={"ids": [*ids, "0123456789ab"], "action": "tag", "tags": ["share"]}
    )["results"]
    assert [r["ok"] for r in results] == [True] * len(ids) + [False]
    assert all("share" in r["video"]["metadata"]["tags"] for r in results[:-1])
    call(server, "POST", "/videos/batch", json={"ids": ids[:1], "action": "favorite"})
    favorites = call(server, "GET", "/videos?favorite=true")["videos"]
    assert [v["id"] for v in favorites] == ids[:1]
    assert len(call(server, "GET", "/videos?tag=share")["videos"]) == len(ids)
    assert call(server, "POST", "/videos/batch", 400, json={"ids": ids, "action": "burn"})["error"]["field"] == "action"
    patched = call(server, "PATCH", f"/videos/{ids[1]}", json={"favorite": True, "tags": ["mine"]})["video"]
    assert patched["metadata"]["favorite"] is True and patched["metadata"]["tags"] == ["mine"]


def test_delete_goes_to_the_trash(server: LiveServer, run: dict[str, Any]) -> None:
    [evaluation] = videos_of(server, run, "evaluation")
    old_path = Path(evaluation["path"])
    assert call(server, "DELETE", f"/videos/{evaluation['id']}") == {"deleted": evaluation["id"]}
    assert evaluation["id"] not in [v["id"] for v in call(server, "GET", "/videos")["videos"]]
    assert not old_path.exists() and not old_path.with_suffix(".png").exists()
    trash = server.data_dir.parent / "xdg" / "Trash" / "files"
    assert (trash / old_path.name).is_file() and (trash / old_path.with_suffix(".png").name).is_file()
    assert call(server, "GET", f"/videos/{evaluation['id']}", 404)["error"]["code"] == "not_found"
    linked = call(server, "GET", f"/experiments/{run['id']}")["experiment"]["artifacts"]["videos"]
    assert evaluation["id"] not in [v["id"] for v in linked]
    rest = [v["id"] for v in call(server, "GET", f"/videos?experiment_id={run['id']}")["videos"]]
    results = call(server, "POST", "/videos/batch", json={"ids": rest, "action": "delete"})["results"]
    assert all(r["ok"] for r in results) and call(server, "GET", "/videos")["videos"] == []
