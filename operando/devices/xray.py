"""The X-ray endstations as the control system sees them: standard EPICS records.

- :class:`Monochromator`: photon energy (eV), ophyd's ``EpicsMotor`` on a motor record; a
  positioner usable in ``bp.scan``. Moves outside its limits (HLM/LLM) are refused before
  anything is written; a move the IOC refuses fails with its reason.
- :class:`SoftXrayCounters` (I0, TEY, FY) and :class:`HardXrayCounters` (I0, It, Iref):
  ophyd's ``ScalerCH`` on a scaler record; ``trigger`` counts for the preset time
  (``dwell``, s). The channels are found by their names (``.NMn``) and read as
  ``<station>_i0``, ``<station>_tey``, ...
- :class:`RixsSpectrograph`: ``trigger`` takes one exposure; ``spectrum`` (counts) on the
  emission-energy axis ``emission_energy`` (eV, configuration) with its ``i0``.
- :class:`SampleHolder`: ``slot`` (an ``EpicsMotor``: 0 the in situ cell, 1.. ex situ
  electrodes, 17-19 the Ru references on the hard X-ray holder); ``sample`` names what is
  in the beam and is read with every point.
- :class:`EndstationPVs`: where a beamline's records are (configuration ``[beamline.soft_xray]``
  / ``[beamline.hard_xray]``); the defaults are the simulator's names.
- :class:`BeamPolicy`: when X-ray plans suspend for a lost beam (``station.beam_suspender()``).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field, fields

from bluesky.suspenders import SuspendFloor
from ophyd import Component as Cpt
from ophyd import Device, EpicsSignal, EpicsSignalRO, Kind
from ophyd import DynamicDeviceComponent as DDCpt
from ophyd import FormattedComponent as FCpt
from ophyd.scaler import ScalerCH, ScalerChannel
from ophyd.status import Status

from ..errors import BadRequest
from .flyscan import FlySweep, HardFlySweep, SoftFlySweep, connect_fly
from .instrument import COMPLETION_TIMEOUT_S, Setpoint, destroy_instrument, last_error_signal
from .motor_record import Motor

SOFT_CHANNELS = {"i0": "I0", "tey": "TEY", "fy": "FY"}  # role -> scaler channel name (.NMn)
HARD_CHANNELS = {"i0": "I0", "it": "It", "iref": "Iref"}


@dataclass(frozen=True)
class EndstationPVs:
    """Where an endstation's records are: PV names appended to the endstation's prefix
    (``<prefix>SXR:`` / ``<prefix>HXR:``; give that prefix as "" in ``[beamline.prefixes]``
    to write full PV names here). Defaults: the simulator's."""

    mono: str = "Mono"  # motor record of the photon energy (eV)
    holder: str = "Holder"  # motor record of the sample holder (slot numbers)
    holder_sample: str = "Holder:Sample"  # stringin: the name of the sample in the beam
    scaler: str = "Scaler"  # scaler record of the counters
    beam_current: str = "BeamCurrent"  # ai: ring current (mA)
    last_error: str = "LastError"  # char waveform: why a put was refused ("" if none)
    fly: str = "Fly:"  # prefix of the fly-scan records ("": none, X-ray plans step)
    channels: dict[str, str] = field(default_factory=dict)  # role -> scaler channel name

    @classmethod
    def from_config(cls, kind: str, raw: dict | None = None) -> EndstationPVs:
        """The mapping of a ``[beamline.soft_xray]`` / ``[beamline.hard_xray]`` table;
        unknown keys or channel roles are refused, naming what is allowed."""
        defaults = dict(SOFT_CHANNELS if kind == "soft" else HARD_CHANNELS)
        raw = dict(raw or {})
        known = {f.name for f in fields(cls)}
        unknown = set(raw) - known
        if unknown:
            raise BadRequest(f"unknown keys {sorted(unknown)} in the {kind} X-ray endstation's "
                             f"PVs; known: {sorted(known)}")  # fmt: skip
        channels = dict(raw.pop("channels", {}) or {})
        if set(channels) - set(defaults):
            raise BadRequest(
                f"unknown scaler channel roles {sorted(set(channels) - set(defaults))} of the "
                f"{kind} X-ray endstation; known: {sorted(defaults)}"
            )
        for key, value in raw.items():
            if not isinstance(value, str):
                raise BadRequest(f"{kind} X-ray PV {key} must be a string, got {value!r}")
        return cls(**raw, channels={**defaults, **channels})


class Monochromator(Motor):
    """Photon energy (eV), a motor record: a positioner (``set``, ``position``, ``limits``)
    for ``bp.scan``, read as ``<name>`` (the readback) with every point."""

    range_name = "the monochromator's range"


class _Channel(ScalerChannel):
    """A scaler channel named by :meth:`_Counters.select` after connecting (ophyd's reads
    ``.NMn`` at construction, which fails if the IOC is not up yet).

    Its counts, preset and gate are made when first used: an endstation reads three or four
    of the 32 channels, and the other 90-odd signals per scaler cost every session's
    start-up their Channel Access searches and metadata reads."""

    lazy_wait_for_connection = False  # made when first used; waits when first read, not before
    s = FCpt(EpicsSignalRO, "{self.prefix}.S{self._ch_num}", kind=Kind.hinted,
             auto_monitor=False, lazy=True)  # fmt: skip
    preset = FCpt(EpicsSignal, "{self.prefix}.PR{self._ch_num}", kind=Kind.config, lazy=True)
    gate = FCpt(EpicsSignal, "{self.prefix}.G{self._ch_num}", string=True, kind=Kind.config,
                lazy=True)  # fmt: skip

    def match_name(self) -> None:
        pass


def _channels(n: int) -> OrderedDict:
    return OrderedDict(
        (f"chan{k:02d}", (_Channel, "", {"ch_num": k, "kind": Kind.normal}))
        for k in range(1, n + 1)
    )


class _Counters(ScalerCH):
    """A scaler record: ``trigger`` counts for ``dwell`` (the preset time .TP, s); the
    channels of :meth:`select` are read as ``<name>_<role>`` (counts), with the ring
    current (``<name>_beam_current``, mA)."""

    channels = DDCpt(_channels(32))
    count = Cpt(Setpoint, ".CNT", kind="omitted")
    preset_time = Cpt(Setpoint, ".TP", kind="config")
    count_mode = Cpt(EpicsSignal, ".CONT", string=True, kind="omitted")
    time = Cpt(EpicsSignalRO, ".T", kind="omitted")
    beam_current = FCpt(EpicsSignalRO, "{self._beam_current_pv}", kind="normal")  # mA

    def __init__(self, prefix: str, *, beam_current_pv: str, last_error_pv: str = "",
                 **kwargs):  # fmt: skip
        self._beam_current_pv = beam_current_pv
        super().__init__(prefix, **kwargs)
        self.last_error = last_error_signal(last_error_pv, self.name)

    @property
    def dwell(self) -> Setpoint:
        """Counting time per point (s): the scaler's preset time."""
        return self.preset_time

    def select(self, roles: dict[str, str], timeout: float = 10.0) -> None:
        """Read the channel names (.NMn) and read channel ``roles[role]`` as
        ``<name>_<role>``; a name the scaler does not have is refused, listing its names.
        The selected channels' signals are connected within timeout (s)."""
        by_name = {}
        for attr in self.channels.component_names:
            channel = getattr(self.channels, attr)
            by_name.setdefault(channel.chname.get(), attr)
        missing = {role: n for role, n in roles.items() if n not in by_name}
        if missing:
            named = sorted(n for n in by_name if n)
            raise BadRequest(f"scaler {self.prefix} has no channel named "
                             f"{sorted(missing.values())}; its channels: {named}")  # fmt: skip
        attrs = []
        for role, channel_name in roles.items():
            attr = by_name[channel_name]
            channel = getattr(self.channels, attr)
            channel.s.name = f"{self.name}_{role}"
            channel.s.kind = Kind.hinted
            for signal in (channel.s, channel.preset, channel.gate):  # made now (lazy):
                signal.wait_for_connection(timeout=timeout)  # connected before any run
            attrs.append(attr)
        self.channels.kind = Kind.normal
        self.channels.read_attrs = attrs
        self.channels.configuration_attrs = attrs

    def trigger(self) -> Status:
        """Count for the preset time (instrument seconds, so at most that in wall time);
        a refusal fails it once published (Setpoint), not a slow IOC."""
        dwell = float(self.preset_time.get())
        return self.count.set(1, timeout=dwell + COMPLETION_TIMEOUT_S)  # a busy IOC is late


class SoftXrayCounters(_Counters):
    """Scaler: I0, total electron yield (surface) and fluorescence yield (bulk), counts."""


class HardXrayCounters(_Counters):
    """Scaler: ion chambers I0, It (after the sample) and Iref (after the reference foil)."""


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
        return self.acquire.set(1, timeout=exposure + COMPLETION_TIMEOUT_S)


class HolderMotor(Motor):
    """The sample holder's position (0 the in situ cell, 1.. slots), a motor record."""

    range_name = "the holder's positions"


class SampleHolder(Device):
    """Which electrode is in the beam: ``slot`` (a motor record; 0 the in situ cell) and
    ``sample``, the name of what is in the beam (read with every point)."""

    slot = FCpt(HolderMotor, "{self._motor_pv}", kind="normal")
    sample = FCpt(EpicsSignalRO, "{self._sample_pv}", string=True, kind="normal")

    def __init__(self, prefix: str = "", *, motor_pv: str, sample_pv: str,
                 last_error_pv: str = "", **kwargs):  # fmt: skip
        self._motor_pv, self._sample_pv = motor_pv, sample_pv
        super().__init__(prefix, **kwargs)
        self.last_error = last_error_signal(last_error_pv, self.name)


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


class _Station:
    """What both endstations do: suspend for a lost beam, connect, name the channels."""

    @property
    def name(self) -> str:
        """The endstation's name ("sxr", "hxr"): the prefix of its data keys."""
        return self.counters.name

    def beam_suspender(self) -> SuspendFloor:
        return self.beam.suspender(self.counters.beam_current)

    def connect(self, timeout: float) -> None:
        """Wait for every device, then find the counters' channels by name (TimeoutError
        if a device does not answer; BadRequest if the scaler lacks a channel)."""
        for device in self.devices():
            device.wait_for_connection(timeout=timeout)
        self.counters.select(self.pvs.channels, timeout)
        if self.fly is not None:  # fly scans where the endstation has them
            self.fly = connect_fly(self.fly)

    def destroy(self) -> None:
        """Release every device's Channel Access callbacks (the endstation is unusable
        afterwards)."""
        for device in [*self.devices(), self.fly]:
            if device is not None:
                destroy_instrument(device)


def _parts(prefix: str, pvs: EndstationPVs, name: str, counters_cls):
    error = f"{prefix}{pvs.last_error}" if pvs.last_error else ""
    mono = Monochromator(f"{prefix}{pvs.mono}", name=f"{name}_energy", last_error_pv=error)
    counters = counters_cls(f"{prefix}{pvs.scaler}", name=name, last_error_pv=error,
                            beam_current_pv=f"{prefix}{pvs.beam_current}")  # fmt: skip
    holder = SampleHolder(
        motor_pv=f"{prefix}{pvs.holder}", sample_pv=f"{prefix}{pvs.holder_sample}",
        name=f"{name}_holder", last_error_pv=error,
    )  # fmt: skip
    return mono, counters, holder


def _fly(prefix: str, pvs: EndstationPVs, name: str, cls) -> FlySweep | None:
    if not pvs.fly:
        return None
    error = f"{prefix}{pvs.last_error}" if pvs.last_error else ""
    return cls(f"{prefix}{pvs.fly}", name=f"{name}_fly", last_error_pv=error)


@dataclass
class SoftXrayEndstation(_Station):
    mono: Monochromator
    counters: SoftXrayCounters
    rixs: RixsSpectrograph
    holder: SampleHolder
    beam: BeamPolicy = field(default_factory=BeamPolicy)
    pvs: EndstationPVs = field(default_factory=lambda: EndstationPVs.from_config("soft"))
    fly: FlySweep | None = None  # fly scans (None: step scans only)

    @classmethod
    def at(cls, prefix: str, pvs: EndstationPVs | None = None) -> SoftXrayEndstation:
        """The endstation whose records are ``pvs`` (None: the simulator's) under prefix."""
        pvs = pvs or EndstationPVs.from_config("soft")
        mono, counters, holder = _parts(prefix, pvs, "sxr", SoftXrayCounters)
        fly = _fly(prefix, pvs, "sxr", SoftFlySweep)
        return cls(mono, counters, RixsSpectrograph(prefix, name="rixs"), holder, pvs=pvs,
                   fly=fly)  # fmt: skip

    def devices(self) -> list[Device]:
        return [self.mono, self.counters, self.rixs, self.holder]


@dataclass
class HardXrayEndstation(_Station):
    mono: Monochromator
    counters: HardXrayCounters
    holder: SampleHolder
    beam: BeamPolicy = field(default_factory=BeamPolicy)
    pvs: EndstationPVs = field(default_factory=lambda: EndstationPVs.from_config("hard"))
    fly: FlySweep | None = None  # fly scans (None: step scans only)

    @classmethod
    def at(cls, prefix: str, pvs: EndstationPVs | None = None) -> HardXrayEndstation:
        """The endstation whose records are ``pvs`` (None: the simulator's) under prefix."""
        pvs = pvs or EndstationPVs.from_config("hard")
        mono, counters, holder = _parts(prefix, pvs, "hxr", HardXrayCounters)
        return cls(mono, counters, holder, pvs=pvs, fly=_fly(prefix, pvs, "hxr", HardFlySweep))

    def devices(self) -> list[Device]:
        return [self.mono, self.counters, self.holder]
