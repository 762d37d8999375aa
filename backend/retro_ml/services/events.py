"""The metric event bus: in-process, thread-safe publish/subscribe.

Subscribers run synchronously in the publisher's thread, in subscription order, so the
experiment manager (subscribed first) has persisted an event before the socket bridge
emits it. A subscriber that raises is logged and skipped; the others still run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

# The event names and their payloads belong to the run contract, shared with the worker side.
from retro_ml.run_contract import (
    DISK_SPACE,
    EVENT_TYPES,
    EXPERIMENT_STATUS,
    EXPORT_COMPLETE,
    EXPORT_FAILED,
    EXPORT_PROGRESS,
    IMPORT_PROGRESS,
    TRAINING_COMPLETE,
    TRAINING_PROGRESS,
    VIDEO_FAILED,
    VIDEO_GENERATED,
)

__all__ = [
    "DISK_SPACE",
    "EVENT_TYPES",
    "EXPERIMENT_STATUS",
    "EXPORT_COMPLETE",
    "EXPORT_FAILED",
    "EXPORT_PROGRESS",
    "IMPORT_PROGRESS",
    "TRAINING_COMPLETE",
    "TRAINING_PROGRESS",
    "VIDEO_FAILED",
    "VIDEO_GENERATED",
    "EventBus",
    "EventData",
    "Subscriber",
]

log = logging.getLogger(__name__)

# One payload object goes to every subscriber: read-only for them (run_contract types each event's).
EventData = Mapping[str, Any]
Subscriber = Callable[[str, EventData], None]


class EventBus:
    def __init__(self, event_types: tuple[str, ...] = EVENT_TYPES) -> None:
        self._lock = threading.Lock()
        self._channels: dict[str, list[Subscriber]] = {name: [] for name in event_types}

    @property
    def event_types(self) -> tuple[str, ...]:
        return tuple(self._channels)

    def subscribe(self, event_type: str, callback: Subscriber) -> Callable[[], None]:
        """Call `callback(event_type, data)` on every `event_type` event; returns an unsubscribe."""
        with self._lock:
            self._channel(event_type).append(callback)

        def unsubscribe() -> None:
            with self._lock:
                subscribers = self._channels[event_type]
                if callback in subscribers:
                    subscribers.remove(callback)

        return unsubscribe

    def subscribe_all(self, callback: Subscriber) -> Callable[[], None]:
        undo = [self.subscribe(name, callback) for name in self.event_types]

        def unsubscribe_all() -> None:
            for unsubscribe in undo:
                unsubscribe()

        return unsubscribe_all

    def publish(self, event_type: str, data: EventData) -> int:
        """Deliver to every subscriber; returns how many ran without raising."""
        with self._lock:
            subscribers = list(self._channel(event_type))
        delivered = 0
        for callback in subscribers:
            try:
                callback(event_type, data)
                delivered += 1
            except Exception:  # a broken subscriber must not break the others
                log.exception("subscriber %r failed on %s", callback, event_type)
        return delivered

    def _channel(self, event_type: str) -> list[Subscriber]:
        try:
            return self._channels[event_type]
        except KeyError:
            raise ValueError(f"unknown event type {event_type!r}; known: {', '.join(self._channels)}") from None
