"""Fixtures of the desktop window tests: an X11 connection to the shared Xvfb display."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.desktop_window import X11


@pytest.fixture
def x11(xvfb_display: str) -> Iterator[X11]:
    connection = X11(xvfb_display)
    yield connection
    connection.close()
