from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.socket_events import RecordingClient


@pytest.fixture
def socket_client(live_server) -> Iterator[RecordingClient]:  # type: ignore[no-untyped-def]
    client = RecordingClient()
    client.connect(live_server.base_url, auth={"token": live_server.token})
    try:
        yield client
    finally:
        client.close()
