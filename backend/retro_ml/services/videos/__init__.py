"""Videos a run made: the record of every clip, and what a user does with them.

Owns the registry that turns the worker's video reports into `VideoArtifact`s (`registry`),
renaming, tagging, favouring and deleting videos to the OS trash, one by one or in batches
(`library`), and the file-name rules every video and export output follows (`file_names`).
Served under `/api/videos`; exporting a video is `services/export/`.
"""

from retro_ml.services.videos.library import VideoLibrary
from retro_ml.services.videos.registry import VideoRegistry

__all__ = [
    "VideoLibrary",
    "VideoRegistry",
]
