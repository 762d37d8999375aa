"""The live view's protocol over two run-folder files (names.py: LIVE_VIEW_FILE, LIVE_FRAME_FILE).

The main process keeps LIVE_VIEW_FILE (the fps wanted, an integer from LIVE_VIEW_MIN_FPS to
LIVE_VIEW_MAX_FPS) while someone watches and re-touches it every LIVE_VIEW_HEARTBEAT_SECONDS;
the worker takes a file older than LIVE_VIEW_WATCH_TIMEOUT_SECONDS for nobody watching, so a
crashed app never keeps it rendering. Every frame the worker writes carries the model's step
count in a JPEG comment: LIVE_FRAME_TIMESTEP_PREFIX followed by the digits.
"""

from __future__ import annotations

LIVE_VIEW_MIN_FPS = 1
LIVE_VIEW_MAX_FPS = 15
LIVE_VIEW_DEFAULT_FPS = 8
LIVE_VIEW_HEARTBEAT_SECONDS = 2.0
LIVE_VIEW_WATCH_TIMEOUT_SECONDS = 10.0
LIVE_FRAME_TIMESTEP_PREFIX = b"retro-ml timestep="
