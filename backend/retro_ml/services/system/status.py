"""System status for the dashboard: CPU, memory and GPU, without importing torch."""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from typing import Any

import psutil


@lru_cache(maxsize=1)
def gpu_info() -> dict[str, Any]:
    """Ask `nvidia-smi` (cheap, no torch in the server). None when we cannot tell."""
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return {"cuda_available": False, "name": None, "detail": "No NVIDIA driver found: training runs on the CPU."}
    try:
        out = subprocess.run(
            [smi, "--query-gpu=name", "--format=csv,noheader"], capture_output=True, text=True, timeout=5, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        return {"cuda_available": None, "name": None, "detail": f"nvidia-smi failed: {exc}"}
    names = [line.strip() for line in out.splitlines() if line.strip()]
    return {
        "cuda_available": bool(names),
        "name": names[0] if names else None,
        "detail": "CUDA GPU found" if names else "nvidia-smi lists no GPU",
    }


def system_status() -> dict[str, Any]:
    memory = psutil.virtual_memory()
    return {
        "cpu_percent": psutil.cpu_percent(interval=None),
        "cpu_count": psutil.cpu_count(logical=True),
        "memory": {"used_bytes": memory.total - memory.available, "total_bytes": memory.total},
        "gpu": gpu_info(),
    }
