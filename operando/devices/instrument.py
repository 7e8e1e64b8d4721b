"""Building blocks every instrument device uses: refusable settings and paged buffers.

- :class:`Setpoint`: a setting the instrument may refuse (outside compliance); the put
  fails with the instrument's own reason, read from its ``LastError`` PV.
- :class:`PagedBuffer`: an on-instrument record read out in pages (put ``Start``, read
  ``N`` and the column arrays), remembering what has been collected already so that a
  flyer emits every point exactly once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import numpy as np
from ophyd import Component as Cpt
from ophyd import Device, EpicsSignal, EpicsSignalRO
from ophyd.status import DeviceStatus

from ..errors import InstrumentRefused

logger = logging.getLogger(__name__)

REFUSAL_TIMEOUT_S = 3.0  # a put the IOC refused gets no completion; give up after this
COMPLETION_TIMEOUT_S = 30.0  # a valid put on a busy IOC may take this long to complete
REFUSED_PV_CONNECT_S = 1.0  # how long the first put waits for an instrument's LastErrorPV


class Setpoint(EpicsSignal):
    """A setting the instrument may refuse; a refusal fails the put with the IOC's reason.

    The instrument publishes why it refused a put in its LastError PV (caproto's threading
    client does not report a refused put-completion: the put just never completes). So a
    put fails as refused when the instrument published a refusal of its PV while it was
    pending (LastErrorPV, see :class:`RefusalWatch`), or a refusal it cannot place and the
    put has not completed REFUSAL_TIMEOUT_S later; without a refusal it may take up to
    ``timeout`` (default COMPLETION_TIMEOUT_S), so a busy IOC is not mistaken for a
    refusing one and an old refusal is never given as the reason.
    """

    def __init__(self, *args, put_complete: bool = True, **kwargs):
        # Done when the IOC completes the put, not when a readback matches: commands
        # (Start, NewCell) read back 0 after they act.
        super().__init__(*args, put_complete=put_complete, **kwargs)

    def set(self, value, **kwargs):
        timeout = kwargs.setdefault("timeout", COMPLETION_TIMEOUT_S)
        watch = RefusalWatch.of(refusing_instrument(self))
        outer = DeviceStatus(self)

        def refused(reason: str) -> None:
            if not outer.done:
                outer.set_exception(InstrumentRefused(f"{self.pvname} refused {value!r}: {reason}"))

        since = watch.listen(outer, refused, self.pvname)
        inner = super().set(value, **kwargs)

        def relay(status) -> None:
            watch.forget(outer)
            if outer.done:
                return
            if status.success:
                outer.set_finished()
            else:
                refused(
                    watch.refusal_since(since)
                    or f"neither completed nor refused by the instrument within {timeout:g} s"
                )

        inner.add_callback(relay)
        return outer


def refusing_instrument(obj):
    """The nearest device from obj up its tree with a LastError signal (None if none)."""
    while obj is not None and getattr(obj, "last_error", None) is None:
        obj = obj.parent
    return obj


def last_error_signal(pv: str, name: str) -> EpicsSignalRO | None:
    """An instrument's LastError PV as a signal (None if pv is "")."""
    if not pv:
        return None
    return EpicsSignalRO(pv, string=True, name=f"{name}_last_error", kind="omitted")


def destroy_instrument(device) -> None:
    """ophyd's ``destroy`` of a device, plus the signals made beside its components (a
    LastError signal given as a PV, a refusal watch's LastErrorPV), which ophyd's walk of
    components does not reach: each would keep its callbacks on the process's shared PV."""
    devices = [device, *(sub for _, sub in device.walk_subdevices())]
    device.destroy()
    for each in devices:
        extras = [each.__dict__.get("last_error")]
        watch = each.__dict__.get("_refusal_watch")
        if watch is not None:
            extras.append(watch._last_error_pv)
        for signal in extras:
            if signal is not None and hasattr(signal, "destroy"):
                signal.destroy()


def _same_pv(a: str, b: str) -> bool:
    """Whether two PV names are one PV (a record's name is its VAL field's)."""
    return a.removesuffix(".VAL") == b.removesuffix(".VAL")


class RefusalWatch:
    """Follows one instrument's LastError PV and tells the puts pending on it of a refusal.

    One per instrument, made on its first put: a monitor on LastError (it changes only
    when the instrument refuses something, so it costs nothing while puts succeed), and
    on ``<LastError>PV``, where the instrument names the PV it refused just before. A put
    to the PV named fails at once; the others pending when a refusal comes fail only if
    they have not completed REFUSAL_TIMEOUT_S later (an instrument without LastErrorPV
    gets that grace for every refusal).
    """

    _lock = threading.Lock()

    def __init__(self, last_error: EpicsSignalRO, last_error_pv: EpicsSignalRO | None = None):
        """last_error: the LastError signal; last_error_pv: the LastErrorPV signal (None:
        the instrument does not name the PV it refused)."""
        self._pending: dict[DeviceStatus, tuple[str | None, object]] = {}
        self._pending_lock = threading.Lock()
        self._refused_pv = ""  # the PV the instrument refused last (LastErrorPV)
        self._last_error_pv = last_error_pv  # kept: its subscription lives with it
        if last_error_pv is not None:  # subscribed first: its news comes before LastError's
            last_error_pv.subscribe(self._pv_changed, run=False)
        last_error.get(use_monitor=False)  # the refusal already there is not news
        self._seen = last_error.timestamp
        self._reason = ""
        last_error.subscribe(self._changed, run=False)

    @classmethod
    def of(cls, instrument) -> RefusalWatch:
        """The instrument's watch, made on its first put (which waits up to
        REFUSED_PV_CONNECT_S, once, for the instrument's LastErrorPV)."""
        with cls._lock:
            watch = getattr(instrument, "_refusal_watch", None)
            if watch is None:
                error = instrument.last_error
                named = EpicsSignalRO(f"{error.pvname}PV", string=True, name=f"{error.name}_pv")
                try:  # its monitor in place before the first put
                    named.wait_for_connection(timeout=REFUSED_PV_CONNECT_S)
                except TimeoutError:
                    named.destroy()
                    named = None  # an instrument without it: every refusal gets the grace
                    logger.debug("%s has no LastErrorPV: refusals get %g s of grace",
                                 error.pvname, REFUSAL_TIMEOUT_S)  # fmt: skip
                watch = instrument._refusal_watch = cls(error, named)
        return watch

    def listen(self, status: DeviceStatus, refused, pv: str | None = None) -> float:
        """Call refused(reason) if a refusal comes while status (a put to pv) is pending;
        returns when the last refusal before it was published (for
        :meth:`refusal_since`)."""
        with self._pending_lock:
            self._pending[status] = (pv, refused)
            return self._seen

    def refusal_since(self, since: float) -> str | None:
        """The reason of the latest refusal if it came after since, else None."""
        return self._reason if self._seen > since else None

    def forget(self, status: DeviceStatus) -> None:
        with self._pending_lock:
            self._pending.pop(status, None)

    def _pv_changed(self, value=None, **kwargs) -> None:
        self._refused_pv = str(value or "")

    def _changed(self, value=None, timestamp=None, **kwargs) -> None:
        if timestamp is None or timestamp <= self._seen:
            return  # the monitor's first update: the value already there
        reason = str(value) or "no reason given"
        # Its update came just before this one; used once, so that a LastError written
        # without it (not a put's refusal) is never placed on an old PV name.
        refused_pv, self._refused_pv = self._refused_pv, ""
        with self._pending_lock:
            self._seen, self._reason = timestamp, reason
            pending = list(self._pending.values())
        for pv, refused in pending:
            # The put the instrument names is refused at once; another pending put
            # completing within the grace period was not the refused one.
            own = pv is not None and bool(refused_pv) and _same_pv(pv, refused_pv)
            timer = threading.Timer(0.0 if own else REFUSAL_TIMEOUT_S, refused, args=(reason,))
            timer.daemon = True
            timer.start()


class PagedBuffer(Device):
    """An on-instrument record read in pages; subclasses add their column arrays.

    ``columns`` names the array components read with every page; ``ts`` (instrument time
    of each point, s) is always one of them.
    """

    count = Cpt(EpicsSignalRO, "Count", kind="omitted")
    t0 = Cpt(EpicsSignalRO, "T0", kind="omitted")  # instrument time of the last clear
    start = Cpt(EpicsSignal, "Start", kind="omitted")
    n = Cpt(EpicsSignalRO, "N", kind="omitted")
    ts = Cpt(EpicsSignalRO, "TS", kind="omitted")
    clear = Cpt(Setpoint, "Clear", kind="omitted")

    columns: tuple[str, ...] = ("ts",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._next_index = 0  # first point not yet collected
        self._filled_since: float | None = None  # which filling of the buffer that index is in

    def resume_after(self, points: int) -> None:
        """Collect from point ``points`` of the record's present filling on: a client that
        re-attaches to a record of which it already holds the first ``points``."""
        self._filled_since = float(self.t0.get(use_monitor=False))
        self._next_index = int(points)

    def read_page(self, start: int) -> dict[str, np.ndarray]:
        """One page of the buffer beginning at index start, column by column."""
        self.start.put(start, wait=True)
        n = int(self.n.get(use_monitor=False))
        return {
            name: np.asarray(getattr(self, name).get(use_monitor=False), dtype=float)[:n]
            for name in self.columns
        }

    def new_pages(self) -> Iterator[dict[str, np.ndarray]]:
        """Pages of every point recorded since the last call (all of them after a clear)."""
        t0 = float(self.t0.get(use_monitor=False))
        if t0 != self._filled_since:  # cleared since the last collection
            self._filled_since, self._next_index = t0, 0
        count = int(self.count.get(use_monitor=False))
        while self._next_index < count:
            page = self.read_page(self._next_index)
            if not page["ts"].size:
                break
            self._next_index += page["ts"].size
            yield page

    def event_pages(self, keys: dict[str, tuple[str, str, str]]) -> Iterator[dict]:
        """Event-page payloads (data, timestamps) of the new points.

        keys maps each data key to (buffer column, units, dtype); timestamps are the
        instrument's times of the points.
        """
        for page in self.new_pages():
            ts = page["ts"].tolist()
            data = {}
            for key, (column, _, dtype) in keys.items():
                values = page[column]
                data[key] = values.astype(int).tolist() if dtype == "integer" else values.tolist()
            yield {"data": data, "timestamps": {key: ts for key in data}}

    def describe_keys(self, keys: dict[str, tuple[str, str, str]]) -> dict[str, dict]:
        """Data keys (source PV, dtype, shape, units) of those columns."""
        return {
            key: {
                "source": f"PV:{getattr(self, column).pvname}",
                "dtype": dtype,
                "shape": [],
                "units": units,
                "dtype_numpy": "<i8" if dtype == "integer" else "<f8",
            }
            for key, (column, units, dtype) in keys.items()
        }
