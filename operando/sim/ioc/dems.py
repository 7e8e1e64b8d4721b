"""PVs of the simulated DEMS (``P DEMS:``) and its simulator-only knobs (``P SIM:MS:``).

``P DEMS:`` is what a DEMS controller would serve: the sampling interval, Acquire (sample
every interval) and Trigger (one sample now), the
headspace (carrier, volume, temperature, pressure), the measured m/z channels, the last
sample's ion current per channel (``MZ2``, ``MZ44``, ... in A), the operator's calibration
table (``Cal:<gas>``: A per mol/s on every channel, in the order of ``Channels``) and the
sample buffer (``Buf:``) read out in pages.

``P SIM:MS:Sens:<gas>`` is the simulated quadrupole's true parent-peak sensitivity (A per
mol/s): what the instrument really does, which a calibration can match or not.
"""

from __future__ import annotations

import math

from caproto import ChannelType
from caproto.server import PVGroup, SubGroup, pvproperty

from ..models.dems import GASES, MZ_CHANNELS
from ..models.potentiostat import ComplianceError
from .base import (
    ADVANCE_BUDGET_S,
    TICK_S,
    ClockPublisher,
    RefusingGroup,
    page_array,
    publish_page,
)

MIN_INTERVAL_S, MAX_INTERVAL_S = 1.0, 86400.0
N_CHANNELS = len(MZ_CHANNELS)


def _channel_readback(mz: int):
    return pvproperty(
        name=f"MZ{mz}", value=0.0, units="A", precision=4, read_only=True,
        doc=f"ion current at m/z {mz} of the last sample",
    )  # fmt: skip


def _calibration(gas: str):
    prop = pvproperty(
        name=gas,
        value=[0.0] * N_CHANNELS,
        max_length=N_CHANNELS,
        units="A s/mol",
        doc=f"ion current per molar flow of {gas} on each channel",
    )

    @prop.startup  # the factory calibration matches the quadrupole as delivered
    async def prop(group, instance, async_lib):
        await instance.write(group.parent.world.mass_spectrometer.factory_calibration()[gas])

    @prop.putter
    async def prop(group, instance, value):
        async with group.parent.refusals(instance):
            values = list(value)
            if len(values) != N_CHANNELS or not all(math.isfinite(v) and v >= 0 for v in values):
                raise ComplianceError(
                    f"calibration of {gas} needs {N_CHANNELS} finite values >= 0 A s/mol "
                    f"(one per channel {list(MZ_CHANNELS)}), got {values}"
                )
        return values

    return prop


class CalibrationGroup(PVGroup):
    """The operator's calibration table: A per mol/s of each gas on every channel."""

    # One PV per gas (or channel) below: a class body's namespace takes them this way.
    locals().update({gas.lower(): _calibration(gas) for gas in GASES})


class SampleBufferGroup(PVGroup):
    """The record of samples, read in pages: put Start, then read N and the arrays."""

    count = pvproperty(name="Count", value=0, read_only=True, doc="samples recorded")
    t0 = pvproperty(name="T0", value=0.0, read_only=True, units="s", doc="time of last clear")
    n = pvproperty(name="N", value=0, read_only=True, doc="valid samples in the page")
    ts = page_array("TS", "s", "instrument time of the sample")
    interval = page_array("Interval", "s", "time the gas of the sample accumulated")
    pressure = page_array("Pressure", "mbar", "headspace pressure before the sample")
    locals().update({f"mz{mz}": page_array(f"MZ{mz}", "A") for mz in MZ_CHANNELS})
    start = pvproperty(name="Start", value=0, doc="index of the first sample of the page")
    clear = pvproperty(name="Clear", value=0, doc="put 1 to empty the buffer")

    @start.putter
    async def start(self, instance, value):
        async with self.parent.refusals(instance):
            await publish_page(self, self.parent.world.mass_spectrometer.buffer, value)
        return value

    @clear.putter
    async def clear(self, instance, value):
        if value:
            ms = self.parent.world.mass_spectrometer
            ms.clear_buffer()
            await self.count.write(0)
            await self.t0.write(ms.buffer.t0)
        return 0


class MassSpectrometerIOC(RefusingGroup):
    """Headspace sampling DEMS: a valve sweeps the cell's headspace into a quadrupole."""

    calibration = SubGroup(CalibrationGroup, prefix="Cal:")
    buffer = SubGroup(SampleBufferGroup, prefix="Buf:")

    interval = pvproperty(name="Interval", value=120.0, units="s", doc="sampling interval")
    acquire = pvproperty(name="Acquire", value=0, doc="put 1 to start sampling, 0 to stop")
    trigger = pvproperty(name="Trigger", value=0, doc="put 1 to take one sample now")
    acquiring = pvproperty(
        name="Acquiring", value="Idle", enum_strings=("Idle", "Sampling"),
        dtype=ChannelType.ENUM, read_only=True,
    )  # fmt: skip
    last_sample = pvproperty(
        name="LastSample", value=0.0, units="s", precision=3, read_only=True,
        doc="instrument time of the latest sample",
    )  # fmt: skip
    clock = pvproperty(name="Time", value=0.0, units="s", precision=3, read_only=True)
    channels = pvproperty(
        name="Channels", value=list(MZ_CHANNELS), max_length=N_CHANNELS, read_only=True,
        doc="m/z of the measured channels",
    )  # fmt: skip
    carrier = pvproperty(name="Carrier", value="Ar", dtype=ChannelType.STRING, read_only=True)
    headspace_mL = pvproperty(name="HeadspaceML", value=1.0, units="mL", read_only=True)
    temperature_K = pvproperty(name="TemperatureK", value=298.15, units="K", read_only=True)
    pressure = pvproperty(name="Pressure", value=1013.25, units="mbar", precision=3, read_only=True)
    locals().update({f"mz{mz}": _channel_readback(mz) for mz in MZ_CHANNELS})

    def __init__(self, *args, world, **kwargs):
        self.world = world
        self._clock_publisher = ClockPublisher()
        super().__init__(*args, **kwargs)

    @property
    def model(self):
        return self.world.mass_spectrometer

    @interval.putter
    async def interval(self, instance, value):
        async with self.refusals(instance):
            if not MIN_INTERVAL_S <= value <= MAX_INTERVAL_S:
                raise ComplianceError(
                    f"sampling interval {value} s outside [{MIN_INTERVAL_S:g}, "
                    f"{MAX_INTERVAL_S:g}] s"
                )
        self.world.advance(budget_s=ADVANCE_BUDGET_S)
        self.model.interval_s = float(value)
        return value

    @acquire.putter
    async def acquire(self, instance, value):
        self.world.advance(budget_s=ADVANCE_BUDGET_S)
        if value:
            self.model.start()
        else:
            self.model.stop()
        await self.publish()
        return value

    @trigger.putter
    async def trigger(self, instance, value):
        if value:
            self.world.advance(budget_s=ADVANCE_BUDGET_S)
            self.model.sample_now()
            await self.publish()
        return 0

    @clock.getter  # a read gets the instrument time now; monitors get it at 2 Hz
    async def clock(self, instance):
        return self.model.t

    @clock.scan(period=TICK_S)
    async def clock(self, instance, async_lib):
        await self.publish()  # the potentiostat's scan advances the world

    async def publish(self) -> None:
        m = self.model
        values = {
            self.acquiring: "Sampling" if m.acquiring else "Idle",
            self.last_sample: m.last_sample_t,
            self.pressure: m.headspace.pressure_mbar,
            self.buffer.count: len(m.buffer),
            **{getattr(self, f"mz{mz}"): v for mz, v in m.last_ion_currents.items()},
        }
        for pv, value in values.items():
            if pv.value != value:
                await pv.write(value)
        await self._clock_publisher.publish(self.clock, m.t)


def _true_sensitivity(gas: str):
    prop = pvproperty(
        name=f"Sens:{gas}", value=0.0, units="A s/mol",
        doc=f"true parent-peak sensitivity of the simulated quadrupole to {gas}",
    )  # fmt: skip

    @prop.startup
    async def prop(group, instance, async_lib):
        await instance.write(group.world.mass_spectrometer.quadrupole.sensitivity[gas])

    @prop.putter
    async def prop(group, instance, value):
        async with group.refusals(instance):
            if not (math.isfinite(value) and value > 0):
                raise ComplianceError(f"sensitivity must be finite and positive, got {value}")
        group.world.mass_spectrometer.quadrupole.sensitivity[gas] = float(value)
        return value

    return prop


class SimMassSpecGroup(RefusingGroup):
    """The simulated quadrupole's true sensitivities (simulator only)."""

    locals().update({gas.lower(): _true_sensitivity(gas) for gas in GASES})

    def __init__(self, *args, world, **kwargs):
        self.world = world
        super().__init__(*args, **kwargs)
