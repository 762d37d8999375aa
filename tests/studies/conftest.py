"""The studies tests' real PostgreSQL server: one cluster per test session (tests/helpers/postgres.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.postgres import PostgresServer, find_pg_bin, start_postgres


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    pg_bin = find_pg_bin()
    if pg_bin is None:
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql; scripts/setup.sh dev does)")
    server = start_postgres(pg_bin)
    try:
        yield server
    finally:
        server.stop()
