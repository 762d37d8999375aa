"""`retro-ml torch-info`: the torch build and CUDA device as one JSON line, for `doctor`.

A sub-command (not `python -c`) so the frozen app, whose executable is no Python
interpreter, answers it too; it runs in a child process so the main process never imports
torch.
"""

from __future__ import annotations

import json


def print_torch_info() -> int:
    import torch

    cuda = torch.cuda.is_available()
    info = {
        "version": torch.__version__,
        "cuda": cuda,
        "cuda_version": torch.version.cuda,
        "device": torch.cuda.get_device_name(0) if cuda else "",
    }
    print(json.dumps(info))
    return 0
