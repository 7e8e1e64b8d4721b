"""The bridge IOC: the contract's potentiostat PVs (``P PSTAT:``) over a driver.

The PVs are the simulator's own potentiostat group (:class:`PotentiostatIOC`), so the two
serve the contract identically; here the instrument behind them is :class:`DriverChannel`,
which keeps what the contract asks of the IOC (procedure checks against compliance,
Seq/DoneSeq, the buffer since its clear with Q from the clear, paging) and asks the driver
only to start, stop, report its state and hand over new points.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

from ..sim.ioc.beamline import PotentiostatIOC
from ..sim.ioc.dems import MassSpectrometerIOC
from ..sim.models.dems import MZ_CHANNELS, SampleBuffer
from ..sim.models.potentiostat import (
    Compliance,
    ComplianceError,
    DataBuffer,
    PotentiostatModel,
)
from .driver import (
    ChannelState,
    DriverRefused,
    MassSpectrometerDriver,
    PotentiostatDriver,
    SpectrometerState,
    Step,
)


class DriverChannel:
    """The potentiostat channel as the contract's PV group drives it, over a driver."""

    def __init__(self, driver: PotentiostatDriver):
        self.driver = driver
        limits = driver.compliance()
        self.compliance = Compliance(limits.max_current_mA, limits.v_min_V, limits.v_max_V)
        self.steps: list[Step] = []
        self.record_dt_s, self.record_dE_V = 60.0, 0.005
        self.buffer = DataBuffer()
        self.seq = self.done_seq = 0
        self.status, self.end_reason = "Idle", ""
        self.step_index = 0
        self.step_count = 0  # steps started since the bridge started: the buffer's "step"
        self._steps_before = 0  # step_count before the running procedure
        self._started_at = 0.0
        self._state: ChannelState = driver.state()
        self._q_at_clear = self._state.q_mAh
        self.buffer.clear(self._state.time)

    # --- readbacks (what the PVs publish) ------------------------------------------------
    @property
    def t(self) -> float:
        return self._state.time

    @property
    def ewe_V(self) -> float:
        return self._state.ewe_V

    @property
    def current_mA(self) -> float:
        return self._state.current_mA

    @property
    def q_mAh(self) -> float:
        return self._state.q_mAh - self._q_at_clear

    @property
    def elapsed_s(self) -> float:
        return self.t - self._started_at if self.status == "Running" else 0.0

    # --- commands ---------------------------------------------------------------------
    def clear_buffer(self) -> None:
        self.poll()
        self.buffer.clear(self.t)
        self._q_at_clear = self._state.q_mAh

    def start(self) -> None:
        """Check the procedure as the simulator's firmware does, then start it."""
        if not self.steps:
            raise ComplianceError("the procedure has no steps")
        for n, step in enumerate(self.steps):
            try:
                PotentiostatModel.validate(self, step)  # uses only self.compliance
            except ComplianceError as exc:
                raise ComplianceError(f"step {n}: {exc}") from None
        if not (0 < self.record_dt_s < math.inf and 0 < self.record_dE_V < math.inf):
            raise ComplianceError("recording intervals dt and dE must be finite and positive")
        self.poll()  # what the last procedure recorded belongs to it
        try:
            self.driver.start(list(self.steps), self.record_dt_s,
                              self.record_dE_V)  # fmt: skip
        except DriverRefused as exc:
            raise ComplianceError(str(exc)) from None
        self.seq += 1
        self.status, self.end_reason, self.step_index = "Running", "", 0
        self._steps_before = self.step_count
        self._started_at = self.t
        self.poll()

    def stop(self, reason: str = "stopped by user") -> None:
        self.driver.stop()
        self.poll()

    # --- time -------------------------------------------------------------------------
    def poll(self) -> None:
        """Take the driver's state, then its new points; a procedure is done (DoneSeq) only
        once its last point is in the buffer."""
        state = self.driver.state()
        points = self.driver.read_points()
        self._state = state
        for p in points:
            if self.status == "Running" or p.step > 0:
                self.step_count = max(self.step_count, self._steps_before + p.step + 1)
            self.buffer.append(p.t, p.ewe_V, p.current_mA, p.q_mAh - self._q_at_clear,
                               self.step_count)  # fmt: skip
        self.step_index = state.step
        if self.status == "Running" and state.status != "Running":
            self.status, self.end_reason = state.status, state.end_reason
            self.done_seq = self.seq

    def advance(self, t_new: float | None = None, budget_s: float | None = None) -> None:
        self.poll()


class DriverSpectrometer:
    """The mass spectrometer as the contract's PV group drives it, over a driver: the
    bridge keeps the sample buffer (clear, paging); the driver samples."""

    def __init__(self, driver: MassSpectrometerDriver):
        if tuple(driver.channels()) != tuple(MZ_CHANNELS):
            raise ValueError(f"the bridge serves m/z {list(MZ_CHANNELS)}; the driver measures "
                             f"{list(driver.channels())}")  # fmt: skip
        self.driver = driver
        self._interval_s = 120.0
        driver.set_interval(self._interval_s)
        self.buffer = SampleBuffer()
        self._state: SpectrometerState = driver.state()
        self.buffer.clear(self._state.time)
        self.last_sample_t = self._state.time
        self.last_ion_currents = dict.fromkeys(MZ_CHANNELS, 0.0)

    def factory_calibration(self) -> dict[str, list[float]]:
        return self.driver.calibration()

    @property
    def interval_s(self) -> float:
        return self._interval_s

    @interval_s.setter
    def interval_s(self, value: float) -> None:
        self.driver.set_interval(value)
        self._interval_s = float(value)

    @property
    def t(self) -> float:
        return self._state.time

    @property
    def acquiring(self) -> bool:
        return self._state.acquiring

    @property
    def headspace(self):
        return SimpleNamespace(pressure_mbar=self._state.pressure_mbar)

    def start(self) -> None:
        self.driver.start()
        self.poll()

    def stop(self) -> None:
        self.driver.stop()
        self.poll()

    def sample_now(self) -> None:
        self.driver.trigger()
        self.poll()

    def clear_buffer(self) -> None:
        self.poll()
        self.buffer.clear(self.t)

    def poll(self) -> None:
        self._state = self.driver.state()
        for sample in self.driver.read_samples():
            currents = {f"mz{mz}": sample.currents_A[mz] for mz in MZ_CHANNELS}
            row = {"ts": sample.t, "interval": sample.interval_s,
                   "pressure": sample.pressure_mbar, **currents}  # fmt: skip
            self.buffer.append(row)
            self.last_sample_t, self.last_ion_currents = sample.t, dict(sample.currents_A)


class BridgeWorld:
    """What the PV groups expect of their world: the instruments and ``advance``."""

    def __init__(self, driver: PotentiostatDriver, ms_driver: MassSpectrometerDriver | None):
        self.potentiostat = DriverChannel(driver)
        self.mass_spectrometer = None if ms_driver is None else DriverSpectrometer(ms_driver)

    def advance(self, budget_s: float | None = None) -> float:
        self.potentiostat.poll()
        if self.mass_spectrometer is not None:
            self.mass_spectrometer.poll()
        return self.potentiostat.t


def build_bridge_pvdb(prefix: str, driver: PotentiostatDriver,
                      ms_driver: MassSpectrometerDriver | None = None) -> dict:  # fmt: skip
    """The contract's PVs over the drivers: ``<prefix>PSTAT:`` and, with ms_driver,
    ``<prefix>DEMS:``."""
    world = BridgeWorld(driver, ms_driver)
    pvdb = dict(PotentiostatIOC(prefix=f"{prefix}PSTAT:", world=world).pvdb)
    if ms_driver is not None:
        pvdb.update(MassSpectrometerIOC(prefix=f"{prefix}DEMS:", world=world).pvdb)
    return pvdb
