"""The games a run can train on: the Atari ROMs ale-py ships, listed without importing ale-py.

Owns the game catalogue (`catalog`): every playable game with its id, name and env id, and
finding one from what a user typed. Served as `GET /api/games` and `retro-ml games`.
"""

from retro_ml.services.games.catalog import Game, find_game, list_games, roms_folder

__all__ = [
    "Game",
    "find_game",
    "list_games",
    "roms_folder",
]
