"""A put is failed as refused only by a refusal published while it was pending."""

import threading

from ophyd.status import DeviceStatus

from operando.devices import instrument
from operando.devices.instrument import RefusalWatch


class FakeLastError:
    """Stands in for an instrument's LastError PV: a value with the IOC's timestamp."""

    def __init__(self, value: str, timestamp: float):
        self.value, self.timestamp = value, timestamp
        self.callbacks = []

    def get(self, use_monitor: bool = True) -> str:
        return self.value

    def subscribe(self, callback, run: bool = True) -> int:
        self.callbacks.append(callback)
        return len(self.callbacks)

    def publish(self, value: str, timestamp: float) -> None:
        self.value, self.timestamp = value, timestamp
        for callback in self.callbacks:
            callback(value=value, timestamp=timestamp)


def _pending_put(watch: RefusalWatch):
    status = DeviceStatus(None)
    reasons: list[str] = []
    done = threading.Event()

    def refused(reason: str) -> None:
        reasons.append(reason)
        done.set()

    since = watch.listen(status, refused)
    return status, reasons, done, since


def test_an_old_refusal_is_never_the_reason_of_a_later_put(monkeypatch):
    monkeypatch.setattr(instrument, "REFUSAL_TIMEOUT_S", 0.01)
    last_error = FakeLastError("|I| = 250 mA exceeds the compliance of 100 mA", 100.0)
    watch = RefusalWatch(last_error)
    status, reasons, done, since = _pending_put(watch)
    last_error.publish(last_error.value, 100.0)  # the monitor's first update: old news
    assert not done.wait(0.2)
    assert watch.refusal_since(since) is None


def test_a_refusal_while_pending_fails_the_put_with_its_reason(monkeypatch):
    monkeypatch.setattr(instrument, "REFUSAL_TIMEOUT_S", 0.01)
    last_error = FakeLastError("", 100.0)
    watch = RefusalWatch(last_error)
    status, reasons, done, since = _pending_put(watch)
    last_error.publish("active mass must be finite and positive, got nan mg", 101.0)
    assert done.wait(2.0)
    assert reasons == ["active mass must be finite and positive, got nan mg"]
    assert watch.refusal_since(since) == reasons[0]


def test_a_put_done_before_the_refusal_is_not_told_of_it(monkeypatch):
    monkeypatch.setattr(instrument, "REFUSAL_TIMEOUT_S", 0.01)
    last_error = FakeLastError("", 100.0)
    watch = RefusalWatch(last_error)
    status, reasons, done, since = _pending_put(watch)
    watch.forget(status)
    last_error.publish("another put was refused", 101.0)
    assert not done.wait(0.2)
