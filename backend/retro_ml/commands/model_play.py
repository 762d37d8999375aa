"""`retro-ml model-play` (hidden): one model version playing live for its watchers, in a subprocess.

The main process (services/models/watch.py) starts it with `app_command("model-play", ...)`, so
the frozen app works the same, and reads its JSON lines; the work is training/model_player.py
(torch, SB3 and ale-py load there, never in the main process).
"""

from __future__ import annotations

import argparse


def model_play(args: argparse.Namespace) -> int:
    from retro_ml.training.model_player import run_model_player

    return run_model_player(args.model, args.algorithm, args.env_id, args.folder, args.seed)
