from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from socket_events import RecordingClient  # noqa: E402


@pytest.fixture
def socket_client(live_server) -> Iterator[RecordingClient]:  # type: ignore[no-untyped-def]
    client = RecordingClient()
    client.connect(live_server.base_url, auth={"token": live_server.token})
    try:
        yield client
    finally:
        client.close()
