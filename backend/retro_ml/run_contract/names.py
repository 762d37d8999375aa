"""What is in a run folder (`<runs>/<experiment_id>/`): every name the worker and the main process share.

The worker writes only here and the main process learns everything from here, so a name
changed on one side and not the other would silently break a run; both sides import these.
Who writes which file, and how atomically, is in docs/CONTRACT.md ("The run folder").
"""

from __future__ import annotations

import re
from pathlib import Path

# ---- written by the main process ----------------------------------------------------
CONFIG_FILE = "config.json"  # the resolved run config, before the worker starts
IMPORTED_FROM_FILE = "IMPORTED_FROM"  # an imported run: the path its model.zip was copied from
STOP_FILE = "STOP"  # asks the worker to save its model and report `stopped`
PAUSED_SECONDS_FILE = "PAUSED_SECONDS"  # seconds paused so far (a float), rewritten on resume
# A study's trial (config `trial_eval_every_pct`): the study pruned it; the worker saves its model
# and reports `pruned` (like STOP, but the run ends as `pruned`)
PRUNE_FILE = "PRUNE"
WORKER_PID_FILE = "worker.pid"  # {"pid", "create_time"}: lets a restarted app find a live worker

# ---- written by the worker -------------------------------------------------------------
WORKER_LOG = "worker.log"  # its stdout and stderr, which the main process points here
EVENTS_FILE = "events.jsonl"  # its reports (reports.py), one JSON object a line
METRICS_FILE = "metrics.jsonl"  # every SB3 logger dump, one JSON object a line
MODEL_FILE = "model.zip"  # the final model
TEMPORARY_MODEL_FILE = "model.tmp.zip"  # saved here first, then renamed to MODEL_FILE
# DQN's replay memory when the run ended (SB3's save_replay_buffer pickle), kept for a continuation
REPLAY_BUFFER_FILE = "replay_buffer.pkl"
TEMPORARY_REPLAY_BUFFER_FILE = ".replay_buffer.pkl.tmp"  # written first, then renamed
TENSORBOARD_DIR = "tensorboard"  # SB3's TensorBoard output

CHECKPOINTS_DIR = "checkpoints"
CHECKPOINT_FILE_PATTERN = re.compile(r"^step_(\d+)\.zip$")
# `.step_<N>.tmp.zip`: a checkpoint being saved (hidden: CHECKPOINT_FILE_PATTERN never matches it)
TEMPORARY_CHECKPOINT_SUFFIX = ".tmp.zip"


def checkpoint_file_name(timestep: int) -> str:
    """`step_<N>.zip`: the checkpoint saved at model step N."""
    return f"step_{timestep}.zip"


def temporary_checkpoint_file_name(timestep: int) -> str:
    return f".step_{timestep}{TEMPORARY_CHECKPOINT_SUFFIX}"


def checkpoint_files(directory: Path) -> list[tuple[int, Path]]:
    """(timestep, path) of every finished checkpoint in `directory`, oldest first."""
    try:
        entries = list(directory.iterdir())
    except OSError:
        return []
    found = []
    for path in entries:
        match = CHECKPOINT_FILE_PATTERN.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


VIDEOS_DIR = "videos"
MILESTONE_VIDEO_PREFIX = "milestone_"  # milestone_<pct>.mp4 / .png
EVALUATION_VIDEO = "evaluation.mp4"
EVALUATION_THUMBNAIL = "evaluation.png"
LONG_VIDEO_PARTS_DIR = "hour"  # videos/hour/segment_NNNN.mp4 / .png while the run trains
LONG_VIDEO_PART_PREFIX = "segment_"
LONG_VIDEO = "watch_it_learn.mp4"  # the parts joined when training ends
LONG_VIDEO_THUMBNAIL = "watch_it_learn.png"


def clip_model_file_name(label: str) -> str:
    """`.milestone_<pct>.model.tmp` in videos/: the policy the clip recorder process records a
    milestone clip from, deleted when done (hidden and `.tmp`: never listed, tidied like a .part)."""
    return f".{MILESTONE_VIDEO_PREFIX}{label}.model{TEMPORARY_SUFFIX}"


# What a writer killed mid-file leaves: `.{name}.{random}.part` videos (training/video/encoder.py)
# and `.{name}.tmp` thumbnails. Never listed; removed by the main process once no worker owns them.
PARTIAL_SUFFIX = ".part"
TEMPORARY_SUFFIX = ".tmp"
PARTIAL_FILE_PATTERNS = (f".*{PARTIAL_SUFFIX}", f".*{TEMPORARY_SUFFIX}")

# ---- the live view (live_view.py): the main process asks, the worker draws -------------
LIVE_VIEW_FILE = "LIVE_VIEW"  # by the main process while someone watches: the fps wanted
LIVE_FRAME_FILE = "live.jpg"  # by the worker: env 0's current screen
TEMPORARY_LIVE_FRAME_FILE = "live.tmp.jpg"  # written here first, then renamed to LIVE_FRAME_FILE
MODEL_PLAY_SPEED_FILE = "SPEED"  # by the main process, in a watched model's player folder: 1, 2 or 4
