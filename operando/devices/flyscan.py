"""Fly scans of an X-ray endstation: the monochromator sweeps while the counters buffer.

- :class:`FlySweep`: the endstation's ``Fly:`` records (a trajectory of energies and dwells,
  Start/Stop, Busy, the buffer ``Buf:`` read in pages). Absent on a beamline without them
  (the station's ``fly`` is then None and X-ray plans step).
- :class:`XasFlyer`: a bluesky flyer over one sweep of an edge grid at a time. ``kickoff``
  starts the sweep at the holder position in the beam, ``complete`` is done when the last
  point is counted, ``collect_pages`` emits the rows as Event pages with the data keys a
  step scan reads (``<station>_energy``, ``<station>_energy_user_setpoint``, the counters,
  ``<station>_beam_current``, ``<station>_holder_slot``, ``..._holder_sample``), so every
  analysis reads a fly scan as it reads a step scan. With ``cell`` (the potentiostat) the
  rows also carry the cell's Ewe, Q and I, interpolated in instrument time between readings
  before and after the sweep, and with ``extra`` signals (e.g. the scan number) their values.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from ophyd import Component as Cpt
from ophyd import Device, EpicsSignal, EpicsSignalRO
from ophyd import FormattedComponent as FCpt
from ophyd.status import DeviceStatus, Status, SubscriptionStatus

from ..errors import InstrumentRefused
from .instrument import PagedBuffer, Setpoint

FLY_CONNECT_TIMEOUT_S = 2.0


def _buffer_class(roles: tuple[str, ...], names: tuple[str, ...]) -> type[PagedBuffer]:
    body = {
        "energy": Cpt(EpicsSignalRO, "Energy", kind="omitted"),
        "beam": Cpt(EpicsSignalRO, "Beam", kind="omitted"),
        "columns": ("ts", "energy", *roles, "beam"),
    }
    for role, name in zip(roles, names, strict=True):
        body[role] = Cpt(EpicsSignalRO, name, kind="omitted")
    return type("FlyBuffer", (PagedBuffer,), body)


SoftFlyBuffer = _buffer_class(("i0", "tey", "fy"), ("I0", "TEY", "FY"))
HardFlyBuffer = _buffer_class(("i0", "it", "iref"), ("I0", "It", "Iref"))


class FlySweep(Device):
    """An endstation's sweep records (``<station>Fly:``); the trajectory in eV and s."""

    mode = Cpt(EpicsSignal, "Mode", string=True, kind="config")
    traj_e = Cpt(Setpoint, "TrajE", kind="omitted")  # eV
    traj_dwell = Cpt(Setpoint, "TrajDwell", kind="omitted")  # s
    traj_n = Cpt(Setpoint, "TrajN", kind="omitted")
    start_cmd = Cpt(Setpoint, "Start", kind="omitted")
    stop_cmd = Cpt(Setpoint, "Stop", kind="omitted")
    busy = Cpt(EpicsSignalRO, "Busy", kind="omitted")
    seq = Cpt(EpicsSignalRO, "Seq", kind="omitted")
    done_seq = Cpt(EpicsSignalRO, "DoneSeq", kind="omitted")
    last_error = FCpt(EpicsSignalRO, "{self._last_error_pv}", string=True, kind="omitted")

    def __init__(self, prefix: str, *, last_error_pv: str, **kwargs):
        self._last_error_pv = last_error_pv
        super().__init__(prefix, **kwargs)

    def program(self, energies: np.ndarray, dwells: np.ndarray) -> None:
        """Load a trajectory: energies (eV), each counted for its dwell (s)."""
        self.mode.put("Trajectory", wait=True)
        self.traj_e.set(list(map(float, energies))).wait()
        self.traj_dwell.set(list(map(float, dwells))).wait()
        self.traj_n.set(int(len(energies))).wait()

    def start(self) -> int:
        """Start the programmed sweep; its sequence number (InstrumentRefused if refused)."""
        before = int(self.seq.get(use_monitor=False))
        self.start_cmd.set(1).wait()
        seq = int(self.seq.get(use_monitor=False))
        if seq <= before:
            raise InstrumentRefused(f"{self.name}: the sweep did not start")
        return seq

    def done(self, seq: int) -> Status:
        """Done once sweep seq has ended."""

        def ended(*, value, **kwargs) -> bool:
            return value >= seq

        return SubscriptionStatus(self.done_seq, ended)


class SoftFlySweep(FlySweep):
    buffer = Cpt(SoftFlyBuffer, "Buf:", kind="omitted")


class HardFlySweep(FlySweep):
    buffer = Cpt(HardFlyBuffer, "Buf:", kind="omitted")


def connect_fly(sweep: FlySweep, timeout: float = FLY_CONNECT_TIMEOUT_S) -> FlySweep | None:
    """The sweep records if they answer, else None (a beamline without fly scans)."""
    try:
        sweep.wait_for_connection(timeout=timeout)
    except TimeoutError:
        sweep.destroy()  # its PVs would go on being searched for
        return None
    return sweep


class XasFlyer:
    """One stream of sweeps of an endstation (see the module's docstring).

    station : the soft or hard endstation (its ``fly`` is not None).
    stream : the event stream ("primary", or "xas" in situ).
    cell : the potentiostat whose Ewe, Q, I each row carries (None: none).
    extra : signals read at kickoff whose value each row carries (e.g. the scan number).
    """

    def __init__(self, station, stream: str = "primary", *, cell=None, extra=()):
        if station.fly is None:
            raise InstrumentRefused("this endstation has no fly scans")
        self.station = station
        self.fly = station.fly
        self.name = f"{station.counters.name}_fly"
        self.parent = None
        self.stream = stream
        self.cell = cell
        self.extra = tuple(extra)
        self._trajectory: tuple[np.ndarray, np.ndarray] | None = None
        self._seq = 0
        self._fixed: dict[str, tuple[object, float]] = {}
        self._cell_before: tuple[float, dict[str, float]] | None = None

    # --- keys ------------------------------------------------------------------------
    def _column_keys(self) -> dict[str, str]:
        """Data key -> buffer column of what the sweep measures."""
        s, c = self.station, self.station.counters
        keys = {s.mono.name: "energy", s.mono.user_setpoint.name: "energy",
                c.beam_current.name: "beam"}  # fmt: skip
        for role in s.pvs.channels:
            keys[f"{c.name}_{role}"] = role
        return keys

    def _fixed_signals(self) -> list:
        """Signals read once per sweep (the holder, the extras)."""
        h = self.station.holder
        return [h.slot.user_readback, h.slot.user_setpoint, h.sample, *self.extra]

    def _cell_signals(self) -> list:
        p = self.cell
        return [] if p is None else [p.ewe, p.charge, p.current]

    def describe_collect(self) -> dict:
        buf = self.fly.buffer
        keys: dict = {}
        s = self.station
        for device in (s.counters, s.mono):
            keys.update(device.describe())
        measured = self._column_keys()
        keys = {k: v for k, v in keys.items() if k in measured}
        for key, column in measured.items():
            keys[key] = {**keys.get(key, {"dtype": "number", "shape": []}),
                         "source": f"PV:{getattr(buf, column).pvname}"}  # fmt: skip
        for signal in self._fixed_signals() + self._cell_signals():
            keys.update(signal.describe())
        return {self.stream: keys}

    # --- flyer -----------------------------------------------------------------------
    def program(self, energies: np.ndarray, dwells: np.ndarray) -> None:
        """The trajectory of the next sweeps: energies (eV), dwells (s)."""
        self._trajectory = (np.asarray(energies, float), np.asarray(dwells, float))

    def kickoff(self) -> Status:
        """Load the trajectory (if new), read the holder, start the sweep."""
        status = DeviceStatus(self.fly)
        try:
            if int(self.fly.busy.get(use_monitor=False)):  # a sweep interrupted (beam lost)
                self.fly.stop_cmd.set(1).wait()  # is swept again, as a step scan repeats a point
            if self._trajectory is not None:
                self.fly.program(*self._trajectory)
                self._trajectory = None
            self._fixed = {}
            for signal in self._fixed_signals():
                reading = signal.read()[signal.name]
                self._fixed[signal.name] = (reading["value"], reading["timestamp"])
            self._cell_before = self._read_cell()
            self._seq = self.fly.start()
        except Exception as exc:  # noqa: BLE001 - the status carries it to the plan
            status.set_exception(exc)
        else:
            status.set_finished()
        return status

    def complete(self) -> Status:
        return self.fly.done(self._seq)

    def _read_cell(self) -> tuple[float, dict[str, float]] | None:
        if self.cell is None:
            return None
        t = float(self.cell.clock.get(use_monitor=False))
        return t, {s.name: float(s.get(use_monitor=False)) for s in self._cell_signals()}

    def collect_pages(self) -> Iterator[dict]:
        """Event pages of the rows counted since the last collection."""
        after = self._read_cell()
        measured = self._column_keys()
        for page in self.fly.buffer.new_pages():
            ts = page["ts"]
            n = ts.size
            data = {key: page[column].tolist() for key, column in measured.items()}
            stamps = {key: ts.tolist() for key in data}
            for key, (value, stamp) in self._fixed.items():
                data[key] = [value] * n
                stamps[key] = [stamp] * n
            if after is not None and self._cell_before is not None:
                (t0, v0), (t1, v1) = self._cell_before, after
                for key in v0:
                    if t1 > t0:
                        values = np.interp(ts, [t0, t1], [v0[key], v1[key]])
                    else:
                        values = np.full(n, v1[key])
                    data[key] = values.tolist()
                    stamps[key] = ts.tolist()
            yield {"data": data, "timestamps": stamps}
