"""`retro-ml model-export` (hidden): one ONNX export in a subprocess, for services/models/export.py.

The app starts it with `app_command("model-export", ...)` so the frozen app works too, and reads
its stdout: one JSON object a line,
    {"type": "progress", "progress": 0.5, "stage": "playing 200 steps of ALE/Breakout-v5"}
    {"type": "result", "metadata": {...}}        the last line of a success (exit code 0)
    {"type": "error", "message": "..."}          the last line of a failure (exit code 1)
Anything else the libraries print goes to stderr (sys.stdout is pointed there while it works),
so the protocol stays clean. torch, SB3 and ale-py are imported here, never in the app.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from typing import Any, TextIO


def _send(stream: TextIO, message: dict[str, Any]) -> None:
    stream.write(json.dumps(message) + "\n")
    stream.flush()


def model_export(args: argparse.Namespace) -> int:
    protocol = sys.stdout
    sys.stdout = sys.stderr  # prints of torch, onnxscript or ale-py must not break the JSON lines
    try:
        import torch

        from retro_ml.training.onnx_export import OnnxExportError, export_onnx

        torch.set_num_threads(max(1, min(2, torch.get_num_threads())))
        metadata = export_onnx(
            args.model,
            args.algorithm,
            args.env_id,
            args.out_dir,
            game=args.game,
            num_timesteps=args.steps,
            frames=args.frames,
            seed=args.seed,
            progress=lambda fraction, stage: _send(
                protocol, {"type": "progress", "progress": round(fraction, 4), "stage": stage}
            ),
        )
    except OnnxExportError as error:
        _send(protocol, {"type": "error", "message": str(error)})
        return 1
    except Exception as error:  # noqa: BLE001 - every failure ends as one readable line
        traceback.print_exc()
        _send(protocol, {"type": "error", "message": f"The ONNX export failed ({type(error).__name__}: {error})."})
        return 1
    finally:
        sys.stdout = protocol
    _send(protocol, {"type": "result", "metadata": metadata})
    return 0
