"""Video pipeline building blocks (worker side): frame upscaling and streaming H.264 encoding.

Only numpy is imported here (ffmpeg is the binary bundled with the imageio-ffmpeg wheel, located
on first use), so this package is cheap to import in any worker process.
"""

from retro_ml.training.video.encoder import PARTIAL_SUFFIX, VideoEncoderError, VideoWriter, ffmpeg_exe
from retro_ml.training.video.mp4 import concat_segments, probe
from retro_ml.training.video.upscale import NearestUpscaler

__all__ = [
    "PARTIAL_SUFFIX",
    "NearestUpscaler",
    "VideoEncoderError",
    "VideoWriter",
    "concat_segments",
    "ffmpeg_exe",
    "probe",
]
