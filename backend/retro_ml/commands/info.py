"""`retro-ml games` and `retro-ml doctor`."""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
import sys

from retro_ml.config import resolve_data_dir
from retro_ml.services import games as game_catalog

MIN_FREE_GB = 5


def list_games(_args: argparse.Namespace) -> int:
    games = game_catalog.list_games()
    if not games:
        print("No games found: ale-py is not installed. Run the setup script again.", file=sys.stderr)
        return 1
    width = max(len(g.id) for g in games)
    for game in games:
        print(f"{game.id:<{width}}  {game.name:<24} {game.env_id}")
    print(f"\n{len(games)} games. Train one with: retro-ml train --game {games[0].id}")
    return 0


def _torch_report() -> tuple[bool, str]:
    """Ask a child interpreter, so `doctor` stays as light as the server."""
    code = (
        "import torch; cuda = torch.cuda.is_available(); "
        "print(torch.__version__, cuda, torch.cuda.get_device_name(0) if cuda else '')"
    )
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as exc:
        return False, f"could not run Python to check torch: {exc}"
    if out.returncode != 0:
        return False, "torch does not import. Fix: pip install torch (see README)."
    version, cuda, name = (out.stdout.strip().split(" ", 2) + ["", ""])[:3]
    where = f"CUDA on {name}" if cuda == "True" else "CPU only (no CUDA GPU found; training works, slower)"
    return True, f"torch {version}: {where}"


def doctor(args: argparse.Namespace) -> int:
    checks: list[tuple[bool, str, str]] = []
    games = game_catalog.list_games()
    roms = game_catalog.roms_folder()
    checks.append(
        (bool(games), "Atari ROMs", f"{len(games)} games from {roms}" if games else "none. Fix: pip install ale-py")
    )
    torch_ok, torch_text = _torch_report()
    checks.append((torch_ok, "PyTorch", torch_text))
    for module, label in (("stable_baselines3", "stable-baselines3"), ("cv2", "OpenCV (headless)")):
        found = importlib.util.find_spec(module) is not None
        checks.append((found, label, "installed" if found else f"missing. Fix: pip install {label.split()[0]}"))
    data_dir = resolve_data_dir(getattr(args, "data_dir", None))
    free_gb = shutil.disk_usage(data_dir).free / 1e9
    checks.append(
        (
            free_gb >= MIN_FREE_GB,
            "Disk space",
            f"{free_gb:.1f} GB free in {data_dir}"
            + (
                ""
                if free_gb >= MIN_FREE_GB
                else f". Fix: free space or use --data-dir on a disk with {MIN_FREE_GB}+ GB"
            ),
        )
    )
    for ok, label, text in checks:
        print(f"{'OK ' if ok else 'FIX'}  {label:<20} {text}")
    return 0 if all(ok for ok, _, _ in checks) else 1
