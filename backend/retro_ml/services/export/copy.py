"""`video.copy`: the video file, byte for byte, into a folder the user chose."""

from __future__ import annotations

from pathlib import Path

from retro_ml.services.export.base import (
    ByteProgress,
    Cancelled,
    Exporter,
    ExportRequest,
    OutputSet,
    Progress,
    copy_file,
)
from retro_ml.services.videos.file_names import safe_stem


class VideoCopyExporter(Exporter):
    id = "video.copy"
    label = "Copy to a folder"
    description = "The video file as it is, copied to a folder you choose (never overwriting a file there)."

    def outputs(self, request: ExportRequest) -> tuple[str, tuple[str, ...]]:
        assert request.video is not None
        return safe_stem(request.video.name), (".mp4",)

    def bytes_needed(self, request: ExportRequest) -> int:
        return request.source.stat().st_size if request.source is not None else 0

    def run(self, request: ExportRequest, progress: Progress, cancelled: Cancelled) -> list[Path]:
        assert request.source is not None
        stem, suffixes = self.outputs(request)
        out = OutputSet(request.destination, stem, suffixes, request.on_conflict)
        try:
            counter = ByteProgress(request.source.stat().st_size, progress)
            copy_file(request.source, out.temp(".mp4"), cancelled, counter.add)
            return out.publish()
        finally:
            out.discard()
