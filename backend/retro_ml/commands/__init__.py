"""The implementations behind `retro-ml` sub-commands (see `retro_ml.cli`)."""

from retro_ml.commands.evaluate import evaluate
from retro_ml.commands.info import doctor, list_games
from retro_ml.commands.models import list_models
from retro_ml.commands.serve import open_window, serve
from retro_ml.commands.train import train
from retro_ml.commands.tune import tune

__all__ = ["doctor", "evaluate", "list_games", "list_models", "open_window", "serve", "train", "tune"]
