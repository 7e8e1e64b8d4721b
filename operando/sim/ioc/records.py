"""Standard EPICS records of a simulated X-ray endstation: motor records for the
monochromator energy and the sample holder, and a scaler record for the counters.

``P SXR:Mono``, ``P HXR:Mono`` (eV) and ``P SXR:Holder``, ``P HXR:Holder`` (position) are
motor records (VAL, RBV, DMOV, MOVN, STOP, VELO, HLM, LLM, EGU, DESC, ...): a put to VAL
moves the endstation's model, DMOV 0 / MOVN 1 until the move is done, then RBV and DMOV 1.
``P SXR:Scaler``, ``P HXR:Scaler`` are scaler records: put 1 to ``.CNT`` counts for ``.TP``
seconds (the put completes when counting is done, ``.CNT`` back to 0); ``.S1`` is the clock
(``.FREQ`` ticks per s), ``.S2``... the counters named in ``.NM2``... (I0, TEY, FY or I0,
It, Iref); all 32 channels' ``.S``/``.NM``/``.PR``/``.G`` fields are served, as ophyd's
``ScalerCH`` connects to them. What ``EpicsMotor`` and ``ScalerCH`` talk to on a beamline.

Refusals follow the instrument contract: a VAL outside HLM/LLM, a holder position that is
not a slot, a preset time outside (0, 3600] s, and NaN or infinity in any numeric field are
refused (ECA_PUTFAIL) with the reason in the endstation's ``LastError``.
"""

from __future__ import annotations

import copy
import math

from caproto import ChannelType
from caproto.server import PVGroup, pvproperty
from caproto.server.records import MotorFields
from caproto.server.server import PvpropertyDouble

from ...instruments import pv_string
from ..models.endstation import NoSample
from ..models.potentiostat import ComplianceError

CLOCK_HZ = 1e7  # the scaler's reference clock
SCALER_CHANNELS = 32  # fields S1..S32, NM1..NM32, PR1..PR32, G1..G32 of a scaler record
MAX_PRESET_S = 3600.0
HOLDER_MOVE_S = 2.0  # instrument seconds the sample holder takes to change position
FLOAT_FIELDS = (PvpropertyDouble, ChannelType.DOUBLE, ChannelType.FLOAT, float)


def _scalar(value):
    if isinstance(value, (list, tuple)) and len(value) == 1:
        return value[0]
    return value


def refuse_non_finite(pvname: str, value) -> None:
    """Raise ComplianceError (the contract's refusal) unless value is a finite number."""
    value = _scalar(value)
    if not (isinstance(value, (int, float)) and math.isfinite(value)):
        raise ComplianceError(f"{pvname}: {value} is not a finite number")


def _finite_field_putter(original):
    """A field putter that refuses non-finite values (LastError), then does what the
    field did before (``original``, caproto's own putter, or nothing)."""

    async def put(fields, instance, value):
        record = fields.parent
        station = record.group.parent
        async with station.refusals(instance):
            refuse_non_finite(instance.pvname, value)
        if instance.pvspec.name in ("HLM", "LLM"):  # VAL's control limits follow them
            key = "upper_ctrl_limit" if instance.pvspec.name == "HLM" else "lower_ctrl_limit"
            await record.write_metadata(**{key: float(_scalar(value))})
        if original is not None:
            return await original(fields, instance, value)
        return value

    return put


def _finite_motor_fields() -> type:
    """caproto's motor record fields, with every writable float field refusing NaN/inf."""
    body = {}
    for attr, prop in MotorFields._pvs_.items():
        spec = prop.pvspec
        if spec.read_only or spec.dtype not in FLOAT_FIELDS:
            continue
        new = copy.copy(prop)
        new.pvspec = spec._replace(put=_finite_field_putter(spec.put))
        body[attr] = new
    return type("FiniteMotorFields", (MotorFields,), body)


FiniteMotorFields = _finite_motor_fields()


class MotorValue(PvpropertyDouble):
    """VAL of a simulated motor record: NaN/inf and targets outside LLM..HLM are refused
    (LastError) before the putter moves anything."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reported_record_type = "motor"  # caproto would report the fields class

    async def verify_value(self, value):
        station = self.group.parent
        f = self.field_inst
        async with station.refusals(self):
            refuse_non_finite(self.pvname, value)
            target = float(_scalar(value))
            low, high = f.user_low_limit.value, f.user_high_limit.value
            if not low <= target <= high:
                raise ComplianceError(
                    f"{self.pvname}: {target:g} outside the limits [{low:g}, {high:g}]"
                )
        return await super().verify_value(value)


def motor(name: str, value: float, precision: int, units: str, doc: str):
    return pvproperty(name=name, value=value, record=FiniteMotorFields, dtype=MotorValue,
                      precision=precision, units=units, doc=doc)  # fmt: skip


async def _init_motor(instance, low: float, high: float, egu: str, desc: str, velo: float,
                      position: float):  # fmt: skip
    f = instance.field_inst
    # VAL's control limits are the user limits, as a motor record publishes them.
    await instance.write_metadata(lower_ctrl_limit=low, upper_ctrl_limit=high)
    await f.user_low_limit.write(low)
    await f.user_high_limit.write(high)
    await f.engineering_units.write(egu)
    await f.description.write(desc)
    await f.velocity.write(velo)
    await f.done_moving_to_value.write(1)
    await f.motor_is_moving.write(0)
    await instance.write(position, verify_value=False)
    await f.user_readback_value.write(position)


async def _move(station, instance, value: float, check, apply, move_s: float) -> float:
    """Refuse what the model refuses (LastError), else move: DMOV 0 / MOVN 1, wait, RBV."""
    f = instance.field_inst
    async with station.refusals(instance):
        try:
            check(value)
        except ValueError as exc:
            raise ComplianceError(str(exc)) from None
    await f.done_moving_to_value.write(0)
    await f.motor_is_moving.write(1)
    apply(value)
    await station.wait_instrument(move_s)
    await f.user_readback_value.write(value)
    await f.motor_is_moving.write(0)
    await f.done_moving_to_value.write(1)
    return value


class MonoMotor(PVGroup):
    """The monochromator energy as a motor record (eV)."""

    mono = motor("Mono", 0.0, 3, "eV", "monochromator energy")

    @mono.startup
    async def mono(self, instance, async_lib):
        m = self.parent.model.mono
        await _init_motor(instance, m.low_eV, m.high_eV, "eV", "monochromator energy",
                          m.speed_eV_s, m.energy_eV)  # fmt: skip

    @mono.putter
    async def mono(self, instance, value):
        station = self.parent
        m = station.model.mono

        def apply(v):
            m.energy_eV = float(v)

        return await _move(station, instance, float(value), m.check, apply, m.move_time_s(value))


class HolderMotor(PVGroup):
    """The sample holder as a motor record (position: 0 in situ cell, 1.. slots)."""

    holder = motor("Holder", 1.0, 0, "pos", "sample holder position (0 in situ cell, 1.. slots)")

    @holder.startup
    async def holder(self, instance, async_lib):
        model = self.parent.model
        top = 19 if model.kind == "hard" else 16
        await _init_motor(instance, 0.0, float(top), "pos", "sample holder", 1.0,
                          float(model.position))  # fmt: skip
        await self.parent.holder_sample.write(pv_string(model.sample_name()))

    @holder.putter
    async def holder(self, instance, value):
        station = self.parent
        model = station.model

        def check(v):
            if v != int(v):
                raise ValueError(f"holder position {v:g} is not a whole slot")
            model.check_position(int(v))

        def apply(v):
            model.position = int(v)

        moved = await _move(station, instance, float(value), check, apply, HOLDER_MOVE_S)
        await station.holder_sample.write(pv_string(model.sample_name()))
        return moved


def _finite_setting(name: str, value: float, units: str, doc: str, low: float, high: float):
    """A numeric scaler field: NaN/inf and values outside [low, high] refused (LastError,
    naming the field by its doc)."""
    prop = pvproperty(name=name, value=value, units=units, doc=doc)

    @prop.putter
    async def prop(self, instance, value):
        async with self.parent.refusals(instance):
            refuse_non_finite(instance.pvname, value)
            if not low <= value <= high:
                raise ComplianceError(f"{instance.pvname}: {doc} {value} {units} outside "
                                      f"[{low:g}, {high:g}]")  # fmt: skip
        return value

    return prop


def scaler_group(names: tuple[str, ...]) -> type[PVGroup]:
    """A scaler record class with channel 1 the clock and the counters ``names`` after it."""
    body: dict = {
        "record_type": "scaler",
        "__doc__": f"Scaler record: S1 clock, {', '.join(names)}.",
        "cnt": pvproperty(name=".CNT", value=0, doc="put 1: count for TP; 0 when done"),
        "tp": _finite_setting(".TP", 1.0, "s", "preset counting time (dwell)", 1e-6, MAX_PRESET_S),
        "tp1": _finite_setting(".TP1", 1.0, "s", "auto-count time (not served)", 0, 3600),
        "dly": _finite_setting(".DLY", 0.0, "s", "delay before counting", 0.0, 0.0),
        "dly1": _finite_setting(".DLY1", 0.0, "s", "auto-count delay (not served)", 0, 0),
        "rate": _finite_setting(".RATE", 10.0, "Hz", "display update rate", 0.0, 60.0),
        "rat1": _finite_setting(".RAT1", 10.0, "Hz", "auto-count update rate", 0.0, 60.0),
        "t": pvproperty(name=".T", value=0.0, units="s", read_only=True, doc="time counted"),
        "freq": pvproperty(
            name=".FREQ", value=CLOCK_HZ, units="Hz", read_only=True, doc="reference clock of S1"
        ),  # fmt: skip
        "cont": pvproperty(name=".CONT", value="OneShot", enum_strings=("OneShot", "AutoCount"),
                           dtype=ChannelType.ENUM, doc="OneShot (AutoCount is not served)"),
        "egu": pvproperty(name=".EGU", value="s", dtype=ChannelType.STRING, read_only=True),
    }  # fmt: skip
    channel_names = ("clock", *names)
    for n in range(1, SCALER_CHANNELS + 1):
        name = channel_names[n - 1] if n <= len(channel_names) else ""
        body[f"s{n}"] = pvproperty(name=f".S{n}", value=0.0, read_only=True, units="counts",
                                   doc=f"{name or 'unused'} counts")  # fmt: skip
        body[f"nm{n}"] = pvproperty(name=f".NM{n}", value=name, dtype=ChannelType.STRING,
                                    read_only=True, doc=f"name of channel {n}")  # fmt: skip
        body[f"pr{n}"] = _finite_setting(f".PR{n}", 0.0, "counts",
                                         f"preset of channel {n} (gates are not served)",
                                         0.0, 2.0**32)  # fmt: skip
        body[f"g{n}"] = pvproperty(name=f".G{n}", value="N", enum_strings=("N", "Y"),
                                   dtype=ChannelType.ENUM, read_only=True,
                                   doc=f"gate of channel {n}")  # fmt: skip

    async def cont_put(self, instance, value):
        async with self.parent.refusals(instance):
            if value not in ("OneShot", 0):
                raise ComplianceError(f"{instance.pvname}: only OneShot counting is served")
        return value

    async def cnt_put(self, instance, value):
        if not value:
            return 0
        station = self.parent
        tp = float(self.tp.value)
        await station.wait_instrument(tp)
        async with station.refusals(instance):
            try:
                counts = station.model.count(tp)
            except NoSample as exc:
                raise ComplianceError(str(exc)) from None
        await self.s1.write(tp * CLOCK_HZ)
        await self.t.write(tp)
        for n, name in enumerate(names, start=2):
            await getattr(self, f"s{n}").write(counts[name.lower()])
        return 0

    body["cnt"] = body["cnt"].putter(cnt_put)
    body["cont"] = body["cont"].putter(cont_put)
    return type("ScalerRecord", (PVGroup,), body)
