from __future__ import annotations

import threading

import pytest

from retro_ml.services.events import EVENT_TYPES, EXPERIMENT_STATUS, TRAINING_PROGRESS, EventBus


def test_plan_event_types_exist() -> None:
    assert (
        set(EventBus().event_types)
        == {
            "training.progress",
            "training.complete",
            "video.generated",
            "experiment.status",
            "video.failed",
            "export.progress",
            "export.complete",
            "export.failed",
            "disk.space",
            "import.progress",
            "checkpoint.saved",
            "models.changed",
            "model.export.progress",
            "model.export.complete",
            "model.export.failed",
            "model.evaluation.progress",
            "model.evaluation.complete",
            "model.evaluation.failed",
            "model.comparison.progress",
            "model.comparison.complete",
            "model.comparison.failed",
            "study.trial.evaluation",
            "study.trial",
            "study.updated",
        }
        == set(EVENT_TYPES)
    )


def test_publish_reaches_subscribers_of_that_type_in_order() -> None:
    bus = EventBus()
    seen: list[tuple[str, str, dict]] = []
    bus.subscribe(TRAINING_PROGRESS, lambda t, d: seen.append(("first", t, d)))
    bus.subscribe(TRAINING_PROGRESS, lambda t, d: seen.append(("second", t, d)))
    bus.subscribe(EXPERIMENT_STATUS, lambda t, d: seen.append(("other", t, d)))
    delivered = bus.publish(TRAINING_PROGRESS, {"experiment_id": "x", "timestep": 5})
    assert delivered == 2
    assert seen == [
        ("first", TRAINING_PROGRESS, {"experiment_id": "x", "timestep": 5}),
        ("second", TRAINING_PROGRESS, {"experiment_id": "x", "timestep": 5}),
    ]


def test_failing_subscriber_does_not_break_the_others(caplog: pytest.LogCaptureFixture) -> None:
    bus = EventBus()
    received: list[dict] = []

    def broken(_t: str, _d: dict) -> None:
        raise RuntimeError("boom")

    bus.subscribe(EXPERIMENT_STATUS, broken)
    bus.subscribe(EXPERIMENT_STATUS, lambda _t, d: received.append(d))
    assert bus.publish(EXPERIMENT_STATUS, {"status": "running"}) == 1
    assert received == [{"status": "running"}]
    assert "boom" in caplog.text


def test_unsubscribe_and_subscribe_all() -> None:
    bus = EventBus()
    seen: list[str] = []
    undo = bus.subscribe_all(lambda t, _d: seen.append(t))
    for event_type in EVENT_TYPES:
        bus.publish(event_type, {})
    undo()
    bus.publish(TRAINING_PROGRESS, {})
    assert seen == list(EVENT_TYPES)


def test_unknown_event_type_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown event type 'training.progres'"):
        EventBus().publish("training.progres", {})


def test_thread_safe_under_concurrent_publish_and_subscribe() -> None:
    bus = EventBus()
    counts: list[int] = []
    lock = threading.Lock()

    def count(_t: str, _d: dict) -> None:
        with lock:
            counts.append(1)

    bus.subscribe(TRAINING_PROGRESS, count)

    def publisher() -> None:
        for _ in range(500):
            bus.publish(TRAINING_PROGRESS, {})

    def churner() -> None:
        for _ in range(500):
            bus.subscribe(TRAINING_PROGRESS, lambda _t, _d: None)()

    threads = [threading.Thread(target=publisher) for _ in range(4)] + [threading.Thread(target=churner)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(counts) == 2000
