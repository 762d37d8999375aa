"""`video.twitter`: a file within X's upload limits (≤ 2 min 20 s, ≤ 512 MB, 1280×720, H.264 High).

Which part: a video that fits in 2:20 is kept whole (milestone and evaluation clips are single
games, 2 minutes at most by default). A longer one is cut to 2:20: by default its last 2:20,
because a training video gets better towards its end (the long video ends with the agent's best
play, a long single game with its final score); option `trim: "start"` takes the first 2:20.
Re-encoded with nearest-neighbour scaling into 1280×720 (encode.py), no audio, the bit rate
capped at 8 Mbit/s so that even 2:20 of a busy game stays far below 512 MB (~140 MB at most).
"""

from __future__ import annotations

from pathlib import Path

from retro_ml.media.ffmpeg import probe
from retro_ml.services.export.base import (
    ON_CONFLICT,
    Cancelled,
    Exporter,
    ExportFailed,
    ExportRequest,
    Option,
    OutputSet,
    Progress,
)
from retro_ml.services.export.encode import FPS, encode_fitted
from retro_ml.services.videos.file_names import safe_stem

MAX_SECONDS = 140.0
MAX_BYTES = 512 * 1024 * 1024
WIDTH, HEIGHT = 1280, 720


def trimmed_part(duration: float, trim: str, max_seconds: float = MAX_SECONDS) -> tuple[float, float | None]:
    """(start, length) in seconds; length None keeps the whole video. One frame under the limit."""
    if duration <= max_seconds:
        return 0.0, None
    length = max_seconds - 1 / FPS
    return (duration - length if trim == "end" else 0.0), length


class TwitterExporter(Exporter):
    id = "video.twitter"
    label = "X (Twitter)"
    description = (
        "A 1280×720 MP4 within X's limits (at most 2:20 and 512 MB): short clips whole, longer videos "
        "cut to their last 2:20, where the agent plays best."
    )
    heavy = True
    options = (
        Option(
            "trim",
            "Part to keep",
            "For videos over 2:20: end keeps the last 2:20 (the agent at its best), start the first.",
            "end",
            ("end", "start"),
        ),
        ON_CONFLICT,
    )

    def __init__(self, max_seconds: float = MAX_SECONDS) -> None:
        self.max_seconds = max_seconds  # X's limit; tests use a shorter one to stay fast

    def outputs(self, request: ExportRequest) -> tuple[str, tuple[str, ...]]:
        assert request.video is not None
        return f"{safe_stem(request.video.name)} (X)", (".mp4",)

    def run(self, request: ExportRequest, progress: Progress, cancelled: Cancelled) -> list[Path]:
        assert request.source is not None
        stem, suffixes = self.outputs(request)
        out = OutputSet(request.destination, stem, suffixes, request.on_conflict)
        try:
            trim = str(request.options.get("trim", "end"))
            start, length = trimmed_part(probe(request.source).duration, trim, self.max_seconds)
            encode_fitted(
                request.source,
                out.temp(".mp4"),
                width=WIDTH,
                height=HEIGHT,
                crf=20,
                progress=lambda f: progress(f * 0.99),
                cancelled=cancelled,
                what="Encoding for X",
                start=start,
                length=length,
                max_bitrate="8M",
            )
            size = out.temp(".mp4").stat().st_size
            if size > MAX_BYTES:
                raise ExportFailed(f"The X video came out at {size / 2**20:.0f} MB, over X's 512 MB limit.")
            published = out.publish()
            progress(1.0)
            return published
        finally:
            out.discard()
