"""The streaming encoder on real ALE frames: bundled ffmpeg, H.264 yuv420p, atomic final names."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import psutil
import pytest

import retro_ml
from retro_ml.training.video import (
    PARTIAL_SUFFIX,
    NearestUpscaler,
    VideoEncoderError,
    VideoWriter,
    concat_segments,
    probe,
)
from tests.helpers.video_frames import decoded_frames

FPS = 60


@pytest.fixture(scope="module")
def ale_frames() -> list[np.ndarray]:
    """180 real Breakout frames (210x160x3 uint8) from random play, 3 s at the native 60 fps."""
    import ale_py
    import gymnasium

    gymnasium.register_envs(ale_py)
    env = gymnasium.make("ALE/Breakout-v5", render_mode="rgb_array", frameskip=1)
    try:
        env.reset(seed=0)
        env.action_space.seed(0)
        frames = []
        for _ in range(180):
            _, _, terminated, truncated, _ = env.step(env.action_space.sample())
            if terminated or truncated:
                env.reset()
            frame = env.render()
            assert frame is not None
            frames.append(np.asarray(frame))
    finally:
        env.close()
    assert frames[0].shape == (210, 160, 3) and frames[0].dtype == np.uint8
    return frames


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(PARTIAL_SUFFIX) or p.name.endswith(".txt"))


def encode(path: Path, frames: list[np.ndarray], scale: int = 3) -> VideoWriter:
    upscale = NearestUpscaler(frames[0].shape, scale)
    with VideoWriter(path, upscale.width, upscale.height, fps=FPS) as writer:
        for frame in frames:
            writer.write(upscale(frame))
    return writer


def test_upscaler_matches_repeat_and_pads_odd_sizes(ale_frames: list[np.ndarray]) -> None:
    frame = ale_frames[-1]
    upscale = NearestUpscaler(frame.shape, 3)
    out = upscale(frame)
    assert out.shape == (630, 480, 3)
    assert np.array_equal(out, np.repeat(np.repeat(frame, 3, axis=0), 3, axis=1))
    assert upscale(ale_frames[0]) is out  # one reused buffer

    odd = NearestUpscaler((7, 5, 3), 3)
    small = np.full((7, 5, 3), 200, dtype=np.uint8)
    padded = odd(small)
    assert padded.shape == (22, 16, 3)
    assert (padded[:21, :15] == 200).all() and not padded[21].any() and not padded[:, 15].any()
    with pytest.raises(ValueError, match="does not match"):
        upscale(small)


def test_encodes_real_frames_to_h264_at_60fps(tmp_path: Path, ale_frames: list[np.ndarray]) -> None:
    out = tmp_path / "clip.mp4"
    writer = encode(out, ale_frames)

    assert writer.frames_written == 180
    assert writer.duration_seconds == pytest.approx(3.0)
    info = probe(out)
    assert info["codec"] == "h264"
    assert info["pix_fmt"] == "yuv420p"
    assert (info["width"], info["height"]) == (480, 630)  # 160x210 scaled x3: 480 wide, 630 high
    assert info["fps"] == pytest.approx(60.0)
    assert info["duration"] == pytest.approx(3.0, abs=0.1)
    assert info["frames"] == 180
    assert leftovers(tmp_path) == []


def test_i420_frames_encode_to_the_same_picture_as_rgb(tmp_path: Path, ale_frames: list[np.ndarray]) -> None:
    """The long video's yuv420p input: ffmpeg converts nothing, and the colours come out as from rgb24."""
    from retro_ml.training.video.yuv import I420Planes, put_upscaled_screen

    planes = I420Planes(320, 420)
    out = tmp_path / "i420.mp4"
    with VideoWriter(out, 320, 420, fps=FPS, pixel_format="yuv420p") as writer:
        for frame in ale_frames[:60]:
            put_upscaled_screen(planes, frame, 2)
            writer.write(planes.buffer)
    info = probe(out)
    assert (info["codec"], info["pix_fmt"], info["width"], info["height"], info["frames"]) == (
        "h264",
        "yuv420p",
        320,
        420,
        60,
    )
    for index, decoded in enumerate(decoded_frames(out)):
        expected = np.repeat(np.repeat(ale_frames[index], 2, axis=0), 2, axis=1).astype(np.int16)
        assert decoded.shape == (420, 320, 3), index
        assert np.abs(decoded.astype(np.int16) - expected).mean() < 1, index  # crf 23; a wrong colour range gives ~2
    with pytest.raises(ValueError, match="I420 frame of 320x420 has 201600 bytes"):
        with VideoWriter(tmp_path / "bad.mp4", 320, 420, pixel_format="yuv420p") as writer:
            writer.write(np.zeros((420, 320, 3), dtype=np.uint8))
    with pytest.raises(ValueError, match="pixel_format"):
        VideoWriter(tmp_path / "bad.mp4", 320, 420, pixel_format="bgr24")
    assert leftovers(tmp_path) == []


def test_concatenates_segments_without_reencoding(tmp_path: Path, ale_frames: list[np.ndarray]) -> None:
    first, second = tmp_path / "seg-000.mp4", tmp_path / "seg-001.mp4"
    encode(first, ale_frames[:60])
    encode(second, ale_frames[60:120])

    joined = concat_segments([first, second], tmp_path / "joined.mp4")

    info = probe(joined)
    assert info["codec"] == "h264" and info["pix_fmt"] == "yuv420p"
    assert info["duration"] == pytest.approx(2.0, abs=0.1)
    assert info["frames"] == 120
    assert leftovers(tmp_path) == []
    with pytest.raises(FileNotFoundError):
        concat_segments([first, tmp_path / "missing.mp4"], tmp_path / "never.mp4")
    assert not (tmp_path / "never.mp4").exists()


def test_wrong_frames_raise_value_error_and_leave_nothing(tmp_path: Path, ale_frames: list[np.ndarray]) -> None:
    out = tmp_path / "bad.mp4"
    with pytest.raises(ValueError, match=r"frame shape \(210, 160, 3\) does not match the writer's \(630, 480, 3\)"):
        with VideoWriter(out, 480, 630) as writer:
            writer.write(np.zeros((630, 480, 3), dtype=np.uint8))
            writer.write(ale_frames[0])  # not upscaled
    with pytest.raises(ValueError, match="uint8"):
        with VideoWriter(out, 160, 210) as writer:
            writer.write(ale_frames[0].astype(np.float32))
    with pytest.raises(ValueError, match="even"):
        VideoWriter(out, 161, 210)
    assert not out.exists()
    assert leftovers(tmp_path) == []


def test_encoder_error_reports_ffmpeg_stderr(tmp_path: Path) -> None:
    # libx264 rejects an odd size only once it starts; bypass the constructor check to see a real ffmpeg error.
    out = tmp_path / "odd.mp4"
    writer = VideoWriter(out, 4, 4)
    writer.width = 5
    with pytest.raises(VideoEncoderError, match="ffmpeg said:\n.*divisible by 2"):
        with writer:
            for _ in range(120):
                writer.write(np.zeros((4, 5, 3), dtype=np.uint8))
    assert not out.exists()
    assert leftovers(tmp_path) == []


CHILD = textwrap.dedent(
    """
    import sys
    import numpy as np
    from retro_ml.training.video import NearestUpscaler, VideoWriter

    frames = np.load(sys.argv[1])
    upscale = NearestUpscaler(frames[0].shape, 3)
    with VideoWriter(sys.argv[2], upscale.width, upscale.height, fps=60) as writer:
        print(writer.pid, writer.temp_path, flush=True)
        i = 0
        while True:  # until killed
            writer.write(upscale(frames[i % len(frames)]))
            i += 1
            if i == 60:
                print("streaming", flush=True)
    """
)


def test_killed_writer_leaves_no_file_under_final_name(tmp_path: Path, ale_frames: list[np.ndarray]) -> None:
    """SIGKILL mid-stream: the final name never appears; ffmpeg finalises the `.part` temp, which stays."""
    np.save(tmp_path / "frames.npy", np.stack(ale_frames))
    out = tmp_path / "killed.mp4"
    backend = str(Path(retro_ml.__file__).parents[1])
    python_path = os.pathsep.join(p for p in (backend, os.environ.get("PYTHONPATH", "")) if p)
    env = dict(os.environ, PYTHONPATH=python_path)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path / "frames.npy"), str(out)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    ffmpeg_pid = None
    try:
        assert child.stdout is not None
        pid_text, temp_text = child.stdout.readline().split(maxsplit=1)
        ffmpeg_pid, temp = int(pid_text), Path(temp_text.strip())
        assert child.stdout.readline().strip() == "streaming"
        time.sleep(1.0)
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=10) == -signal.SIGKILL

        # ffmpeg (now orphaned) sees EOF on its stdin, finishes the temp file and exits by itself.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if psutil.Process(ffmpeg_pid).status() == psutil.STATUS_ZOMBIE:
                    break
            except psutil.NoSuchProcess:
                break
            time.sleep(0.05)
        else:
            pytest.fail("ffmpeg did not exit after its writer was killed")
        ffmpeg_pid = None

        assert not out.exists()
        assert leftovers(tmp_path) == [temp.name]
        assert temp.name.startswith(".killed.mp4.") and temp.name.endswith(PARTIAL_SUFFIX)
        partial = probe(temp)  # what was sent before the kill is still watchable
        assert partial["codec"] == "h264" and partial["frames"] >= 60
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if ffmpeg_pid is not None:
            try:
                psutil.Process(ffmpeg_pid).kill()
            except psutil.Error:
                pass
