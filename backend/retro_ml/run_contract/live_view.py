"""The live view's protocol over two run-folder files (names.py: LIVE_VIEW_FILE, LIVE_FRAME_FILE).

The main process keeps LIVE_VIEW_FILE (the fps wanted, an integer from LIVE_VIEW_MIN_FPS to
LIVE_VIEW_MAX_FPS) while someone watches and re-touches it every LIVE_VIEW_HEARTBEAT_SECONDS;
the worker takes a file older than LIVE_VIEW_WATCH_TIMEOUT_SECONDS for nobody watching, so a
crashed app never keeps it rendering. Every frame the worker writes carries the model's step
count in a JPEG comment: LIVE_FRAME_TIMESTEP_PREFIX followed by the digits.

A model version played for the Models tab's Watch (the `model-play` process) uses the same two
files in its own folder, plus MODEL_PLAY_SPEED_FILE (1, 2 or 4: game time × real time, re-read
while it plays), and adds one comment per field of LIVE_FRAME_GAME_FIELDS to every frame, of
the same form: `retro-ml score=12.0`, `retro-ml game=3`, `retro-ml game_frame=1840` (the live
score, which game this is since the player started, 1-based, and its emulator frame, 60 a second).
"""

from __future__ import annotations

LIVE_VIEW_MIN_FPS = 1
LIVE_VIEW_MAX_FPS = 15
LIVE_VIEW_DEFAULT_FPS = 8
LIVE_VIEW_HEARTBEAT_SECONDS = 2.0
LIVE_VIEW_WATCH_TIMEOUT_SECONDS = 10.0
LIVE_FRAME_COMMENT_PREFIX = b"retro-ml "
LIVE_FRAME_TIMESTEP_PREFIX = LIVE_FRAME_COMMENT_PREFIX + b"timestep="
LIVE_FRAME_GAME_FIELDS = ("score", "game", "game_frame")  # score is a number, the others integers
MODEL_WATCH_SPEEDS = (1, 2, 4)
