from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from socket_events import RecordingClient  # noqa: E402

# A tiny PPO run: 2 envs × 64 steps per rollout, 2048 steps in all (~15 s on 2 cores).
TINY_PPO = {"total_timesteps": 2048, "n_envs": 2, "n_steps": 64, "batch_size": 64, "n_epochs": 1}
LONG_PPO = {**TINY_PPO, "total_timesteps": 500_000}


@pytest.fixture
def socket_client(live_server) -> Iterator[RecordingClient]:  # type: ignore[no-untyped-def]
    client = RecordingClient()
    client.connect(live_server.base_url, auth={"token": live_server.token})
    try:
        yield client
    finally:
        client.close()
