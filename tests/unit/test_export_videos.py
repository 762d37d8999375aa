"""The video exporters through the export service: real files, real ffmpeg encodes, real events."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from retro_ml.errors import Conflict, InvalidInput, NotFound
from retro_ml.media import mp4_top_level_atoms, probe
from retro_ml.services.export import (
    ExportJob,
    ExportService,
    ModelShareExporter,
    TwitterExporter,
    VideoCopyExporter,
    YouTubeExporter,
)
from retro_ml.services.export.twitter import MAX_SECONDS, trimmed_part
from tests.helpers.exports import World, first_frame_brightness, make_world

SHORT_TWITTER_LIMIT = 2.0  # seconds: the real limit (140 s) would cost a minute of 720p encoding


@pytest.fixture
def world(tmp_path: Path) -> World:
    return make_world(tmp_path)


@pytest.fixture
def service(world: World) -> Iterator[ExportService]:
    exporters = [VideoCopyExporter(), YouTubeExporter(), TwitterExporter(SHORT_TWITTER_LIMIT), ModelShareExporter()]
    exports = ExportService(world.registry, world.library, world.store, world.bus, exporters)
    yield exports
    exports.shutdown()


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


def wait(job: ExportJob, timeout: float = 60) -> ExportJob:
    deadline = time.monotonic() + timeout
    while not job.is_finished:
        assert time.monotonic() < deadline, f"export still {job.status} after {timeout}s"
        time.sleep(0.02)
    return job


def test_the_catalogue_lists_every_exporter_with_its_options(service: ExportService) -> None:
    catalog = {e["id"]: e for e in service.catalog()}
    assert list(catalog) == ["video.copy", "video.youtube", "video.twitter", "model.share"]
    assert catalog["model.share"]["target"] == "experiment" and catalog["video.copy"]["target"] == "video"
    youtube_options = {o["name"]: o for o in catalog["video.youtube"]["options"]}
    assert youtube_options["resolution"] == {
        "name": "resolution",
        "type": "choice",
        "label": "Resolution",
        "description": "1080p (1920×1080) or 720p (1280×720).",
        "default": "1080p",
        "choices": ["1080p", "720p"],
    }
    assert {o["name"]: o["type"] for o in catalog["model.share"]["options"]} == {
        "zip": "boolean",
        "on_conflict": "choice",
    }
    assert all(e["label"] and e["description"] for e in catalog.values())


def test_copy_is_byte_identical_and_never_overwrites(world: World, service: ExportService, out: Path) -> None:
    video = world.add_video("milestone_050", seconds=1.0)
    (out / "Pong #1 · 50% milestone.mp4").write_bytes(b"the user's own file")
    job = wait(service.export_video(video.id, {"exporter": "video.copy", "destination": str(out)}))
    assert job.status == "completed", job.error
    assert job.output_paths == [str(out / "Pong #1 · 50% milestone (2).mp4")]
    assert Path(job.output_paths[0]).read_bytes() == Path(video.path).read_bytes()
    assert (out / "Pong #1 · 50% milestone.mp4").read_bytes() == b"the user's own file"
    assert sorted(p.name for p in out.iterdir()) == ["Pong #1 · 50% milestone (2).mp4", "Pong #1 · 50% milestone.mp4"]
    done = world.of("export.complete")[-1]["job"]
    assert done == job.to_dict() and done["status"] == "completed" and done["progress"] == 1.0
    assert done["video_id"] == video.id and "experiment_id" not in done and "error" not in done
    assert world.of("export.progress")[0]["job"]["status"] == "running"
    assert [j.id for j in service.jobs()] == [job.id] and service.get(job.id) is job
    # on_conflict "fail": refused at once (a 409), nothing written
    with pytest.raises(Conflict, match="already exists"):
        service.export_video(
            video.id, {"exporter": "video.copy", "destination": str(out), "options": {"on_conflict": "fail"}}
        )
    assert len(list(out.iterdir())) == 2


def test_request_problems_are_refused_before_any_job(world: World, service: ExportService, out: Path) -> None:
    video = world.add_video("milestone_050")
    cases = [
        ({"exporter": "video.gif", "destination": str(out)}, "exporter"),
        ({"exporter": "model.share", "destination": str(out)}, "exporter"),
        ({"exporter": "video.copy"}, "destination"),
        ({"exporter": "video.copy", "destination": "relative/folder"}, "destination"),
        ({"exporter": "video.copy", "destination": str(out / "missing")}, "destination"),
        ({"exporter": "video.copy", "destination": video.path}, "destination"),
        ({"exporter": "video.copy", "destination": str(out), "options": {"resolution": "4k"}}, "options.resolution"),
        ({"exporter": "video.youtube", "destination": str(out), "options": {"resolution": "4k"}}, "options.resolution"),
        ({"exporter": "video.copy", "destination": str(out), "options": "fast"}, "options"),
        ({"exporter": "video.copy", "destination": str(out), "speed": 2}, "speed"),
    ]
    for payload, field in cases:
        with pytest.raises(InvalidInput) as caught:
            service.export_video(video.id, payload)
        assert caught.value.field == field, payload
    with pytest.raises(NotFound):
        service.export_video("0123456789ab", {"exporter": "video.copy", "destination": str(out)})
    with pytest.raises(InvalidInput):
        service.export_video("../../etc", {"exporter": "video.copy", "destination": str(out)})
    assert service.jobs() == [] and list(out.iterdir()) == []


def test_youtube_file_is_upload_ready(world: World, service: ExportService, out: Path) -> None:
    video = world.add_video("milestone_050", seconds=1.0, timestep=250_000, milestone_pct=50.0)
    job = wait(service.export_video(video.id, {"exporter": "video.youtube", "destination": str(out)}))
    assert job.status == "completed", job.error
    mp4, txt = (Path(p) for p in job.output_paths)
    assert (mp4.name, txt.name) == (
        "Pong #1 · 50% milestone (YouTube 1080p).mp4",
        "Pong #1 · 50% milestone (YouTube 1080p).txt",
    )
    info = probe(mp4)
    assert (info.codec, info.profile, info.pix_fmt, info.width, info.height) == ("h264", "High", "yuv420p", 1920, 1080)
    assert info.fps == pytest.approx(60.0) and info.duration == pytest.approx(1.0, abs=0.05)
    atoms = mp4_top_level_atoms(mp4)
    assert atoms.index("moov") < atoms.index("mdat")  # faststart
    text = txt.read_text(encoding="utf-8")
    assert text.startswith("Title:\nAI plays Pong after 250K steps of PPO (50% trained)\n")
    assert "Made with Retro ML Trainer." in text and "<" not in text
    assert sorted(p.name for p in out.iterdir()) == sorted([mp4.name, txt.name])  # no temporary files left

    job = wait(
        service.export_video(
            video.id, {"exporter": "video.youtube", "destination": str(out), "options": {"resolution": "720p"}}
        )
    )
    assert (probe(job.output_paths[0]).width, probe(job.output_paths[0]).height) == (1280, 720)


def test_twitter_keeps_short_clips_whole_and_cuts_long_ones_to_their_end(
    world: World, service: ExportService, out: Path
) -> None:
    short = world.add_video("milestone_050", seconds=1.5)
    long = world.add_video("watch_it_learn", seconds=5.0, video_type="hour", milestone_pct=None)
    jobs = [
        service.export_video(short.id, {"exporter": "video.twitter", "destination": str(out)}),
        service.export_video(long.id, {"exporter": "video.twitter", "destination": str(out)}),
        service.export_video(
            long.id, {"exporter": "video.twitter", "destination": str(out), "options": {"trim": "start"}}
        ),
    ]
    whole, end, start = (probe(wait(job).output_paths[0]) for job in jobs)
    for info in (whole, end, start):
        assert (info.codec, info.profile, info.pix_fmt, info.width, info.height) == (
            "h264",
            "High",
            "yuv420p",
            1280,
            720,
        )
    assert whole.duration == pytest.approx(1.5, abs=0.05)
    assert end.duration <= SHORT_TWITTER_LIMIT and start.duration <= SHORT_TWITTER_LIMIT
    assert end.duration == pytest.approx(SHORT_TWITTER_LIMIT, abs=0.05)
    # The clip ramps from black to white: the end part starts bright, the start part dark.
    assert (
        first_frame_brightness(Path(jobs[1].output_paths[0]))
        > 100
        > first_frame_brightness(Path(jobs[2].output_paths[0]))
    )
    assert [Path(j.output_paths[0]).name for j in jobs] == [
        "Pong #1 · 50% milestone (X).mp4",
        "Pong #1 · Watch it learn (X).mp4",
        "Pong #1 · Watch it learn (X) (2).mp4",
    ]


def test_the_real_twitter_limit_cuts_to_the_last_2_min_20_s() -> None:
    assert MAX_SECONDS == 140.0
    assert trimmed_part(90.0, "end") == (0.0, None)
    assert trimmed_part(140.0, "end") == (0.0, None)
    start, length = trimmed_part(10 * 3600.0, "end")
    assert length is not None and length <= 140.0 and start + length == pytest.approx(10 * 3600.0)
    assert trimmed_part(600.0, "start")[0] == 0.0


def test_cancel_mid_encode_kills_ffmpeg_and_leaves_nothing(world: World, service: ExportService, out: Path) -> None:
    video = world.add_video("milestone_050", seconds=30)  # ~20 s to encode at 1080p: cancelled long before
    job = service.export_video(video.id, {"exporter": "video.youtube", "destination": str(out)})
    deadline = time.monotonic() + 30
    while job.progress < 0.02:
        assert time.monotonic() < deadline and not job.is_finished, job.to_dict()
        time.sleep(0.02)
    assert any(p.name.endswith(".part") for p in out.iterdir())  # ffmpeg is writing its hidden file
    with pytest.raises(Conflict, match="being exported"):
        world.library.rename(video.id, "Not now")  # the library waits for the export
    cancelled = service.cancel(job.id)
    assert cancelled.status == "cancelled" and cancelled.error and "removed" in cancelled.error
    assert list(out.iterdir()) == []
    failed = world.of("export.failed")[-1]["job"]
    assert failed["status"] == "cancelled" and failed["id"] == job.id
    progress = [e["job"]["progress"] for e in world.of("export.progress")]
    assert progress == sorted(progress)  # never backwards
    with pytest.raises(Conflict, match="already been cancelled"):
        service.cancel(job.id)
    assert world.library.rename(video.id, "Now it may").name == "Now it may"


def test_progress_events_are_throttled_per_job(world: World, service: ExportService, out: Path) -> None:
    video = world.add_video("milestone_050", seconds=4.0)
    started = time.monotonic()
    job = wait(service.export_video(video.id, {"exporter": "video.youtube", "destination": str(out)}))
    elapsed = time.monotonic() - started
    events = world.of("export.progress")
    assert job.status == "completed" and len(events) >= 1
    assert len(events) <= elapsed * 4 + 1


def test_a_failed_encode_is_a_failed_job_with_ffmpeg_s_words(world: World, service: ExportService, out: Path) -> None:
    video = world.add_video("milestone_050")
    Path(video.path).write_bytes(b"not a video at all")
    job = wait(service.export_video(video.id, {"exporter": "video.youtube", "destination": str(out)}))
    assert job.status == "failed" and job.error and "could not be read" in job.error
    assert world.of("export.failed")[-1]["job"]["error"] == job.error
    assert list(out.iterdir()) == []


def test_batch_export_makes_one_job_per_video(world: World, service: ExportService, out: Path) -> None:
    a, b = world.add_video("milestone_050"), world.add_video("milestone_100", milestone_pct=100.0)
    jobs, errors = service.export_videos(
        {"ids": [a.id, b.id, a.id, "0123456789ab"], "exporter": "video.copy", "destination": str(out)}
    )
    assert [j.video_id for j in jobs] == [a.id, b.id]
    assert errors == [
        {"id": "0123456789ab", "error": {"code": "not_found", "message": "No video with id '0123456789ab'."}}
    ]
    for job in jobs:
        assert wait(job).status == "completed"
    assert sorted(p.name for p in out.iterdir()) == ["Pong #1 · 100% milestone.mp4", "Pong #1 · 50% milestone.mp4"]
    with pytest.raises(InvalidInput):
        service.export_videos({"ids": [], "exporter": "video.copy", "destination": str(out)})
