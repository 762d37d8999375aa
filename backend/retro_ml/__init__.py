"""Retro ML Trainer: pick an Atari game, press one button, watch an agent learn it."""

__version__ = "0.1.0"
__all__ = ["__version__"]
