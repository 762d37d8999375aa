"""Store updates a full disk refused: kept in memory, shown on reads, written when space returns.

The recorder stores every status change a run goes through. When the database cannot be
written (ENOSPC and the like), losing that change would leave a failed run `running` forever,
holding its queue slot. So the change is queued here instead, in order, per experiment: every
read of that experiment applies it on top of what is stored, and a background thread retries
the write every few seconds until it succeeds (or the experiment was deleted meanwhile).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from retro_ml.errors import NotFound
from retro_ml.store.entities import Experiment
from retro_ml.store.experiment_store import ExperimentStore

log = logging.getLogger(__name__)

Change = Callable[[Experiment], None]
RETRY_SECONDS = 2.0


class PendingWrites:
    def __init__(self, store: ExperimentStore, retry_seconds: float = RETRY_SECONDS) -> None:
        self._store = store
        self._retry_seconds = retry_seconds
        self._lock = threading.RLock()  # held while writing: a change never overtakes an older one
        self._pending: dict[str, list[Change]] = {}
        self._flushed_listeners: list[Callable[[], object]] = []
        self._retrying: threading.Thread | None = None

    def update(self, experiment_id: str, change: Change) -> bool:
        """Store `change` after any still pending for the experiment; False: kept for later."""
        with self._lock:
            self._pending.setdefault(experiment_id, []).append(change)
            return self._flush_one(experiment_id)

    def apply(self, experiment: Experiment) -> Experiment:
        """`experiment` (as read from the store) with the changes not yet written applied."""
        with self._lock:
            changes = list(self._pending.get(experiment.id, ()))
        for change in changes:
            change(experiment)
        return experiment

    def has_pending(self) -> bool:
        with self._lock:
            return bool(self._pending)

    def forget(self, experiment_id: str) -> None:
        """The experiment was deleted: nothing of it is left to write."""
        with self._lock:
            self._pending.pop(experiment_id, None)

    def on_flushed(self, listener: Callable[[], object]) -> None:
        """`listener()` after the retry thread wrote everything that was pending."""
        self._flushed_listeners.append(listener)

    def flush(self) -> bool:
        """Try to write everything pending now; True when nothing is left."""
        with self._lock:
            for experiment_id in list(self._pending):
                self._flush_one(experiment_id)
            return not self._pending

    def _flush_one(self, experiment_id: str) -> bool:
        changes = self._pending.get(experiment_id)
        if not changes:
            return True

        def apply_all(experiment: Experiment) -> None:
            for change in changes:
                change(experiment)

        try:
            self._store.update(experiment_id, apply_all)
        except NotFound:
            pass  # deleted meanwhile: nothing to keep
        except OSError as error:
            if len(changes) == 1:
                log.warning(
                    "could not store a change of %s (%s); retrying every %gs", experiment_id, error, self._retry_seconds
                )
            self._start_retrying()
            return False
        self._pending.pop(experiment_id, None)
        return True

    def _start_retrying(self) -> None:
        if self._retrying is not None and self._retrying.is_alive():
            return
        self._retrying = threading.Thread(target=self._retry_until_written, name="pending-writes", daemon=True)
        self._retrying.start()

    def _retry_until_written(self) -> None:
        while True:
            time.sleep(self._retry_seconds)
            with self._lock:
                if self.flush():
                    self._retrying = None
                    break
        log.info("the changes a full disk held back are stored now")
        for listener in list(self._flushed_listeners):
            try:
                listener()
            except Exception:
                log.exception("a pending-writes listener failed")
