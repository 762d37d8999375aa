"""The long "watch it learn" video from a real training worker: segments, the join, the target length."""

from __future__ import annotations

from pathlib import Path

import pytest

from retro_ml.training.video import PARTIAL_SUFFIX, probe
from tests.helpers.run_configs import PPO_TINY_CONFIG, TINY_PPO
from tests.helpers.video_frames import assert_captioned_game_frame, decoded_frame
from tests.helpers.worker_runs import make_run_dir, read_events, reports_of, run_worker_to_end, worker_log

TARGET_SECONDS = 6.0


def long_video_config(**overrides: object) -> dict[str, object]:
    return {
        **PPO_TINY_CONFIG,
        **TINY_PPO,
        "total_timesteps": 4096,
        "checkpoint_every_pct": 0,
        "video_length_hours": TARGET_SECONDS / 3600,
        "video_segment_seconds": 2,
        "long_video_scale": 2,
        **overrides,
    }


@pytest.mark.training
def test_long_video_is_filmed_across_the_run_in_segments_and_joined_to_its_target_length(tmp_path: Path) -> None:
    run_dir = make_run_dir(tmp_path, "breakout", "ALE/Breakout-v5", "ppo", long_video_config(long_video_scale=3))

    assert run_worker_to_end(run_dir) == 0, worker_log(run_dir)
    events = read_events(run_dir)
    assert events[-1]["type"] == "completed", [event["type"] for event in events]
    assert not reports_of(events, "video_failed"), worker_log(run_dir)
    hour = [video for video in reports_of(events, "video") if video["video_type"] == "hour"]
    parts, [joined] = hour[:-1], hour[-1:]

    # Parts were reported one by one while training ran, each a complete 2 s file.
    assert [part["segment"] for part in parts] == list(range(1, len(parts) + 1)) and len(parts) >= 3
    assert all(part["duration"] == pytest.approx(2.0) for part in parts[:-1])
    assert all(part["path"] == f"videos/hour/segment_{part['segment']:04d}.mp4" for part in parts)
    assert events.index(parts[0]) < events.index(joined) < len(events) - 1

    # The joined video: H.264 yuv420p at 60 fps, within 10% of the target, with its caption bar.
    assert "segment" not in joined and joined["path"] == "videos/watch_it_learn.mp4"
    assert joined["target_seconds"] == pytest.approx(TARGET_SECONDS)
    video = run_dir / joined["path"]
    info = probe(video)
    assert info["codec"] == "h264" and info["pix_fmt"] == "yuv420p"
    assert info["fps"] == pytest.approx(60.0)
    assert abs(info["duration"] - TARGET_SECONDS) <= 0.1 * TARGET_SECONDS, info
    assert info["frames"] == joined["frames"] == sum(part["frames"] for part in parts)
    assert (info["width"], info["height"]) == (480, 630 + 48) == (joined["width"], joined["height"])
    assert_captioned_game_frame(decoded_frame(video, 30), game_height=630)  # ×3: composed in RGB

    # Sampled evenly: stretches filmed from the start to the end of the run.
    spans = joined["sampled_timesteps"]
    assert len(spans) >= 3
    assert spans[0][0] <= 0.2 * 4096 and spans[-1][1] >= 0.8 * 4096
    assert (run_dir / joined["thumbnail"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # The parts are gone once joined; nothing half-written stays behind.
    assert not (run_dir / "videos" / "hour").exists()
    leftovers = [p.name for p in (run_dir / "videos").rglob("*") if p.name.endswith((PARTIAL_SUFFIX, ".tmp"))]
    assert leftovers == []


@pytest.mark.training
def test_no_long_video_when_its_length_is_zero(tmp_path: Path) -> None:
    run_dir = make_run_dir(tmp_path, "pong", "ALE/Pong-v5", "ppo", long_video_config(video_length_hours=0))
    assert run_worker_to_end(run_dir) == 0, worker_log(run_dir)
    assert [v for v in reports_of(read_events(run_dir), "video") if v["video_type"] == "hour"] == []
    assert not (run_dir / "videos").exists()
