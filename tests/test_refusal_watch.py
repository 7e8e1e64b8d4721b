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


def _pending_put(watch: RefusalWatch, pv: str | None = None):
    status = DeviceStatus(None)
    reasons: list[str] = []
    done = threading.Event()

    def refused(reason: str) -> None:
        reasons.append(reason)
        done.set()

    since = watch.listen(status, refused, pv)
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


def test_the_put_the_instrument_names_fails_at_once_the_others_after_the_grace(monkeypatch):
    monkeypatch.setattr(instrument, "REFUSAL_TIMEOUT_S", 60.0)  # never, within this test
    last_error, named = FakeLastError("", 100.0), FakeLastError("", 100.0)
    watch = RefusalWatch(last_error, named)
    _, reasons, done, _ = _pending_put(watch, "BL:HXR:Scaler.TP")
    _, other_reasons, other_done, _ = _pending_put(watch, "BL:HXR:Holder")
    named.publish("BL:HXR:Scaler.TP", 101.0)  # written just before LastError
    last_error.publish("preset counting time -1.0 s outside [1e-06, 3600]", 101.0)
    assert done.wait(2.0) and reasons == ["preset counting time -1.0 s outside [1e-06, 3600]"]
    assert not other_done.wait(0.2)  # the holder's put is not the one refused
    # A motor record's name is its VAL field's.
    _, val_reasons, val_done, _ = _pending_put(watch, "BL:HXR:Holder.VAL")
    named.publish("BL:HXR:Holder", 102.0)
    last_error.publish("1.5 is not a whole slot", 102.0)
    assert val_done.wait(2.0) and other_done.wait(2.0)


def test_a_refusal_without_a_new_pv_name_is_not_placed_on_the_old_one(monkeypatch):
    monkeypatch.setattr(instrument, "REFUSAL_TIMEOUT_S", 60.0)  # never, within this test
    last_error, named = FakeLastError("", 100.0), FakeLastError("", 100.0)
    watch = RefusalWatch(last_error, named)
    named.publish("BL:HXR:Scaler.TP", 101.0)
    last_error.publish("preset counting time outside its range", 101.0)
    _, reasons, done, _ = _pending_put(watch, "BL:HXR:Scaler.TP")
    last_error.publish("the sweep ended early: beam lost", 102.0)  # LastErrorPV not written
    assert not done.wait(0.2)  # the grace, not at once
