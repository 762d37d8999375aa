"""Where a study's trials live: an Optuna RDB storage, by URL, and where its password is kept.

The default is `sqlite:///<data dir>/studies.db` (one file beside the database); Settings'
`study_storage_url` (e.g. a PostgreSQL server several machines share) replaces it for new
studies, and a request may name another (`storage`).

A password is kept in one place only, Settings' `study_storage_url` (the database's settings
table). A study's record keeps its URL with `***` for the password (`redact_url`), and so do
answers and log lines. Opening a study's storage (`StorageCache.get`) puts the password back:
Settings' when its URL names the same server, user and database, else the one given in this
process (a request's `storage`, `retro-ml tune --storage`), else none (libpq then reads
~/.pgpass or PGPASSWORD itself).

Heartbeats (Optuna's, for ask-and-tell: services/studies/runner.py records them): a machine that
stops beating for `GRACE_SECONDS` is taken for gone and its running trials fail (Optuna's
`fail_stale_trials`); `retry_stale_trial` enqueues each again, same parameters, once.
Optuna (and SQLAlchemy) load on first use, not when the app starts.
"""

from __future__ import annotations

import logging
import os
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from retro_ml.errors import AppError, InvalidInput

STUDIES_DATABASE = "studies.db"
SUPPORTED_SCHEMES = ("sqlite", "postgresql")
SQLITE_BUSY_SECONDS = 30  # SQLite waits this long for another writer's lock
CONNECT_TIMEOUT_SECONDS = 5  # a server that does not answer fails within seconds
HEARTBEAT_SECONDS = 30  # a running study's runner beats for its trials this often
GRACE_SECONDS = 600  # ...and a trial without a beat for this long is failed (and retried) by any runner
GRACE_ENV = "RETRO_ML_STUDY_GRACE_SECONDS"  # another grace period (tests; a cluster that wants it sooner)
MAX_RETRIES = 1  # a trial failed for a lost heartbeat runs again once
HIDDEN = "***"

log = logging.getLogger(__name__)


def default_storage_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / STUDIES_DATABASE).resolve()}"


def redact_url(url: str) -> str:
    """The URL without its password (`***` in its place), for records, answers and logs."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL: show no part of it that could hold a secret
        scheme = url.split(":", 1)[0] if ":" in url else "?"
        return f"{scheme}://{HIDDEN}"


def has_password(url: str) -> bool:
    """True when the URL carries a real password (not none, not the `***` of a redacted one)."""
    from sqlalchemy.engine import make_url

    try:
        password = make_url(url).password
    except Exception:  # noqa: BLE001 - unparsable: it carries nothing usable
        return False
    return password is not None and password != HIDDEN


def without_password(url: str) -> str:
    """A redacted URL made openable without its password (libpq then looks in ~/.pgpass, PGPASSWORD)."""
    from sqlalchemy.engine import URL, make_url

    parts = make_url(url)  # (URL.set(password=None) keeps the password: None there means "unchanged")
    bare = URL.create(parts.drivername, parts.username, None, parts.host, parts.port, parts.database, parts.query)
    return bare.render_as_string(hide_password=False)


def check_storage_url(value: Any, field: str = "storage") -> str:
    """A storage URL: sqlite:///<path> or postgresql://...; a 400 naming `field` otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"'{field}' must be a database URL like postgresql://user@host/db.", field=field)
    url = value.strip()
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
    if scheme not in SUPPORTED_SCHEMES or "://" not in url:
        raise InvalidInput(
            f"'{field}' must be a sqlite:/// or postgresql:// URL, not {redact_url(url)!r}.", field=field
        )
    try:
        from sqlalchemy.engine import make_url

        make_url(url)
    except Exception:  # noqa: BLE001 - SQLAlchemy's parser refused it
        message = f"'{field}' is not a database URL SQLAlchemy can read: {redact_url(url)!r}."
        raise InvalidInput(message, field=field) from None
    return url


class StorageCache:
    """One Optuna RDBStorage per URL for the whole process (each holds a connection pool), and the
    passwords given in this process, by redacted URL (see the module doc)."""

    def __init__(self, settings_url: Callable[[], str]) -> None:
        self._settings_url = settings_url  # Settings' study_storage_url, read at each open
        self._lock = threading.Lock()
        self._storages: dict[str, Any] = {}
        self._given: dict[str, str] = {}

    def remember(self, url: str) -> str:
        """Keep a URL's password for this process; the redacted URL, which is what a record keeps."""
        redacted = redact_url(url)
        if has_password(url):
            with self._lock:
                self._given[redacted] = url
        return redacted

    def full_url(self, url: str) -> str:
        """The URL to connect with: its own password, else Settings', else one given, else none."""
        if has_password(url) or HIDDEN not in url:
            return url
        settings_url = self._settings_url()
        if settings_url and redact_url(settings_url) == url:
            return settings_url
        with self._lock:
            given = self._given.get(url)
        return given if given is not None else without_password(url)

    def get(self, url: str) -> Any:
        """The storage of a URL (full or redacted); 422 `storage_unavailable` when it cannot be opened."""
        full = self.full_url(url)
        with self._lock:
            storage = self._storages.get(full)
        if storage is None:
            storage = open_storage(full)  # outside the lock: a server that does not answer takes seconds
            with self._lock:
                storage = self._storages.setdefault(full, storage)
        return storage


def open_storage(url: str) -> Any:
    """An Optuna RDBStorage on `url`; a 422 `storage_unavailable` naming the redacted URL when it fails."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)  # no "Trial N finished" line per trial in the app's log
    engine_kwargs: dict[str, Any] = (
        {"connect_args": {"timeout": SQLITE_BUSY_SECONDS}}
        if url.startswith("sqlite")
        else {"connect_args": {"connect_timeout": CONNECT_TIMEOUT_SECONDS}, "pool_pre_ping": True}
    )
    grace = grace_seconds()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)  # heartbeat_interval
            return optuna.storages.RDBStorage(
                url,
                engine_kwargs=engine_kwargs,
                heartbeat_interval=max(1, min(HEARTBEAT_SECONDS, grace // 4)),
                grace_period=grace,
                heartbeat_stale_trial_callback=retry_stale_trial,
            )
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


def grace_seconds() -> int:
    try:
        return max(4, int(os.environ.get(GRACE_ENV, GRACE_SECONDS)))
    except ValueError:
        return GRACE_SECONDS


def retry_stale_trial(study: Any, trial: Any) -> None:
    """Optuna's RetryHeartbeatStaleTrialCallback, minus the lost machine's user attrs (its run, its
    name): the retry is a WAITING trial with the same parameters, whichever runner asks first runs it.
    `system_attrs` `failed_trial` / `retry_history` say which trial it retries, as Optuna's do."""
    import optuna

    history = [*trial.system_attrs.get("retry_history", []), trial.number]
    if len(history) > MAX_RETRIES:
        return
    study.add_trial(
        optuna.trial.create_trial(
            state=optuna.trial.TrialState.WAITING,
            params=trial.params,
            distributions=trial.distributions,
            system_attrs={"failed_trial": history[0], "retry_history": history},
        )
    )
