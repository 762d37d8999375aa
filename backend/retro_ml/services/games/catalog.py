"""The games ale-py ships, found without importing ale-py (the server stays light).

ale-py keeps one `<rom_id>.bin` per game in its `roms` folder and registers
`ALE/<PascalName>-v5` for each, except the few ROMs that have no single-player mode.
"""

from __future__ import annotations

import importlib.util
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from retro_ml.errors import InvalidInput

# ale-py skips these in register_v5_envs: they need two players.
MULTIPLAYER_ONLY = frozenset({"combat", "joust", "maze_craze", "warlords"})


@dataclass(frozen=True)
class Game:
    id: str
    name: str
    env_id: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def _pascal(rom_id: str) -> str:
    return rom_id.title().replace("_", "")


def roms_folder() -> Path | None:
    spec = importlib.util.find_spec("ale_py")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "roms"
    return folder if folder.is_dir() else None


@lru_cache(maxsize=1)
def list_games() -> tuple[Game, ...]:
    folder = roms_folder()
    if folder is None:
        return ()
    rom_ids = sorted(p.stem for p in folder.glob("*.bin") if p.stem not in MULTIPLAYER_ONLY)
    games = (Game(rom, rom.replace("_", " ").title(), f"ALE/{_pascal(rom)}-v5") for rom in rom_ids)
    return tuple(sorted(games, key=lambda g: g.name))


def find_game(game_id: str) -> Game:
    """Accepts `breakout`, `Breakout`, `space invaders`, `SpaceInvaders` or an env id."""
    raw = str(game_id).strip().lower()
    wanted = raw.replace(" ", "_").replace("-", "_")
    for game in list_games():
        if raw == game.env_id.lower() or wanted in (game.id, game.id.replace("_", "")):
            return game
    known = ", ".join(g.id for g in list_games()[:8])
    raise InvalidInput(f"Unknown game '{game_id}'. Pick one from `retro-ml games` (e.g. {known}, …).", field="game")
