"""`retro-ml model-job SPEC.json` (hidden): evaluate or compare model versions in a subprocess.

The main process (services/models/jobs.py) starts it with `app_command("model-job", SPEC)`, so
the frozen app works the same; the work is training/model_job.py (torch, SB3 and ale-py load
there, never in the main process).
"""

from __future__ import annotations

import argparse


def model_job(args: argparse.Namespace) -> int:
    from retro_ml.training.model_job import run_model_job

    return run_model_job(args.spec)
