"""The potentiostat as the control system sees it: procedure, commands, readbacks, buffer.

A procedure (steps of OCV, CC or CV techniques, each with its limits) runs on the
instrument. Bluesky drives it as a flyer: ``kickoff`` starts the procedure, ``complete``
finishes when the instrument reports it ended (last step's limit, a fault or a stop), and
``collect_pages`` reads the points recorded since the last collection from the
on-instrument buffer, page by page, as Event pages of the ``primary`` stream (t, Ewe, I,
Q, step). Points keep accumulating on the instrument while nobody reads, so nothing is
lost when a plan is paused or slow.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from ophyd import Component as Cpt
from ophyd import Device, EpicsSignal, EpicsSignalRO
from ophyd.status import DeviceStatus, Status, SubscriptionStatus

TECHNIQUES = ("OCV", "CC", "CV")


REFUSAL_TIMEOUT_S = 3.0  # a put the IOC refused gets no completion; give up after this


class InstrumentRefused(RuntimeError):
    """The instrument refused a setting (outside compliance, or inconsistent)."""


class Setpoint(EpicsSignal):
    """A setting the instrument may refuse; a refusal fails the put with the IOC's reason.

    The instrument publishes why it refused a put in its LastError PV (caproto's threading
    client does not report a refused put-completion, so the put times out instead).
    """

    def __init__(self, *args, put_complete: bool = True, **kwargs):
        # Done when the IOC completes the put, not when a readback matches: commands
        # (Start, NewCell) read back 0 after they act.
        super().__init__(*args, put_complete=put_complete, **kwargs)

    def set(self, value, **kwargs):
        kwargs.setdefault("timeout", REFUSAL_TIMEOUT_S)
        inner = super().set(value, **kwargs)
        outer = DeviceStatus(self)

        def relay(status) -> None:
            if status.success:
                outer.set_finished()
                return
            reason = _instrument_of(self).last_error.get(use_monitor=False) or "no reason given"
            outer.set_exception(InstrumentRefused(f"{self.pvname} refused {value!r}: {reason}"))

        inner.add_callback(relay)
        return outer


def _instrument_of(signal):
    device = signal
    while not hasattr(device, "last_error"):
        device = device.parent
    return device


TECHNIQUE_CODES = {"OCV": 0, "CC": 1, "CV": 2}


class Procedure(Device):
    """The steps the instrument runs one after another; one array element per step.

    Technique codes: 0 OCV, 1 CC, 2 CV. Current in mA (positive charges), voltages in V,
    duration in s (0: none), current floor in mA (CV ends when |I| falls below it).
    """

    n_steps = Cpt(Setpoint, "N", kind="config")
    technique = Cpt(Setpoint, "Technique", kind="config")
    current = Cpt(Setpoint, "Current", kind="config")
    voltage = Cpt(Setpoint, "Voltage", kind="config")
    e_upper = Cpt(Setpoint, "EUpper", kind="config")
    e_lower = Cpt(Setpoint, "ELower", kind="config")
    duration = Cpt(Setpoint, "Duration", kind="config")
    current_floor = Cpt(Setpoint, "IFloor", kind="config")


class Recording(Device):
    """When the instrument records a point: every dt (s) or every dE (V)."""

    record_dt = Cpt(Setpoint, "RecordDt", kind="config")
    record_de = Cpt(Setpoint, "RecordDE", kind="config")


class Compliance(Device):
    """Hardware limits of the channel."""

    max_current = Cpt(EpicsSignalRO, "IMax", kind="config")  # mA
    v_min = Cpt(EpicsSignalRO, "VMin", kind="config")  # V
    v_max = Cpt(EpicsSignalRO, "VMax", kind="config")  # V


class CellConfig(Device):
    """The cell on the channel, as entered by the operator."""

    material = Cpt(EpicsSignal, "Material", string=True, kind="config")
    active_mass = Cpt(Setpoint, "MassMg", kind="config")  # mg
    area = Cpt(Setpoint, "AreaCm2", kind="config")  # cm2


class DataBuffer(Device):
    """The on-instrument record, read in pages."""

    count = Cpt(EpicsSignalRO, "Count", kind="omitted")
    t0 = Cpt(EpicsSignalRO, "T0", kind="omitted")  # instrument time of the last clear
    start = Cpt(EpicsSignal, "Start", kind="omitted")
    n = Cpt(EpicsSignalRO, "N", kind="omitted")
    ts = Cpt(EpicsSignalRO, "TS", kind="omitted")
    t = Cpt(EpicsSignalRO, "T", kind="omitted")
    ewe = Cpt(EpicsSignalRO, "Ewe", kind="omitted")
    i = Cpt(EpicsSignalRO, "I", kind="omitted")
    q = Cpt(EpicsSignalRO, "Q", kind="omitted")
    step = Cpt(EpicsSignalRO, "Step", kind="omitted")
    clear = Cpt(Setpoint, "Clear", kind="omitted")


# Columns of the primary stream: data key -> (buffer signal, units, dtype)
PRIMARY_KEYS = {
    "t": ("t", "s", "number"),
    "Ewe": ("ewe", "V", "number"),
    "I": ("i", "mA", "number"),
    "Q": ("q", "mAh", "number"),
    "step": ("step", "", "integer"),
}


class Potentiostat(Device):
    """A potentiostat/galvanostat channel running procedures of OCV, CC and CV steps.

    Parameters
    ----------
    prefix : PV prefix of the channel, e.g. ``"BL:PSTAT:"``.
    """

    procedure = Cpt(Procedure, "Steps:", kind="config")
    recording = Cpt(Recording, "", kind="config")
    compliance = Cpt(Compliance, "Compliance:", kind="config")
    cell = Cpt(CellConfig, "Cell:", kind="config")
    buffer = Cpt(DataBuffer, "Buf:", kind="omitted")

    start_cmd = Cpt(Setpoint, "Start", kind="omitted")
    stop_cmd = Cpt(Setpoint, "Stop", kind="omitted")
    status = Cpt(EpicsSignalRO, "Status", string=True, kind="normal")
    end_reason = Cpt(EpicsSignalRO, "EndReason", string=True, kind="omitted")
    last_error = Cpt(EpicsSignalRO, "LastError", string=True, kind="omitted")
    seq = Cpt(EpicsSignalRO, "Seq", kind="omitted")
    done_seq = Cpt(EpicsSignalRO, "DoneSeq", kind="omitted")
    step = Cpt(EpicsSignalRO, "Step", kind="omitted")  # index of the running step
    ewe = Cpt(EpicsSignalRO, "Ewe", kind="hinted")  # V
    current = Cpt(EpicsSignalRO, "I", kind="normal")  # mA
    charge = Cpt(EpicsSignalRO, "Q", kind="normal")  # mAh since the buffer was cleared
    elapsed = Cpt(EpicsSignalRO, "Elapsed", kind="normal")  # s since the technique started
    clock = Cpt(EpicsSignalRO, "Time", kind="omitted")  # instrument time, POSIX s

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._next_index = 0  # first buffer point not yet collected
        self._buffer_t0: float | None = None  # which filling of the buffer that index is in
        self._seq = 0

    # --- commands (blocking; plans reach them through messages) ------------------------
    def open_circuit(self) -> None:
        """Stop whatever runs and leave the cell at open circuit."""
        self.stop_cmd.put(1, wait=True)

    def stop(self, *, success: bool = False) -> None:
        self.open_circuit()

    # --- flyer interface ---------------------------------------------------------------
    def kickoff(self) -> Status:
        """Start the programmed procedure; done once the instrument has started it."""
        status = DeviceStatus(self)
        try:
            seq_before = int(self.seq.get(use_monitor=False))
            self.start_cmd.set(1).wait()
            self._seq = int(self.seq.get(use_monitor=False))
            if self._seq <= seq_before:
                raise RuntimeError(f"{self.name}: the instrument did not start the technique")
        except Exception as exc:
            status.set_exception(exc)
        else:
            status.set_finished()
        return status

    def complete(self) -> Status:
        """Done when the procedure started by the last kickoff has ended."""
        seq = self._seq

        def ended(*, value, **kwargs) -> bool:
            return value >= seq

        return SubscriptionStatus(self.done_seq, ended)

    def describe_collect(self) -> dict:
        source = self.buffer.prefix
        keys = {
            key: {
                "source": f"PV:{source}{pv_suffix_of(self.buffer, attr)}",
                "dtype": dtype,
                "shape": [],
                "units": units,
                "dtype_numpy": "<i8" if dtype == "integer" else "<f8",
            }
            for key, (attr, units, dtype) in PRIMARY_KEYS.items()
        }
        return {"primary": keys}

    def collect_pages(self) -> Iterator[dict]:
        """Event pages of every point recorded since the last collection."""
        t0 = float(self.buffer.t0.get(use_monitor=False))
        if t0 != self._buffer_t0:  # the buffer was cleared since the last collection
            self._buffer_t0, self._next_index = t0, 0
        count = int(self.buffer.count.get(use_monitor=False))
        while self._next_index < count:
            page = self.read_page(self._next_index)
            if not page["t"].size:
                break
            self._next_index += page["t"].size
            ts = page.pop("ts")
            data = {key: page[attr].tolist() for key, (attr, _, _) in PRIMARY_KEYS.items()}
            data["step"] = [int(s) for s in data["step"]]
            yield {
                "data": data,
                "timestamps": {key: ts.tolist() for key in data},
            }

    def read_page(self, start: int) -> dict[str, np.ndarray]:
        """Read one page of the buffer beginning at index start."""
        b = self.buffer
        b.start.put(start, wait=True)
        n = int(b.n.get(use_monitor=False))
        columns = {"ts": b.ts, "t": b.t, "ewe": b.ewe, "i": b.i, "q": b.q, "step": b.step}
        return {
            name: np.asarray(sig.get(use_monitor=False), dtype=float)[:n]
            for name, sig in columns.items()
        }


def pv_suffix_of(device: Device, attr: str) -> str:
    return getattr(device, attr).pvname[len(device.prefix) :]
