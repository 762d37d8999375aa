"""Desktop notifications for what happens while the user looks elsewhere.

Subscribes to the bus: a completed run, a new video (milestone clip, evaluation, the joined
long video; not its parts) and a failed run, each behind its own setting. The bus thread only
queues the event; one worker thread composes and sends, so a slow D-Bus never holds up the
experiment manager or the socket bridge.

Without a notification service the app works the same: the state says why (for the Settings
screen), one log line says so when it becomes unavailable, and it is asked again before the
next notification (a desktop may start its notification daemon after the app).

Built after crash recovery: reports replayed at start-up are old news and notify nobody.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any, Protocol

from retro_ml.errors import AppError
from retro_ml.formatting import format_duration
from retro_ml.platform import IntegrationState, Platform, PlatformUnavailable
from retro_ml.services.events import EXPERIMENT_STATUS, TRAINING_COMPLETE, VIDEO_GENERATED, EventBus, EventData
from retro_ml.services.settings import SettingsService
from retro_ml.services.videos.registry import video_label
from retro_ml.store.entities import Experiment

log = logging.getLogger(__name__)

NOTIFIED_VIDEO_TYPES = ("milestone", "evaluation", "hour")
TEST_TITLE = "Retro ML Trainer"
TEST_MESSAGE = "Notifications work: finished runs and new videos will show up here."


class ExperimentLookup(Protocol):
    def get(self, experiment_id: str) -> Experiment: ...


Note = tuple[str, str, str]  # (the setting that allows it, title, message)
Job = tuple[str, dict[str, Any]] | threading.Event | None


class NotificationService:
    def __init__(
        self, bus: EventBus, platform: Platform, settings: SettingsService, experiments: ExperimentLookup
    ) -> None:
        self._platform = platform
        self._settings = settings
        self._experiments = experiments
        self._jobs: queue.Queue[Job] = queue.Queue()
        self._lock = threading.Lock()
        self._state: IntegrationState | None = None
        self._unsubscribe = [bus.subscribe(t, self._on_event) for t in (TRAINING_COMPLETE, VIDEO_GENERATED)]
        self._unsubscribe.append(bus.subscribe(EXPERIMENT_STATUS, self._on_status))
        self._thread = threading.Thread(target=self._run, name="notifications", daemon=True)
        self._thread.start()

    # -- API --------------------------------------------------------------------------------------
    def status(self) -> IntegrationState:
        """Asks the OS now (a few milliseconds) and remembers the answer."""
        return self._record(self._platform.notification_state())

    def send_test(self) -> IntegrationState:
        """Sends a test notification now; raises PlatformUnavailable (with the fix) when it cannot."""
        state = self.status()
        if not state.available:
            raise PlatformUnavailable(state.reason)
        try:
            self._platform.notify(TEST_TITLE, TEST_MESSAGE, check=False)
        except PlatformUnavailable as exc:
            self._record(IntegrationState(False, exc.message, state.method))
            raise
        return state

    def drain(self, timeout: float = 10.0) -> bool:
        """Waits until every event queued so far has been handled (tests, shutdown)."""
        done = threading.Event()
        self._jobs.put(done)
        return done.wait(timeout)

    def shutdown(self, timeout: float = 5.0) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._jobs.put(None)
        self._thread.join(timeout)

    # -- bus thread: queue only -------------------------------------------------------------------
    def _on_event(self, event: str, data: EventData) -> None:
        self._jobs.put((event, dict(data)))

    def _on_status(self, event: str, data: EventData) -> None:
        if data.get("status") == "failed":
            self._jobs.put((event, dict(data)))

    # -- worker thread ----------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            self.status()  # at start-up, so the one log line about a missing service comes early
        except Exception:
            log.exception("could not check for desktop notifications")
        while True:
            job = self._jobs.get()
            if job is None:
                return
            if isinstance(job, threading.Event):
                job.set()
                continue
            try:
                note = self.compose(*job)
                if note is not None and self._settings.get(note[0]):
                    self._send(note[1], note[2])
            except Exception:  # one bad event must not end notifications for the session
                log.exception("could not notify about %s", job[0])

    def compose(self, event: str, data: dict[str, Any]) -> Note | None:
        """The notification an event stands for, or None when it stands for none."""
        name = self._experiment_name(str(data.get("experiment_id", "")))
        if event == TRAINING_COMPLETE:
            metrics = data.get("final_metrics") or {}
            return "notify_training_complete", f"Training complete: {name}", reward_summary(metrics)
        if event == VIDEO_GENERATED:
            if data.get("video_type") not in NOTIFIED_VIDEO_TYPES or data.get("segment") is not None:
                return None  # a part of the long video: the joined one is notified when the run ends
            seconds = data.get("duration")
            length = f"{format_duration(seconds)} long" if seconds else "Ready"
            return "notify_video_generated", f"New video: {name} · {video_label(data)}", f"{length}, in the Videos tab."
        if event == EXPERIMENT_STATUS and data.get("status") == "failed":
            message = str(data.get("message") or "See worker.log in the run folder.")
            return "notify_training_failed", f"Training failed: {name}", message
        return None

    def _experiment_name(self, experiment_id: str) -> str:
        try:
            return self._experiments.get(experiment_id).name
        except AppError:  # deleted meanwhile
            return f"experiment {experiment_id}"

    def _send(self, title: str, message: str) -> None:
        with self._lock:
            state = self._state
        if state is None or not state.available:
            state = self.status()  # a few milliseconds, and notifications are rare
        if not state.available:
            return
        try:
            self._platform.notify(title, message, check=False)
        except PlatformUnavailable as exc:
            self._record(IntegrationState(False, exc.message, state.method))

    def _record(self, state: IntegrationState) -> IntegrationState:
        with self._lock:
            previous, self._state = self._state, state
        if not state.available and (previous is None or previous.available):
            log.warning("Desktop notifications are off: %s", state.reason)
        elif state.available and previous is not None and not previous.available:
            log.info("Desktop notifications are available again.")
        return state


def reward_summary(metrics: dict[str, Any]) -> str:
    mean = metrics.get("mean_reward")
    if mean is None:
        return "No game finished, so there is no mean reward."
    text = f"Mean reward {mean:.1f}"
    if metrics.get("best_reward") is not None:
        text += f", best game {metrics['best_reward']:g}"
    if metrics.get("episodes"):
        text += f", {metrics['episodes']:,} games played"
    return text + "."
