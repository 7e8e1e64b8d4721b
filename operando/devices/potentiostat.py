"""The potentiostat as the control system sees it: procedure, commands, readbacks, buffer.

A procedure (steps of OCV, CC or CV techniques, each with its limits) runs on the
instrument. Bluesky drives it as a flyer: ``kickoff`` starts the procedure, ``complete``
finishes when the instrument reports it ended (last step's limit, a fault or a stop), and
``collect_pages`` reads the points recorded since the last collection from the
on-instrument buffer, page by page, as Event pages of the ``primary`` stream (clock, t, Ewe, I,
Q, step). Points keep accumulating on the instrument while nobody reads, so nothing is
lost when a plan is paused or slow.
"""

from __future__ import annotations

from collections.abc import Iterator

from ophyd import Component as Cpt
from ophyd import Device, EpicsSignal, EpicsSignalRO
from ophyd.status import DeviceStatus, Status, SubscriptionStatus

from .instrument import InstrumentRefused, PagedBuffer, Setpoint

__all__ = ["InstrumentRefused", "Potentiostat", "Setpoint"]


class Procedure(Device):
    """The steps the instrument runs one after another; one array element per step.

    Technique codes: 0 OCV, 1 CC, 2 CV, 3 SWEEP (from Ewe at the step's start to its voltage
    at its scan rate, mV/s). Current in mA (positive charges), voltages in V,
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
    scan_rate = Cpt(Setpoint, "ScanRate", kind="omitted")  # mV/s, SWEEP steps only
    cutoff_goto = Cpt(Setpoint, "CutoffGoto", kind="omitted")  # step on a voltage cutoff


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


class DataBuffer(PagedBuffer):
    """The on-instrument record of points, read in pages."""

    t = Cpt(EpicsSignalRO, "T", kind="omitted")  # s since the buffer was cleared
    ewe = Cpt(EpicsSignalRO, "Ewe", kind="omitted")  # V
    i = Cpt(EpicsSignalRO, "I", kind="omitted")  # mA
    q = Cpt(EpicsSignalRO, "Q", kind="omitted")  # mAh
    step = Cpt(EpicsSignalRO, "Step", kind="omitted")  # steps started since power-up

    columns = ("ts", "t", "ewe", "i", "q", "step")


# Columns of the primary stream: data key -> (buffer column, units, dtype). ``clock`` is the
# instrument clock (POSIX s), shared with every other instrument's stream of the run.
# (Not "time": tiled reserves that name for its own column.)
PRIMARY_KEYS = {
    "clock": ("ts", "s", "number"),
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
    temperature = Cpt(Setpoint, "TemperatureC", kind="config")  # cell temperature, C

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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
                raise InstrumentRefused(f"{self.name}: the instrument did not start the technique")
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
        return {"primary": self.buffer.describe_keys(PRIMARY_KEYS)}

    def collect_pages(self) -> Iterator[dict]:
        """Event pages of every point recorded since the last collection."""
        yield from self.buffer.event_pages(PRIMARY_KEYS)
