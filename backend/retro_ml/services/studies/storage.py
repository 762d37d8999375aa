"""Where a study's trials live: an Optuna RDB storage, by URL.

The default is `sqlite:///<data dir>/studies.db` (one file beside the database); a study may
name another URL (`storage`; e.g. a PostgreSQL server several machines share). A URL's password
never leaves this module in an answer or a log line: `redact_url` replaces it with `***`.
Optuna (and SQLAlchemy) load on first use, not when the app starts.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from retro_ml.errors import AppError, InvalidInput

STUDIES_DATABASE = "studies.db"
SUPPORTED_SCHEMES = ("sqlite", "postgresql")
SQLITE_BUSY_SECONDS = 30  # SQLite waits this long for another writer's lock
CONNECT_TIMEOUT_SECONDS = 5  # a server that does not answer fails within seconds

log = logging.getLogger(__name__)


def default_storage_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / STUDIES_DATABASE).resolve()}"


def redact_url(url: str) -> str:
    """The URL without its password (`***` in its place), for answers and logs."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL: show no part of it that could hold a secret
        scheme = url.split(":", 1)[0] if ":" in url else "?"
        return f"{scheme}://***"


def check_storage_url(value: Any) -> str:
    """A storage URL a request may name: sqlite:///<path> or postgresql://...; 400 on `storage` otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("'storage' must be a database URL like postgresql://user@host/db.", field="storage")
    url = value.strip()
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
    if scheme not in SUPPORTED_SCHEMES or "://" not in url:
        raise InvalidInput(
            f"'storage' must be a sqlite:/// or postgresql:// URL, not {redact_url(url)!r}.", field="storage"
        )
    return url


class StorageCache:
    """One Optuna RDBStorage per URL for the whole process (each holds a connection pool)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._storages: dict[str, Any] = {}

    def get(self, url: str) -> Any:
        with self._lock:
            storage = self._storages.get(url)
            if storage is None:
                storage = self._storages[url] = open_storage(url)
            return storage


def open_storage(url: str) -> Any:
    """An Optuna RDBStorage on `url`; a 422 `storage_unavailable` naming the redacted URL when it fails."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)  # no "Trial N finished" line per trial in the app's log
    connect_args: dict[str, Any] = (
        {"timeout": SQLITE_BUSY_SECONDS} if url.startswith("sqlite") else {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    )
    try:
        return optuna.storages.RDBStorage(url, engine_kwargs={"connect_args": connect_args})
    except Exception as error:  # noqa: BLE001 - any driver error: the message must not carry the password
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        reason = reason.replace(url, redact_url(url))
        log.warning("study storage %s cannot be opened: %s", redact_url(url), type(error).__name__)
        raise AppError(
            "storage_unavailable",
            f"The study storage {redact_url(url)} cannot be opened ({type(error).__name__}: {reason[:300]}).",
            status=422,
            field="storage",
        ) from None
