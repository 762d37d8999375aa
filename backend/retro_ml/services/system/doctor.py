"""The doctor: one report of what the app needs, shared by `retro-ml doctor` and Settings.

Each check is `{id, label, status: ok|warning|error, detail, fix}`. torch is asked in a
child interpreter (the server never imports it) and the answer is kept for the process.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from retro_ml.platform.base import IntegrationState, Platform
from retro_ml.services import games as game_catalog
from retro_ml.services.workers import app_command

MIN_FREE_GB = 5
LOW_FREE_GB = 1
STATUSES = ("ok", "warning", "error")


@dataclass(frozen=True)
class Check:
    id: str
    label: str
    status: str  # ok | warning | error
    detail: str
    fix: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_torch_lock = threading.Lock()
_torch_cache: dict[str, Any] | None = None
_ffmpeg_cache: Check | None = None


def torch_info(refresh: bool = False) -> dict[str, Any]:
    """`{ok, version, cuda, device, cuda_version, error}` from `retro-ml torch-info` in a child process, cached."""
    global _torch_cache
    with _torch_lock:
        if _torch_cache is not None and not refresh:
            return _torch_cache
        try:
            # `retro-ml torch-info` in a child process: the main process never imports torch.
            out = subprocess.run(app_command("torch-info"), capture_output=True, text=True, timeout=120)
            info = (
                {"ok": True, **json.loads(out.stdout.strip().splitlines()[-1])}
                if out.returncode == 0
                else {
                    "ok": False,
                    "error": (out.stderr.strip().splitlines() or ["torch does not import"])[-1],
                }
            )
        except (OSError, subprocess.SubprocessError, ValueError, IndexError) as exc:
            info = {"ok": False, "error": f"could not start `retro-ml torch-info` to check torch: {exc}"}
        _torch_cache = info
        return info


def check_roms() -> Check:
    games = game_catalog.list_games()
    folder = game_catalog.roms_folder()
    if games:
        return Check("roms", "Atari ROMs", "ok", f"{len(games)} games in {folder}")
    return Check(
        "roms",
        "Atari ROMs",
        "error",
        "No Atari games found: ale-py (which bundles the ROMs) is missing.",
        "Run the setup script again, or: pip install 'gymnasium[atari]' ale-py",
    )


def check_torch(refresh: bool = False) -> list[Check]:
    info = torch_info(refresh)
    if not info.get("ok"):
        return [
            Check("torch", "PyTorch", "error", f"torch does not import: {info.get('error')}", "pip install torch"),
            Check("cuda", "CUDA GPU", "warning", "Unknown: torch does not import.", "Fix PyTorch first."),
        ]
    build = f"CUDA {info['cuda_version']} build" if info.get("cuda_version") else "CPU-only build"
    checks = [Check("torch", "PyTorch", "ok", f"torch {info['version']} ({build})")]
    if info.get("cuda"):
        checks.append(Check("cuda", "CUDA GPU", "ok", f"Training can use {info['device']}."))
    elif info.get("cuda_version"):
        checks.append(
            Check(
                "cuda",
                "CUDA GPU",
                "warning",
                "torch is built with CUDA but sees no GPU: training runs on the CPU.",
                "Install or update the NVIDIA driver, then restart the app.",
            )
        )
    else:
        checks.append(
            Check(
                "cuda",
                "CUDA GPU",
                "ok",
                "No CUDA: training runs on the CPU (works, slower than on a GPU).",
                "For a GPU: install a CUDA build of torch (see README).",
            )
        )
    return checks


def check_packages() -> list[Check]:
    checks = []
    for module, label, package in (
        ("stable_baselines3", "stable-baselines3", "stable-baselines3"),
        ("cv2", "OpenCV (headless)", "opencv-python-headless"),
    ):
        found = importlib.util.find_spec(module) is not None
        checks.append(
            Check(
                module,
                label,
                "ok" if found else "error",
                "installed" if found else "missing",
                "" if found else f"pip install {package}",
            )
        )
    return checks


def check_ffmpeg() -> Check:
    global _ffmpeg_cache
    if _ffmpeg_cache is not None:
        return _ffmpeg_cache
    from retro_ml.media.ffmpeg import FfmpegError, ffmpeg_exe

    try:
        exe = ffmpeg_exe()
        out = subprocess.run([exe, "-hide_banner", "-encoders"], capture_output=True, text=True, timeout=30)
        ok = "libx264" in out.stdout
    except (FfmpegError, OSError, subprocess.SubprocessError) as exc:
        result = Check("ffmpeg", "Video encoder", "error", f"ffmpeg is not usable: {exc}", "pip install imageio-ffmpeg")
    else:
        result = (
            Check("ffmpeg", "Video encoder", "ok", f"ffmpeg with libx264 ({exe})")
            if ok
            else Check(
                "ffmpeg",
                "Video encoder",
                "error",
                f"{exe} has no libx264 encoder: videos cannot be recorded.",
                "pip install --force-reinstall imageio-ffmpeg",
            )
        )
    _ffmpeg_cache = result
    return result


def _integration(ident: str, label: str, state: IntegrationState, unavailable: str) -> Check:
    if state.available:
        how = f" ({state.method})" if state.method else ""
        return Check(ident, label, "ok", f"Available{how}. {state.reason}".strip())
    return Check(ident, label, "warning", f"{unavailable} {state.reason}".strip())


def check_integrations(platform: Platform, notifications: IntegrationState | None = None) -> list[Check]:
    return [
        _integration(
            "notifications",
            "Desktop notifications",
            notifications or platform.notification_state(),
            "Unavailable: the app keeps working and shows its messages inside the window.",
        ),
        _integration(
            "clipboard", "Clipboard", platform.clipboard_state(), "Unavailable: “Copy path” shows the path instead."
        ),
        _integration(
            "reveal", "Show in folder", platform.reveal_state(), "Unavailable: “Open folder” shows the path instead."
        ),
    ]


def check_disk(folder: Path, label: str = "Disk space") -> Check:
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        free_gb = shutil.disk_usage(probe).free / 1e9
    except OSError as exc:
        return Check("disk", label, "error", f"Cannot read the free space of {folder}: {exc}")
    detail = f"{free_gb:.1f} GB free in {folder}"
    if free_gb < LOW_FREE_GB:
        return Check("disk", label, "error", detail, "Free space (Settings › Storage › Cleanup) or use another disk.")
    if free_gb < MIN_FREE_GB:
        return Check(
            "disk",
            label,
            "warning",
            detail,
            f"Long runs and videos need {MIN_FREE_GB}+ GB: clean up or move the runs folder.",
        )
    return Check("disk", label, "ok", detail)


def run_doctor(
    data_dir: Path,
    platform: Platform,
    notifications: IntegrationState | None = None,
    runs_dir: Path | None = None,
    refresh: bool = False,
) -> list[Check]:
    checks = [check_roms(), *check_torch(refresh), *check_packages(), check_ffmpeg()]
    checks += check_integrations(platform, notifications)
    checks.append(check_disk(data_dir))
    if runs_dir is not None and runs_dir != data_dir:
        disk = check_disk(runs_dir, "Disk space (runs folder)")
        checks.append(Check("disk_runs", disk.label, disk.status, disk.detail, disk.fix))
    return checks


def summary(checks: list[Check]) -> str:
    """The worst status of the checks."""
    statuses = {c.status for c in checks}
    return "error" if "error" in statuses else "warning" if "warning" in statuses else "ok"
