"""The simulated beamline's caproto IOC: one process, one PV prefix per instrument.

PVs (``P`` is the beamline prefix):

- ``P PSTAT:`` potentiostat: technique settings, Start/Stop, status, readbacks, compliance,
  cell configuration and the data buffer (``Buf:``) read out in pages.
- ``P SIM:`` simulator controls that a real beamline does not have: time scale, instrument
  clock, and ``NewCell`` (assemble a pristine cell from the potentiostat's cell settings).
"""

from __future__ import annotations

import contextlib

from caproto import ChannelType
from caproto.server import PVGroup, SubGroup, pvproperty

from .potentiostat import STATUSES, TECHNIQUES, ComplianceError, TechniqueSettings
from .world import World

_VOLTAGE_SETTINGS = {
    "voltage_V": "voltage setpoint",
    "e_upper_V": "upper cutoff",
    "e_lower_V": "lower cutoff",
}
PAGE_SIZE = 2000  # buffer points per page read
TICK_S = 0.05  # wall-clock period of the simulation loop


def _setting(name: str, value: float, units: str, doc: str):
    """A float setpoint PV stored in the potentiostat's TechniqueSettings."""
    prop = pvproperty(value=value, units=units, doc=doc, precision=4, name=name)

    @prop.putter
    async def prop(group, instance, value):
        async with group.parent.refusals():
            group.parent.check_setting(instance.pvspec.attr, value)
        setattr(group.parent.world.potentiostat.settings, instance.pvspec.attr, value)
        return value

    return prop


class RefusingGroup(PVGroup):
    """An instrument whose putters may refuse a value, saying why in LastError."""

    last_error = pvproperty(
        name="LastError",
        value="",
        max_length=256,
        dtype=ChannelType.CHAR,
        read_only=True,
        doc="why the last refused put was refused",
    )

    @contextlib.asynccontextmanager
    async def refusals(self):
        """Publish a refused put's reason in LastError, then refuse it (ECA_PUTFAIL)."""
        try:
            yield
        except ComplianceError as exc:
            await self.last_error.write(str(exc)[:255])
            raise


class TechniqueGroup(PVGroup):
    """What to run and when to stop."""

    current_mA = _setting("Current-SP", 0.0, "mA", "CC current; positive charges")
    voltage_V = _setting("Voltage-SP", 4.0, "V", "CV potential")
    e_upper_V = _setting("EUpper", 5.0, "V", "CC upper voltage cutoff")
    e_lower_V = _setting("ELower", 2.0, "V", "CC lower voltage cutoff")
    duration_s = _setting("Duration", 0.0, "s", "time limit, 0 for none")
    current_floor_mA = _setting("IFloor", 0.0, "mA", "CV ends when |I| falls below")
    record_dt_s = _setting("RecordDt", 60.0, "s", "record a point every dt")
    record_dE_V = _setting("RecordDE", 0.005, "V", "or every dE")


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
        async with self.parent.refusals():
            if value <= 0:
                raise ComplianceError(f"active mass must be positive, got {value} mg")
        return value

    @area_cm2.putter
    async def area_cm2(self, instance, value):
        async with self.parent.refusals():
            if value <= 0:
                raise ComplianceError(f"electrode area must be positive, got {value} cm2")
        return value


class BufferGroup(PVGroup):
    """The on-instrument data buffer, read in pages: put Start, then read N and the arrays."""

    count = pvproperty(name="Count", value=0, read_only=True, doc="points recorded")
    t0 = pvproperty(name="T0", value=0.0, read_only=True, units="s", doc="time of last clear")
    n = pvproperty(name="N", value=0, read_only=True, doc="valid points in the page")
    ts = pvproperty(name="TS", value=[0.0] * PAGE_SIZE, max_length=PAGE_SIZE, read_only=True)
    t = pvproperty(name="T", value=[0.0] * PAGE_SIZE, max_length=PAGE_SIZE, read_only=True)
    ewe = pvproperty(name="Ewe", value=[0.0] * PAGE_SIZE, max_length=PAGE_SIZE, read_only=True)
    i = pvproperty(name="I", value=[0.0] * PAGE_SIZE, max_length=PAGE_SIZE, read_only=True)
    q = pvproperty(name="Q", value=[0.0] * PAGE_SIZE, max_length=PAGE_SIZE, read_only=True)
    step = pvproperty(name="Step", value=[0.0] * PAGE_SIZE, max_length=PAGE_SIZE, read_only=True)
    start = pvproperty(name="Start", value=0, doc="index of the first point of the page")
    clear = pvproperty(name="Clear", value=0, doc="put 1 to empty the buffer, t = 0 now")

    @start.putter
    async def start(self, instance, value):
        buffer = self.parent.world.potentiostat.buffer
        if not 0 <= value <= len(buffer):
            raise ValueError(f"page start {value} outside the buffer [0, {len(buffer)}]")
        page = buffer.page(int(value), PAGE_SIZE)
        for name, column in page.items():
            await getattr(self, name).write(column)
        await self.n.write(len(page["t"]))
        return value

    @clear.putter
    async def clear(self, instance, value):
        if value:
            pstat = self.parent.world.potentiostat
            pstat.clear_buffer()
            await self.count.write(0)
            await self.t0.write(pstat.buffer.t0)
        return 0


class PotentiostatIOC(RefusingGroup):
    """A potentiostat channel: techniques OCV, CC, CV with limits and a data buffer."""

    technique = pvproperty(
        name="Technique", value="OCV", enum_strings=TECHNIQUES, dtype=ChannelType.ENUM
    )
    settings = SubGroup(TechniqueGroup, prefix="")
    compliance = SubGroup(ComplianceGroup, prefix="Compliance:")
    cell = SubGroup(CellGroup, prefix="Cell:")
    buffer = SubGroup(BufferGroup, prefix="Buf:")

    start = pvproperty(name="Start", value=0, doc="put 1 to start the technique")
    stop = pvproperty(name="Stop", value=0, doc="put 1 to open the circuit")
    status = pvproperty(
        name="Status", value="Idle", enum_strings=STATUSES, dtype=ChannelType.ENUM, read_only=True
    )
    end_reason = pvproperty(name="EndReason", value="", dtype=ChannelType.STRING, read_only=True)
    seq = pvproperty(name="Seq", value=0, read_only=True, doc="techniques started")
    done_seq = pvproperty(name="DoneSeq", value=0, read_only=True, doc="last technique ended")
    ewe = pvproperty(name="Ewe", value=0.0, units="V", precision=5, read_only=True)
    current = pvproperty(name="I", value=0.0, units="mA", precision=6, read_only=True)
    charge = pvproperty(name="Q", value=0.0, units="mAh", precision=6, read_only=True)
    elapsed = pvproperty(name="Elapsed", value=0.0, units="s", precision=1, read_only=True)
    clock = pvproperty(name="Time", value=0.0, units="s", precision=3, read_only=True)

    def __init__(self, *args, world: World, **kwargs):
        self.world = world
        super().__init__(*args, **kwargs)

    def check_setting(self, attr: str, value: float) -> None:
        """Refuse a single setpoint that is outside the hardware compliance."""
        model = self.world.potentiostat
        trial = TechniqueSettings(**{**vars(model.settings), attr: value})
        comp = model.compliance
        if attr == "current_mA":
            comp.check_current(value)
        elif attr in _VOLTAGE_SETTINGS:
            comp.check_voltage(value, _VOLTAGE_SETTINGS[attr])
        elif getattr(trial, attr) < 0:
            raise ComplianceError(f"{attr} must not be negative, got {value}")

    @technique.putter
    async def technique(self, instance, value):
        self.world.potentiostat.settings.technique = value
        return value

    @start.putter
    async def start(self, instance, value):
        if value:
            self.world.advance()
            async with self.refusals():
                self.world.potentiostat.start()
            await self.publish()
        return 0

    @stop.putter
    async def stop(self, instance, value):
        if value:
            self.world.advance()
            self.world.potentiostat.stop()
            await self.publish()
        return 0

    @clock.scan(period=TICK_S)
    async def clock(self, instance, async_lib):
        self.world.advance()
        await self.publish()

    async def publish(self) -> None:
        """Write the model's state to the readback PVs (only what changed)."""
        m = self.world.potentiostat
        values = {
            self.status: m.status,
            self.end_reason: m.end_reason[:39],
            self.seq: m.seq,
            self.done_seq: m.done_seq,
            self.ewe: m.ewe_V,
            self.current: m.current_mA,
            self.charge: m.q_mAh,
            self.elapsed: m.elapsed_s,
            self.buffer.count: len(m.buffer),
        }
        for pv, value in values.items():
            if pv.value != value:
                await pv.write(value)
        await self.clock.write(m.t)


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
        if value <= 0:
            raise ValueError(f"time scale must be positive, got {value}")
        self.world.advance()
        self.world.clock.time_scale = value
        return value

    @new_cell.putter
    async def new_cell(self, instance, value):
        if value:
            cfg = self.potentiostat.cell
            self.world.advance()
            async with self.refusals():
                self.world.new_cell(
                    cfg.material.value, cfg.active_mass_mg.value, cfg.area_cm2.value
                )
            await self.potentiostat.publish()
        return 0


def build_pvdb(prefix: str, world: World) -> dict:
    """All PVs of the simulated beamline under prefix."""
    pstat = PotentiostatIOC(prefix=f"{prefix}PSTAT:", world=world)
    sim = SimControlIOC(prefix=f"{prefix}SIM:", world=world, potentiostat=pstat)
    return {**pstat.pvdb, **sim.pvdb}
