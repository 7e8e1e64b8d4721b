"""PVs of the simulated X-ray endstations: ``P SXR:`` (soft) and ``P HXR:`` (hard).

Each endstation serves standard records (``records.py``): the monochromator ``Mono`` (motor
record, eV; a move takes |dE| / speed of instrument time), the sample holder ``Holder``
(motor record: 0 the in situ cell, 1..16 ex situ slots, 17-19 the Ru metal, RuCl3 and RuO2
references of the hard X-ray holder) with ``Holder:Sample`` naming what is in the beam, and
the counters ``Scaler`` (scaler record: clock, I0, TEY, FY soft; clock, I0, It, Iref hard);
beside them the ring's ``BeamCurrent`` (mA) and ``LastError``. The soft endstation adds
the RIXS spectrograph: ``RIXS:Exposure`` (s), ``RIXS:Acquire``, ``RIXS:Spectrum`` (counts)
on ``RIXS:Energy`` (emission energy axis, eV) and ``RIXS:I0``. Both sweep the monochromator
continuously for fly scans (``Fly:``, see ``flyscan.py``).

``P SIM:Mount`` (simulator only) takes the electrode out of the potentiostat's cell, in the
state the potentiostat left it, and mounts it in slot N as ``P SIM:MountName``.
"""

from __future__ import annotations

import asyncio

from caproto import ChannelType
from caproto.server import PVGroup, SubGroup, pvproperty

from ...instruments import N_SLOTS
from ..models.endstation import RIXS_EMISSION_EV, Endstation, NoSample
from ..models.potentiostat import ComplianceError
from .base import ADVANCE_BUDGET_S, RefusingGroup
from .flyscan import fly_group
from .records import HolderMotor, MonoMotor, scaler_group

MAX_DWELL_S = 3600.0
MIN_SLEEP_S = 1e-3


def _counts(name: str, doc: str):
    return pvproperty(name=name, value=0.0, units="counts", read_only=True, doc=doc)


class EndstationIOC(RefusingGroup):
    """What soft and hard X-ray endstations share: the monochromator and the sample holder
    (motor records), the name of the sample in the beam, the ring current, LastError."""

    mono_motor = SubGroup(MonoMotor, prefix="")
    holder_motor = SubGroup(HolderMotor, prefix="")
    holder_sample = pvproperty(
        name="Holder:Sample",
        value="",
        dtype=ChannelType.STRING,
        read_only=True,
        doc="name of the sample in the beam",
    )
    beam_current = pvproperty(name="BeamCurrent", value=500.0, units="mA", read_only=True,
                              doc="storage ring current")  # fmt: skip

    def __init__(self, *args, world, model: Endstation, **kwargs):
        self.world = world
        self.model = model
        super().__init__(*args, **kwargs)

    async def wait_instrument(self, seconds: float) -> None:
        """Let seconds of instrument time pass (wall time / time scale)."""
        wall = seconds / self.world.clock.time_scale
        if wall > MIN_SLEEP_S:  # shorter waits are lost in Channel Access latency anyway
            await asyncio.sleep(wall)
        if self.model.position == 0:  # in situ: the cell has moved on meanwhile
            self.world.advance(budget_s=ADVANCE_BUDGET_S)


class SoftXrayIOC(EndstationIOC):
    """Soft X-ray endstation: I0, TEY (drain current) and FY (photodiode); RIXS."""

    scaler = SubGroup(scaler_group(("I0", "TEY", "FY")), prefix="Scaler")
    fly = SubGroup(fly_group(("TEY", "FY")), prefix="Fly:")
    rixs_exposure = pvproperty(name="RIXS:Exposure", value=10.0, units="s")
    rixs_acquire = pvproperty(name="RIXS:Acquire", value=0, doc="put 1: one exposure")
    rixs_spectrum = pvproperty(
        name="RIXS:Spectrum", value=[0.0] * len(RIXS_EMISSION_EV),
        max_length=len(RIXS_EMISSION_EV), units="counts", read_only=True,
    )  # fmt: skip
    rixs_energy = pvproperty(
        name="RIXS:Energy", value=RIXS_EMISSION_EV.tolist(), max_length=len(RIXS_EMISSION_EV),
        units="eV", read_only=True, doc="emission energy of each spectrum channel",
    )  # fmt: skip
    rixs_i0 = _counts("RIXS:I0", "incident flux during the exposure")

    @rixs_exposure.putter
    async def rixs_exposure(self, instance, value):
        async with self.refusals(instance):
            if not 0 < value <= MAX_DWELL_S:
                raise ComplianceError(f"exposure {value} s outside (0, {MAX_DWELL_S:g}] s")
        return value

    @rixs_acquire.putter
    async def rixs_acquire(self, instance, value):
        if not value:
            return 0
        exposure = float(self.rixs_exposure.value)
        await self.wait_instrument(exposure)
        async with self.refusals(instance):
            try:
                spectrum, i0 = self.model.rixs(exposure)
            except NoSample as exc:
                raise ComplianceError(str(exc)) from None
        await self.rixs_spectrum.write(list(spectrum))
        await self.rixs_i0.write(i0)
        return 0


class HardXrayIOC(EndstationIOC):
    """Hard X-ray XAS in transmission: I0, It and Iref (Ru foil after the sample)."""

    scaler = SubGroup(scaler_group(("I0", "It", "Iref")), prefix="Scaler")
    fly = SubGroup(fly_group(("It", "Iref")), prefix="Fly:")


class MountGroup(PVGroup):
    """Simulator only: take the electrode out of the potentiostat's cell into a slot."""

    name_ = pvproperty(name="MountName", value="electrode", dtype=ChannelType.STRING)
    mount = pvproperty(name="Mount", value=0, doc=f"put N (1..{N_SLOTS}): mount in slot N")

    def __init__(self, *args, world, **kwargs):
        self.world = world
        super().__init__(*args, **kwargs)

    async def _slot_now(self, instance, value, lowest: int) -> int:
        """The slot put, refused (SIM:LastError) outside lowest..N_SLOTS; the instruments
        are brought to the present instrument time first."""
        async with self.refusing.refusals(instance):
            if not lowest <= value <= N_SLOTS:
                raise ValueError(f"slot {value} outside {lowest}..{N_SLOTS}")
        self.world.advance(budget_s=ADVANCE_BUDGET_S)
        return int(value)

    @mount.putter
    async def mount(self, instance, value):
        self.world.take_electrode(await self._slot_now(instance, value, 1), self.name_.value)
        return 0

    mount_on_end = pvproperty(
        name="MountOnEnd",
        value=0,
        doc=f"put N (1..{N_SLOTS}): mount in slot N the instant the technique ends; 0: disarm",
    )

    @mount_on_end.putter
    async def mount_on_end(self, instance, value):
        slot = await self._slot_now(instance, value, 0)  # 0 disarms
        self.world.harvest_at_end(slot or None, self.name_.value)
        return slot


class BeamGroup(PVGroup):
    """Simulator only: the storage ring's current, to dump and refill the beam in tests."""

    beam_current = pvproperty(name="BeamCurrent", value=500.0, units="mA",
                              doc="ring current seen by both endstations")  # fmt: skip

    def __init__(self, *args, world, stations, **kwargs):
        self.world = world
        self.stations = stations
        super().__init__(*args, **kwargs)

    @beam_current.putter
    async def beam_current(self, instance, value):
        async with self.refusing.refusals(instance):
            if not 0 <= value <= 1000:  # NaN fails this too
                raise ValueError(f"beam current {value} mA outside 0..1000 mA")
        for station in self.stations:
            station.model.beam_current_mA = float(value)
            await station.beam_current.write(float(value))
        return value
