"""`retro-ml games` and `retro-ml doctor`."""

from __future__ import annotations

import argparse
import sys

from retro_ml.config import resolve_data_dir
from retro_ml.platform import current_platform
from retro_ml.services import games as game_catalog
from retro_ml.services.system import run_doctor, summary


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


def doctor(args: argparse.Namespace) -> int:
    """The same checks as Settings › Advanced › Doctor; exits 1 when one is an error."""
    data_dir = resolve_data_dir(getattr(args, "data_dir", None))
    checks = run_doctor(data_dir, current_platform())
    marks = {"ok": "OK  ", "warning": "WARN", "error": "FIX "}
    width = max(len(c.label) for c in checks)
    for check in checks:
        print(f"{marks[check.status]}  {check.label:<{width}}  {check.detail}")
        if check.fix and check.status != "ok":
            print(f"{'':6}{'':<{width}}  Fix: {check.fix}")
    return 1 if summary(checks) == "error" else 0
