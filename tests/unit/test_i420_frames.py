"""The long video's frames go to ffmpeg as I420 built from the small screen: the same numbers
as converting the enlarged RGB frame (what ffmpeg did with rgb24 before), at any scale."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from retro_ml.training.video.overlay import Caption, FrameComposer
from retro_ml.training.video.yuv import I420Planes, i420_size, put_upscaled_screen


@pytest.fixture(scope="module")
def screens() -> list[np.ndarray]:
    """Real Breakout screens plus a frame of every colour pure noise can give."""
    import ale_py
    import gymnasium

    gymnasium.register_envs(ale_py)
    env = gymnasium.make("ALE/Breakout-v5", frameskip=1)
    try:
        env.reset(seed=3)
        env.action_space.seed(3)
        frames = []
        for _ in range(60):
            env.step(env.action_space.sample())
            frames.append(env.unwrapped.ale.getScreenRGB())  # type: ignore[attr-defined]
    finally:
        env.close()
    noise = np.random.default_rng(0).integers(0, 256, (210, 160, 3), dtype=np.uint8)
    return [frames[0], frames[-1], noise]


def reference_i420(screen: np.ndarray, caption: Caption, scale: int) -> np.ndarray:
    """The old way: compose the enlarged RGB frame with its bar, convert it whole."""
    composer = FrameComposer(screen.shape, scale)
    canvas = np.zeros((composer.height, composer.width, 3), dtype=np.uint8)
    game = cv2.resize(screen, (160 * scale, 210 * scale), interpolation=cv2.INTER_NEAREST)
    canvas[: 210 * scale, : 160 * scale] = game
    composer._draw(caption)  # the bar as the composer draws it
    canvas[composer.game_height :] = composer._bar
    return np.asarray(cv2.cvtColor(canvas, cv2.COLOR_RGB2YUV_I420)).ravel()


@pytest.mark.parametrize("scale", [1, 2, 3, 4])
def test_composed_i420_equals_converting_the_enlarged_rgb_frame(screens: list[np.ndarray], scale: int) -> None:
    composer = FrameComposer(screens[0].shape, scale)
    caption = Caption(12_345, 7, 21.0, 30.0)
    for screen in screens:
        got = composer(screen, caption).astype(np.int16)
        want = reference_i420(screen, caption, scale).astype(np.int16)
        assert got.shape == want.shape == (i420_size(composer.width, composer.height),)
        difference = np.abs(got - want)
        # The same BT.601 limited-range formula: at most one step apart where the two round differently.
        assert difference.max() <= 1, (scale, difference.max())
        assert difference.mean() < 0.1


def test_a_new_caption_redraws_the_bar_and_leaves_the_game(screens: list[np.ndarray]) -> None:
    composer = FrameComposer(screens[0].shape, 2)
    first = composer(screens[1], Caption(100, 1, 0.0, None)).copy()
    second = composer(screens[1], Caption(200, 1, 4.0, 4.0)).copy()
    game_luma = 420 * 320
    assert np.array_equal(first[:game_luma], second[:game_luma])
    assert not np.array_equal(first[game_luma : 452 * 320], second[game_luma : 452 * 320])


def test_the_exact_upscale_needs_an_even_scale(screens: list[np.ndarray]) -> None:
    planes = I420Planes(480, 630)
    with pytest.raises(ValueError, match="even scale"):
        put_upscaled_screen(planes, screens[0], 3)
    with pytest.raises(ValueError, match="even sides"):
        I420Planes(161, 210)
