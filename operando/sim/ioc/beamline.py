"""The simulated beamline's caproto IOC: one process, one PV prefix per instrument.

PVs (``P`` is the beamline prefix):

- ``P PSTAT:`` potentiostat: the procedure (``Steps:``, arrays with one element per step),
  recording intervals, Start/Stop, status, readbacks, compliance, cell configuration and
  the data buffer (``Buf:``) read out in pages.
- ``P DEMS:`` the mass spectrometer sampling the same cell's headspace (see ioc_dems.py).
- ``P SXR:``, ``P HXR:`` the soft and hard X-ray endstations (see ioc_xray.py).
- ``P SIM:`` simulator controls that a real beamline does not have: time scale, instrument
  clock, and ``NewCell`` (assemble a pristine cell from the potentiostat's cell settings);
  ``P SIM:MS:`` the simulated quadrupole's true sensitivities.
"""

from __future__ import annotations

import math

from caproto import ChannelType
from caproto.server import PVGroup, SubGroup, pvproperty

from ...instruments import MAX_STEPS, pv_string
from ..models.impedance import F_MAX_HZ, F_MIN_HZ
from ..models.impedance import MAX_POINTS as MAX_EIS_POINTS
from ..models.potentiostat import STATUSES, TECHNIQUES, ComplianceError, Step
from ..models.world import World
from .base import (
    ADVANCE_BUDGET_S,
    TICK_S,
    ClockPublisher,
    RefusingGroup,
    page_array,
    publish_page,
)
from .dems import MassSpectrometerIOC, SimMassSpecGroup
from .xray import BeamGroup, HardXrayIOC, MountGroup, SoftXrayIOC

_VOLTAGE_SETTINGS = {
    "voltage_V": "voltage setpoint",
    "e_upper_V": "upper cutoff",
    "e_lower_V": "lower cutoff",
}


def _step_array(name: str, value: float, units: str, doc: str):
    """One setting of every step of the procedure, as an array PV (one element per step)."""
    prop = pvproperty(
        value=[value] * MAX_STEPS, max_length=MAX_STEPS, units=units, doc=doc, name=name
    )

    @prop.putter
    async def prop(group, instance, value):
        async with group.parent.refusals(instance):
            group.parent.check_step_values(instance.pvspec.attr, list(value))
        return value

    return prop


class ProcedureGroup(PVGroup):
    """The procedure: N steps, each a technique with its setpoint and limits.

    Technique codes: 0 OCV, 1 CC (galvanostatic), 2 CV (potentiostatic), 3 SWEEP (linear
    potential sweep from Ewe at the step's start to its Voltage at ScanRate). CutoffGoto:
    the step a voltage cutoff jumps to (0: the next)."""

    n_steps = pvproperty(name="N", value=1, doc="number of steps to run")
    technique = _step_array("Technique", 0, "", "0 OCV, 1 CC, 2 CV, 3 SWEEP")
    current_mA = _step_array("Current", 0.0, "mA", "CC current; positive charges")
    voltage_V = _step_array("Voltage", 4.0, "V", "CV potential")
    e_upper_V = _step_array("EUpper", 5.0, "V", "CC upper voltage cutoff")
    e_lower_V = _step_array("ELower", 2.0, "V", "CC lower voltage cutoff")
    duration_s = _step_array("Duration", 0.0, "s", "time limit, 0 for none")
    current_floor_mA = _step_array("IFloor", 0.0, "mA", "CV ends when |I| falls below")
    scan_rate_mV_s = _step_array("ScanRate", 0.0, "mV/s", "SWEEP rate toward Voltage")
    cutoff_goto = _step_array("CutoffGoto", 0, "", "step to run on a voltage cutoff; 0 next")

    @n_steps.putter
    async def n_steps(self, instance, value):
        async with self.parent.refusals(instance):
            if not 1 <= value <= MAX_STEPS:
                raise ComplianceError(f"a procedure has 1 to {MAX_STEPS} steps, got {value}")
        return value

    def steps(self) -> list[Step]:
        """The programmed steps as the instrument model takes them."""
        n = int(self.n_steps.value)
        names = ("current_mA", "voltage_V", "e_upper_V", "e_lower_V", "duration_s",
                 "current_floor_mA", "scan_rate_mV_s", "cutoff_goto")  # fmt: skip
        # a column a procedure did not write may be shorter (a CV wrote 2 scan rates): 0 then
        columns = {name: list(getattr(self, name).value) + [0.0] * n for name in names}
        return [
            Step(
                technique=TECHNIQUES[int(self.technique.value[k])],
                **{name: float(col[k]) for name, col in columns.items()},
            )
            for k in range(n)
        ]


def _recording_setting(name: str, value: float, units: str, doc: str):
    """A positive recording interval, applied to the potentiostat model at once."""
    prop = pvproperty(name=name, value=value, units=units, doc=doc)

    @prop.putter
    async def prop(group, instance, value):
        async with group.parent.refusals(instance):
            if not 0 < value < math.inf:
                raise ComplianceError(f"{doc} must be finite and positive, got {value} {units}")
        setattr(group.parent.world.potentiostat, instance.pvspec.attr, value)
        return value

    return prop


class RecordingGroup(PVGroup):
    """When the buffer records a point: every dt of instrument time or every dE."""

    record_dt_s = _recording_setting("RecordDt", 60.0, "s", "the recording interval dt")
    record_dE_V = _recording_setting("RecordDE", 0.005, "V", "the recording step dE")


class ComplianceGroup(PVGroup):
    """Hardware compliance of the channel (read-only to clients)."""

    max_current_mA = pvproperty(name="IMax", value=100.0, units="mA", read_only=True)
    v_min_V = pvproperty(name="VMin", value=0.0, units="V", read_only=True)
    v_max_V = pvproperty(name="VMax", value=5.5, units="V", read_only=True)


class CellGroup(PVGroup):
    """Cell configuration, as the operator entered it."""

    material = pvproperty(name="Material", value="", dtype=ChannelType.STRING)
    active_mass_mg = pvproperty(name="MassMg", value=1.0, units="mg", precision=4)
    area_cm2 = pvproperty(name="AreaCm2", value=1.0, units="cm2", precision=4)

    @active_mass_mg.putter
    async def active_mass_mg(self, instance, value):
        async with self.parent.refusals(instance):
            if not 0 < value < math.inf:
                raise ComplianceError(f"active mass must be finite and positive, got {value} mg")
        return value

    @area_cm2.putter
    async def area_cm2(self, instance, value):
        async with self.parent.refusals(instance):
            if not 0 < value < math.inf:
                raise ComplianceError(
                    f"electrode area must be finite and positive, got {value} cm2"
                )
        return value


class BufferGroup(PVGroup):
    """The on-instrument data buffer, read in pages: put Start, then read N and the arrays."""

    count = pvproperty(name="Count", value=0, read_only=True, doc="points recorded")
    t0 = pvproperty(name="T0", value=0.0, read_only=True, units="s", doc="time of last clear")
    n = pvproperty(name="N", value=0, read_only=True, doc="valid points in the page")
    ts = page_array("TS", "s", "instrument time")
    t = page_array("T", "s", "time since the buffer was cleared")
    ewe = page_array("Ewe", "V")
    i = page_array("I", "mA")
    q = page_array("Q", "mAh")
    step = page_array("Step", "", "steps started since power-up")
    start = pvproperty(name="Start", value=0, doc="index of the first point of the page")
    clear = pvproperty(name="Clear", value=0, doc="put 1 to empty the buffer, t = 0 now")

    @start.putter
    async def start(self, instance, value):
        async with self.parent.refusals(instance):
            await publish_page(self, self.parent.world.potentiostat.buffer, value)
        return value

    @clear.putter
    async def clear(self, instance, value):
        if value:
            pstat = self.parent.world.potentiostat
            pstat.clear_buffer()
            await self.count.write(0)
            await self.t0.write(pstat.buffer.t0)
        return 0


def _frequency_setting(name: str, value: float, doc: str):
    """A frequency (Hz) of the analyser's range; anything else is refused with LastError."""
    prop = pvproperty(name=name, value=value, units="Hz", doc=doc)

    @prop.putter
    async def prop(group, instance, value):
        async with group.parent.refusals(instance):
            if not F_MIN_HZ <= value <= F_MAX_HZ:  # NaN fails every comparison
                raise ComplianceError(
                    f"{doc} must lie in [{F_MIN_HZ:g}, {F_MAX_HZ:g}] Hz, got {value}"
                )
        return value

    return prop


class ImpedanceGroup(PVGroup):
    """Potentiostatic EIS of the idle channel about its open-circuit potential: put the
    frequency range, then Acquire 1 (completes once the spectrum is in Freq/ZRe/ZIm)."""

    f_min_Hz = _frequency_setting("FMin", 0.01, "lowest frequency")
    f_max_Hz = _frequency_setting("FMax", 1e4, "highest frequency")
    per_decade = pvproperty(name="PerDecade", value=8, doc="frequencies per decade")
    acquire = pvproperty(name="Acquire", value=0, doc="put 1: measure one spectrum")
    count = pvproperty(name="Count", value=0, read_only=True, doc="spectra measured")
    n = pvproperty(name="N", value=0, read_only=True, doc="frequencies in the spectrum")
    ewe = pvproperty(name="Ewe", value=0.0, units="V", read_only=True, doc="DC potential")
    ts = pvproperty(name="TS", value=0.0, units="s", read_only=True, doc="instrument time")
    freq = pvproperty(name="Freq", value=[0.0] * MAX_EIS_POINTS, max_length=MAX_EIS_POINTS,
                      units="Hz", read_only=True)  # fmt: skip
    z_re = pvproperty(name="ZRe", value=[0.0] * MAX_EIS_POINTS, max_length=MAX_EIS_POINTS,
                      units="ohm", read_only=True)  # fmt: skip
    z_im = pvproperty(name="ZIm", value=[0.0] * MAX_EIS_POINTS, max_length=MAX_EIS_POINTS,
                      units="ohm", read_only=True)  # fmt: skip

    @acquire.putter
    async def acquire(self, instance, value):
        if value:
            parent = self.parent
            parent.world.advance(budget_s=ADVANCE_BUDGET_S)
            m = parent.world.potentiostat
            async with parent.refusals(instance):
                freq, z = m.measure_impedance(
                    float(self.f_min_Hz.value), float(self.f_max_Hz.value),
                    int(self.per_decade.value),
                )  # fmt: skip
            pad = [0.0] * (MAX_EIS_POINTS - freq.size)
            await self.freq.write(list(freq) + pad)
            await self.z_re.write(list(z.real) + pad)
            await self.z_im.write(list(z.imag) + pad)
            await self.n.write(int(freq.size))
            await self.ewe.write(m.ewe_V)
            await self.ts.write(m.t)
            await self.count.write(self.count.value + 1)
        return 0


class PotentiostatIOC(RefusingGroup):
    """A potentiostat channel: techniques OCV, CC, CV, SWEEP with limits, a data buffer and
    an impedance analyser (``EIS:``)."""

    procedure = SubGroup(ProcedureGroup, prefix="Steps:")
    recording = SubGroup(RecordingGroup, prefix="")
    compliance = SubGroup(ComplianceGroup, prefix="Compliance:")
    cell = SubGroup(CellGroup, prefix="Cell:")
    buffer = SubGroup(BufferGroup, prefix="Buf:")
    impedance = SubGroup(ImpedanceGroup, prefix="EIS:")

    start = pvproperty(name="Start", value=0, doc="put 1 to start the technique")
    stop = pvproperty(name="Stop", value=0, doc="put 1 to open the circuit")
    status = pvproperty(
        name="Status", value="Idle", enum_strings=STATUSES, dtype=ChannelType.ENUM, read_only=True
    )
    end_reason = pvproperty(name="EndReason", value="", dtype=ChannelType.STRING, read_only=True)
    seq = pvproperty(name="Seq", value=0, read_only=True, doc="procedures started")
    done_seq = pvproperty(name="DoneSeq", value=0, read_only=True, doc="last procedure ended")
    step = pvproperty(name="Step", value=0, read_only=True, doc="index of the running step")
    ewe = pvproperty(name="Ewe", value=0.0, units="V", precision=5, read_only=True)
    current = pvproperty(name="I", value=0.0, units="mA", precision=6, read_only=True)
    charge = pvproperty(name="Q", value=0.0, units="mAh", precision=6, read_only=True)
    elapsed = pvproperty(name="Elapsed", value=0.0, units="s", precision=1, read_only=True)
    clock = pvproperty(name="Time", value=0.0, units="s", precision=3, read_only=True)
    temperature = pvproperty(
        name="TemperatureC", value=25.0, units="C", precision=2,
        doc="cell temperature (climate chamber setpoint; the cell follows at once)",
    )  # fmt: skip

    def __init__(self, *args, world: World, **kwargs):
        self.world = world
        self._clock_publisher = ClockPublisher()
        super().__init__(*args, **kwargs)

    def check_step_values(self, attr: str, values: list[float]) -> None:
        """Refuse step settings outside the hardware compliance (or otherwise impossible)."""
        comp = self.world.potentiostat.compliance
        for k, value in enumerate(values):
            if not math.isfinite(value):
                raise ComplianceError(f"step {k}: {attr} must be a finite number, got {value}")
            if attr == "current_mA":
                comp.check_current(value)
            elif attr in _VOLTAGE_SETTINGS:
                comp.check_voltage(value, f"step {k}: {_VOLTAGE_SETTINGS[attr]}")
            elif attr == "technique" and int(value) not in range(len(TECHNIQUES)):
                codes = f"0-{len(TECHNIQUES) - 1}"
                raise ComplianceError(f"step {k}: technique code {value} is not one of {codes}")
            elif value < 0:
                raise ComplianceError(f"step {k}: {attr} must not be negative, got {value}")

    @start.putter
    async def start(self, instance, value):
        if value:
            self.world.advance(budget_s=ADVANCE_BUDGET_S)
            async with self.refusals(instance):
                self.world.potentiostat.steps = self.procedure.steps()
                self.world.potentiostat.start()
            await self.publish()
        return 0

    @temperature.putter
    async def temperature(self, instance, value):
        self.world.advance(budget_s=ADVANCE_BUDGET_S)
        async with self.refusals(instance):
            self.world.set_temperature(float(value))
        return value

    @stop.putter
    async def stop(self, instance, value):
        if value:
            self.world.advance(budget_s=ADVANCE_BUDGET_S)
            self.world.potentiostat.stop()
            await self.publish()
        return 0

    @clock.getter  # a read gets the instrument time now; monitors get it at 2 Hz
    async def clock(self, instance):
        return self.world.potentiostat.t

    @clock.scan(period=TICK_S)
    async def clock(self, instance, async_lib):
        # Bounded work per tick keeps Channel Access responsive when the time scale asks
        # for more simulation than the CPU can do; the instrument then lags its clock.
        self.world.advance(budget_s=ADVANCE_BUDGET_S)
        await self.publish()

    async def publish(self) -> None:
        """Write the model's state to the readback PVs (only what changed)."""
        m = self.world.potentiostat
        values = {
            self.status: m.status,
            self.end_reason: pv_string(m.end_reason),
            self.seq: m.seq,
            self.done_seq: m.done_seq,
            self.step: m.step_index,
            self.ewe: m.ewe_V,
            self.current: m.current_mA,
            self.charge: m.q_mAh,
            self.elapsed: m.elapsed_s,
            self.buffer.count: len(m.buffer),
        }
        for pv, value in values.items():
            if pv.value != value:
                await pv.write(value)
        await self._clock_publisher.publish(self.clock, m.t)


class SimControlIOC(RefusingGroup):
    """Controls of the simulator itself (no counterpart on a real beamline)."""

    time_scale = pvproperty(name="TimeScale", value=1.0, doc="instrument s per wall s")
    new_cell = pvproperty(name="NewCell", value=0, doc="put 1: pristine cell from PSTAT:Cell:")

    def __init__(self, *args, world: World, potentiostat: PotentiostatIOC, **kwargs):
        self.world = world
        self.potentiostat = potentiostat
        super().__init__(*args, **kwargs)

    @time_scale.startup
    async def time_scale(self, instance, async_lib):
        await instance.write(self.world.clock.time_scale)

    @time_scale.putter
    async def time_scale(self, instance, value):
        async with self.refusals(instance):
            if not 0 < value < math.inf:  # NaN or inf would freeze the instrument clock
                raise ComplianceError(f"time scale must be finite and positive, got {value}")
        self.world.advance(budget_s=ADVANCE_BUDGET_S)
        self.world.clock.time_scale = value
        return value

    @new_cell.putter
    async def new_cell(self, instance, value):
        if value:
            cfg = self.potentiostat.cell
            self.world.advance(budget_s=ADVANCE_BUDGET_S)
            async with self.refusals(instance):
                self.world.new_cell(
                    cfg.material.value, cfg.active_mass_mg.value, cfg.area_cm2.value
                )
            await self.potentiostat.publish()
        return 0


def build_pvdb(prefix: str, world: World) -> dict:
    """All PVs of the simulated beamline under prefix."""
    pstat = PotentiostatIOC(prefix=f"{prefix}PSTAT:", world=world)
    dems = MassSpectrometerIOC(prefix=f"{prefix}DEMS:", world=world)
    sim = SimControlIOC(prefix=f"{prefix}SIM:", world=world, potentiostat=pstat)
    sim_ms = SimMassSpecGroup(prefix=f"{prefix}SIM:MS:", world=world)
    soft = SoftXrayIOC(prefix=f"{prefix}SXR:", world=world, model=world.soft_xray)
    hard = HardXrayIOC(prefix=f"{prefix}HXR:", world=world, model=world.hard_xray)
    mount = MountGroup(prefix=f"{prefix}SIM:", world=world)
    beam = BeamGroup(prefix=f"{prefix}SIM:", world=world, stations=(soft, hard))
    mount.refusing = beam.refusing = sim  # simulator PVs report refusals in SIM:LastError
    groups = (pstat, dems, sim, sim_ms, soft, hard, mount, beam)
    return {pv: prop for group in groups for pv, prop in group.pvdb.items()}
