"""The comparison's side-by-side video: 2-4 models play the same seeded game at once, in a grid.

Each model plays its own `EpisodeGame` (training/episodes.py) on the same seed; every emulator
frame of every game goes to its tile's queue (frameskip happens inside the env, so an agent
step yields about four frames). Each video frame takes the next frame of every tile, so all
games run at their real speed side by side, 60 frames a second, none skipped. A game is
stepped only when its queue runs dry, so memory stays at a few frames per tile. A tile whose
game ended holds its last frame, labelled "final score N"; the video ends with the longest game.

Layout: 2 models side by side (1×2), 3-4 in a 2×2 grid (a fourth cell left dark for 3). Each
tile is the game screen upscaled ×`scale` under a label bar: the model's name and step on the
first line, its live score on the second.
"""

from __future__ import annotations

import collections
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from retro_ml.training.episodes import NATIVE_FPS, STOP_CHECK_EVERY_FRAMES, ClipStopped, EpisodeGame
from retro_ml.training.video import VideoWriter
from retro_ml.training.video.thumbnails import ThumbnailPicker, write_png_atomically

DEFAULT_TILE_SCALE = 2
LABEL_BAR_PER_SCALE = 22
THUMBNAIL_SAMPLES = 16  # a grid frame is ~1.8 MB: keep fewer samples than for one game
GAP = 4  # dark pixels between tiles
BACKGROUND = (12, 14, 22)
BAR_COLOUR = (18, 20, 30)
NAME_COLOUR = (150, 160, 185)
SCORE_COLOUR = (255, 255, 255)
FINAL_COLOUR = (255, 200, 90)


def grid_shape(count: int) -> tuple[int, int]:
    """(rows, columns) for `count` tiles: 1×2 for two, 2×2 for three or four."""
    if not 2 <= count <= 4:
        raise ValueError(f"a comparison video shows 2 to 4 models, not {count}")
    return (1, 2) if count == 2 else (2, 2)


@dataclass(frozen=True)
class Contender:
    """One tile: the model playing and the label it wears (e.g. "Breakout PPO · step 1,000,000")."""

    model: Any
    frame_stack: int
    label: str


@dataclass(frozen=True)
class ComparisonVideo:
    """What was recorded: the file, its size and length, and each tile's final score."""

    video_path: Path
    thumbnail_path: Path
    width: int
    height: int
    frames: int
    scores: list[float]

    @property
    def duration(self) -> float:
        return self.frames / NATIVE_FPS


class _Tile:
    """One game's frame queue (each frame with the score it had then) and what the tile shows now."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.queue: collections.deque[tuple[NDArray[np.uint8], float]] = collections.deque()
        self.game: EpisodeGame | None = None
        self.frame: NDArray[np.uint8] | None = None
        self.score = 0.0
        self.final = False

    def __call__(self, frame: NDArray[np.uint8]) -> None:
        self.queue.append((frame, self.game.score if self.game is not None else 0.0))

    def advance(self) -> bool:
        """Show the next frame (stepping the game when none is queued); False once it has none left."""
        game = self.game
        assert game is not None
        while not self.queue and not game.over:
            game.step()
        if self.queue:
            self.frame, self.score = self.queue.popleft()
            return True
        self.final = True
        self.score = game.score
        return False


class _GridComposer:
    """Draws the tiles into one reused canvas; a label bar is redrawn only when its text changes."""

    def __init__(self, count: int, screen_shape: tuple[int, ...], scale: int) -> None:
        import cv2

        self._cv2 = cv2
        self.rows, self.columns = grid_shape(count)
        self.scale = scale
        self.screen_height, self.screen_width = screen_shape[0] * scale, screen_shape[1] * scale
        self.bar_height = LABEL_BAR_PER_SCALE * scale
        self.tile_height = self.bar_height + self.screen_height
        width = self.columns * self.screen_width + (self.columns - 1) * GAP
        height = self.rows * self.tile_height + (self.rows - 1) * GAP
        self.width, self.height = width + width % 2, height + height % 2
        self.canvas: NDArray[np.uint8] = np.empty((self.height, self.width, 3), dtype=np.uint8)
        self.canvas[:] = BACKGROUND
        self._drawn: dict[int, tuple[str, str, bool]] = {}

    def origin(self, index: int) -> tuple[int, int]:
        row, column = divmod(index, self.columns)
        return row * (self.tile_height + GAP), column * (self.screen_width + GAP)

    def draw(self, index: int, tile: _Tile) -> None:
        top, left = self.origin(index)
        if tile.frame is not None:
            screen = self.canvas[top + self.bar_height : top + self.tile_height, left : left + self.screen_width]
            screen[:] = self._cv2.resize(
                tile.frame, (self.screen_width, self.screen_height), interpolation=self._cv2.INTER_NEAREST
            )
        score_text = f"{'final score' if tile.final else 'score'} {tile.score:g}"
        if self._drawn.get(index) != (tile.label, score_text, tile.final):
            self._draw_bar(top, left, tile.label, score_text, tile.final)
            self._drawn[index] = (tile.label, score_text, tile.final)

    def _draw_bar(self, top: int, left: int, label: str, score_text: str, final: bool) -> None:
        cv2 = self._cv2
        bar = self.canvas[top : top + self.bar_height, left : left + self.screen_width]
        bar[:] = BAR_COLOUR
        font = cv2.FONT_HERSHEY_SIMPLEX
        x = 4 * self.scale
        cv2.putText(bar, fit(label, self.screen_width, 0.2 * self.scale), (x, int(self.bar_height * 0.4)),
                    font, 0.2 * self.scale, NAME_COLOUR, 1, cv2.LINE_AA)  # fmt: skip
        cv2.putText(bar, score_text, (x, int(self.bar_height * 0.85)), font, 0.25 * self.scale,
                    FINAL_COLOUR if final else SCORE_COLOUR, 1 if self.scale < 3 else 2, cv2.LINE_AA)  # fmt: skip


def drawable(text: str) -> str:
    """`text` in the characters OpenCV's Hershey font draws: accents dropped ("é" → "e"), others "?"."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\u00b7", "-"))
    return "".join(c if c.isascii() else "?" for c in decomposed if not unicodedata.combining(c))


def fit(text: str, width: int, font_scale: float) -> str:
    """`text`, made drawable and cut with an ellipsis where it would run past `width` pixels."""
    import cv2

    text = drawable(text)

    def too_wide(candidate: str) -> bool:
        size = cv2.getTextSize(candidate, cv2.FONT_HERSHEY_SIMPLEX, font_scale, 1)[0][0]
        return bool(size > width - 8)

    if not too_wide(text):
        return text
    while len(text) > 1 and too_wide(text + "..."):
        text = text[:-1]
    return text.rstrip() + "..."


def record_comparison(
    contenders: list[Contender],
    env_id: str,
    seed: int,
    max_frames: int,
    video_path: Path,
    thumbnail_path: Path,
    stopping: Callable[[], bool],
    scale: int = DEFAULT_TILE_SCALE,
) -> ComparisonVideo:
    """Play every contender's game on `seed` side by side and record the grid (see the module doc).

    The video is written under a temporary name and renamed at the end (VideoWriter); on any
    error, or when `stopping()` says so (ClipStopped), nothing is left under the final names.
    """
    grid_shape(len(contenders))
    tiles = [_Tile(contender.label) for contender in contenders]
    games: list[EpisodeGame] = []
    writer: VideoWriter | None = None
    try:
        for contender, tile in zip(contenders, tiles, strict=True):
            tile.game = EpisodeGame(contender.model, env_id, seed, contender.frame_stack, max_frames, tile)
            games.append(tile.game)
        live = [tile.advance() for tile in tiles]
        first = next(tile.frame for tile in tiles if tile.frame is not None)
        composer = _GridComposer(len(tiles), first.shape, scale)
        writer = VideoWriter(video_path, composer.width, composer.height, fps=NATIVE_FPS).open()
        thumbnails = ThumbnailPicker(THUMBNAIL_SAMPLES)
        frames = 0
        while True:
            for index, tile in enumerate(tiles):
                composer.draw(index, tile)
            writer.write(composer.canvas)
            thumbnails.offer(composer.canvas)
            frames += 1
            if frames % STOP_CHECK_EVERY_FRAMES == 0 and stopping():
                raise ClipStopped()
            live = [tile.advance() if still else False for tile, still in zip(tiles, live, strict=True)]
            if not any(live):
                break
        for index, tile in enumerate(tiles):  # the last frame says "final score" on every tile
            tile.final = True
            composer.draw(index, tile)
        writer.write(composer.canvas)
        frames += 1
        picked = thumbnails.pick()
        assert picked is not None
        write_png_atomically(thumbnail_path, picked)
        writer.close()
    except BaseException:
        if writer is not None:
            writer.abort()
        thumbnail_path.unlink(missing_ok=True)
        raise
    finally:
        for game in games:
            game.close()
    return ComparisonVideo(
        video_path=video_path,
        thumbnail_path=thumbnail_path,
        width=composer.width,
        height=composer.height,
        frames=frames,
        scores=[tile.score for tile in tiles],
    )
