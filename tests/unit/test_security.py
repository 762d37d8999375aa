from __future__ import annotations

import pytest

from retro_ml.web.security import Security

security = Security(token="s3cret")


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        ("Bearer s3cret", True),
        ("bearer s3cret", True),
        ("Bearer wrong", False),
        ("s3cret", False),
        ("Basic s3cret", False),
        (None, False),
        ("Bearer ", False),
    ],
)
def test_bearer(header: str | None, ok: bool) -> None:
    assert security.bearer_ok(header) is ok


@pytest.mark.parametrize(
    ("host", "ok"),
    [
        ("127.0.0.1:5000", True),
        ("localhost:5000", True),
        ("[::1]:5000", True),
        ("LOCALHOST", True),
        ("evil.example:5000", False),
        ("127.0.0.1.evil.example", False),
        ("", False),
        (None, False),
    ],
)
def test_host(host: str | None, ok: bool) -> None:
    assert security.host_ok(host) is ok


@pytest.mark.parametrize(
    ("origin", "host", "ok"),
    [
        (None, "127.0.0.1:5000", True),
        ("http://127.0.0.1:5000", "127.0.0.1:5000", True),
        ("http://127.0.0.1:6000", "127.0.0.1:5000", False),
        ("http://evil.example", "127.0.0.1:5000", False),
        ("null", "127.0.0.1:5000", False),
    ],
)
def test_origin(origin: str | None, host: str, ok: bool) -> None:
    assert security.origin_ok(origin, host) is ok


def test_token_compare_rejects_non_strings() -> None:
    assert not security.token_ok(None) and not security.token_ok(123) and security.token_ok("s3cret")
