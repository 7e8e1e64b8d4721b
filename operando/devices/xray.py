"""The X-ray endstations as the control system sees them.

- :class:`Monochromator`: photon energy (eV), a positioner usable in ``bp.scan``; the move
  is done when the instrument completes the put; moves outside its range are refused by
  its limits before anything is written.
- :class:`SoftXrayCounters` (I0, TEY, FY) and :class:`HardXrayCounters` (I0, It, Iref):
  detectors; ``trigger`` counts for ``dwell`` seconds.
- :class:`RixsSpectrograph`: ``trigger`` takes one exposure; ``spectrum`` (counts) on the
  emission-energy axis ``emission_energy`` (eV, configuration) with its ``i0``.
- :class:`SampleHolder`: ``slot`` (0 the in situ cell, 1.. ex situ electrodes, 17-19
  the Ru references on the hard X-ray holder); ``sample`` names what is in the beam and is
  read with every point.
- :class:`BeamPolicy`: when X-ray plans suspend for a lost beam (``station.beam_suspender()``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bluesky.suspenders import SuspendFloor
from ophyd import Component as Cpt
from ophyd import Device, EpicsSignalRO
from ophyd.status import Status

from ..errors import BadRequest
from .instrument import REFUSAL_TIMEOUT_S, Setpoint


class Monochromator(Device):
    """Photon energy (eV): a positioner (``set``, ``position``, ``limits``) for ``bp.scan``.

    A move is done when the instrument completes the put. Moves outside the
    monochromator's range (its control limits) are refused before anything is written.
    The readback is read, not monitored: a monitor update arriving while the next request
    is sent costs ~40 ms per point with caproto (measured), a scan's whole budget.
    """

    setpoint = Cpt(Setpoint, "Energy", kind="normal")
    readback = Cpt(EpicsSignalRO, "Energy:RBV", kind="hinted")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.readback.name = self.name  # the energy column is named after the positioner

    @property
    def limits(self) -> tuple[float, float]:
        return self.setpoint.limits

    @property
    def position(self) -> float:
        return float(self.readback.get())

    def set(self, value: float, **kwargs) -> Status:
        low, high = self.limits
        if low < high and not low <= value <= high:
            raise BadRequest(
                f"{self.name}: {value} eV outside the monochromator's range [{low}, {high}] eV"
            )
        return self.setpoint.set(value, timeout=None)


class _Counters(Device):
    dwell = Cpt(Setpoint, "Det:Dwell", kind="config")  # s
    acquire = Cpt(Setpoint, "Det:Acquire", kind="omitted")
    i0 = Cpt(EpicsSignalRO, "Det:I0", kind="hinted")  # counts
    beam_current = Cpt(EpicsSignalRO, "BeamCurrent", kind="normal")  # mA
    last_error = Cpt(EpicsSignalRO, "LastError", string=True, kind="omitted")

    def trigger(self) -> Status:
        """Count for the dwell time (instrument seconds, so at most that in wall time)."""
        dwell = float(self.dwell.get())
        return self.acquire.set(1, timeout=dwell + REFUSAL_TIMEOUT_S)


class SoftXrayCounters(_Counters):
    """I0, total electron yield (surface) and fluorescence yield (bulk), counts."""

    tey = Cpt(EpicsSignalRO, "Det:TEY", kind="hinted")
    fy = Cpt(EpicsSignalRO, "Det:FY", kind="hinted")


class HardXrayCounters(_Counters):
    """Ion chambers I0, It (after the sample) and Iref (after the Ru foil), counts."""

    it = Cpt(EpicsSignalRO, "Det:It", kind="hinted")
    iref = Cpt(EpicsSignalRO, "Det:Iref", kind="hinted")


class RixsSpectrograph(Device):
    """Emission spectrum per exposure (counts) on its emission-energy axis (eV)."""

    exposure = Cpt(Setpoint, "RIXS:Exposure", kind="config")  # s
    acquire = Cpt(Setpoint, "RIXS:Acquire", kind="omitted")
    spectrum = Cpt(EpicsSignalRO, "RIXS:Spectrum", kind="normal")
    emission_energy = Cpt(EpicsSignalRO, "RIXS:Energy", kind="config")
    i0 = Cpt(EpicsSignalRO, "RIXS:I0", kind="normal")
    last_error = Cpt(EpicsSignalRO, "LastError", string=True, kind="omitted")

    def trigger(self) -> Status:
        exposure = float(self.exposure.get())
        return self.acquire.set(1, timeout=exposure + REFUSAL_TIMEOUT_S)


class SampleHolder(Device):
    """Which electrode is in the beam (0: the in situ cell)."""

    slot = Cpt(Setpoint, "Holder:Position", kind="normal")
    sample = Cpt(EpicsSignalRO, "Holder:Sample", string=True, kind="normal")
    last_error = Cpt(EpicsSignalRO, "LastError", string=True, kind="omitted")


@dataclass
class BeamPolicy:
    """When X-ray plans pause for a lost beam: below suspend_below_mA of ring current they
    suspend; they resume settle_s (wall s, for the optics to recover their heat load) after
    it is back above resume_above_mA. The cell keeps to its procedure meanwhile."""

    suspend_below_mA: float = 100.0
    resume_above_mA: float = 300.0
    settle_s: float = 10.0

    def suspender(self, beam_current) -> SuspendFloor:
        return SuspendFloor(
            beam_current,
            suspend_thresh=self.suspend_below_mA,
            resume_thresh=self.resume_above_mA,
            sleep=self.settle_s,
            tripped_message="the beam is lost (ring current below "
            f"{self.suspend_below_mA:g} mA); X-ray measurements wait for it",
        )


@dataclass
class SoftXrayEndstation:
    mono: Monochromator
    counters: SoftXrayCounters
    rixs: RixsSpectrograph
    holder: SampleHolder
    beam: BeamPolicy = field(default_factory=BeamPolicy)

    def beam_suspender(self) -> SuspendFloor:
        return self.beam.suspender(self.counters.beam_current)

    @classmethod
    def at(cls, prefix: str) -> SoftXrayEndstation:
        return cls(
            Monochromator(f"{prefix}Mono:", name="sxr_energy"),
            SoftXrayCounters(prefix, name="sxr"),
            RixsSpectrograph(prefix, name="rixs"),
            SampleHolder(prefix, name="sxr_holder"),
        )

    def devices(self) -> list[Device]:
        return [self.mono, self.counters, self.rixs, self.holder]


@dataclass
class HardXrayEndstation:
    mono: Monochromator
    counters: HardXrayCounters
    holder: SampleHolder
    beam: BeamPolicy = field(default_factory=BeamPolicy)

    def beam_suspender(self) -> SuspendFloor:
        return self.beam.suspender(self.counters.beam_current)

    @classmethod
    def at(cls, prefix: str) -> HardXrayEndstation:
        return cls(
            Monochromator(f"{prefix}Mono:", name="hxr_energy"),
            HardXrayCounters(prefix, name="hxr"),
            SampleHolder(prefix, name="hxr_holder"),
        )

    def devices(self) -> list[Device]:
        return [self.mono, self.counters, self.holder]
