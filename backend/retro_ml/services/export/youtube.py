"""`video.youtube`: an upload-ready file plus a text file with a title, a description and chapters.

YouTube's recommended upload settings: H.264 High profile, yuv420p, progressive, the source's
frame rate (60), a closed GOP of half the frame rate, 2 B-frames, `moov` at the front
(`+faststart`). 1080p (1920×1080) by default, 720p as an option; the picture is fitted with
nearest-neighbour scaling and centred on black (services/export/encode.py). `<name>.txt` beside
it holds the title, the description and, for the long video, chapters (describe.py).
"""

from __future__ import annotations

from pathlib import Path

from retro_ml.services.export.base import (
    ON_CONFLICT,
    Cancelled,
    Exporter,
    ExportRequest,
    Option,
    OutputSet,
    Progress,
)
from retro_ml.services.export.describe import youtube_description, youtube_title
from retro_ml.services.export.encode import encode_fitted
from retro_ml.services.videos.file_names import safe_stem

RESOLUTIONS = {"1080p": (1920, 1080), "720p": (1280, 720)}


class YouTubeExporter(Exporter):
    id = "video.youtube"
    label = "YouTube"
    description = (
        "A YouTube-ready MP4 (H.264 High, 60 fps, 1080p or 720p, sharp pixels) and a text file with a "
        "title, a description and chapters to paste into the upload form."
    )
    heavy = True
    options = (
        Option("resolution", "Resolution", "1080p (1920×1080) or 720p (1280×720).", "1080p", tuple(RESOLUTIONS)),
        ON_CONFLICT,
    )

    def accepts(self, request: ExportRequest) -> str | None:
        return None if request.experiment is not None else "This video's experiment is gone: nothing to describe it."

    def outputs(self, request: ExportRequest) -> tuple[str, tuple[str, ...]]:
        assert request.video is not None
        resolution = request.options.get("resolution", "1080p")
        return f"{safe_stem(request.video.name)} (YouTube {resolution})", (".mp4", ".txt")

    def run(self, request: ExportRequest, progress: Progress, cancelled: Cancelled) -> list[Path]:
        assert request.video is not None and request.source is not None and request.experiment is not None
        width, height = RESOLUTIONS[request.options.get("resolution", "1080p")]
        stem, suffixes = self.outputs(request)
        out = OutputSet(request.destination, stem, suffixes, request.on_conflict)
        try:
            title = youtube_title(request.video, request.experiment)
            description = youtube_description(request.video, request.experiment, request.videos)
            out.temp(".txt").write_text(f"Title:\n{title}\n\nDescription:\n{description}\n", encoding="utf-8")
            encode_fitted(
                request.source,
                out.temp(".mp4"),
                width=width,
                height=height,
                crf=18,
                progress=lambda f: progress(f * 0.99),  # 1.0 once both files are published
                cancelled=cancelled,
                what="Encoding for YouTube",
            )
            published = out.publish()
            progress(1.0)
            return published
        finally:
            out.discard()
