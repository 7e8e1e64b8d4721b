"""Standard EPICS records of a simulated X-ray endstation: motor records for the
monochromator energy and the sample holder, and a scaler record for the counters.

``P SXR:Mono``, ``P HXR:Mono`` (eV) and ``P SXR:Holder``, ``P HXR:Holder`` (position) are
motor records (VAL, RBV, DMOV, MOVN, STOP, VELO, HLM, LLM, EGU, DESC, ...); a put to VAL
moves the same model as ``Mono:Energy`` / ``Holder:Position`` (refused outside HLM/LLM, the
reason in LastError). ``P SXR:Scaler``, ``P HXR:Scaler`` are scaler records: put 1 to
``.CNT`` counts for ``.TP`` seconds; ``.S1`` is the clock (``.FREQ`` ticks per s), ``.S2``...
the counters named in ``.NM2``... (I0, TEY, FY or I0, It, Iref); ``.CNT`` returns to 0 when
done. What ophyd's ``EpicsMotor`` and ``EpicsScaler`` talk to on a real beamline.
"""

from __future__ import annotations

from caproto import ChannelType
from caproto.server import PVGroup, pvproperty

from ..models.endstation import NoSample
from ..models.potentiostat import ComplianceError

CLOCK_HZ = 1e7  # the scaler's reference clock


async def _init_motor(instance, low: float, high: float, egu: str, desc: str, velo: float):
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


async def _move(station, instance, value: float, check, apply, move_s: float) -> float:
    """Refuse outside the limits (LastError), else move: DMOV 0 / MOVN 1, wait, RBV."""
    f = instance.field_inst
    async with station.refusals():
        low, high = f.user_low_limit.value, f.user_high_limit.value
        if not low <= value <= high:
            raise ComplianceError(f"{value:g} outside the limits [{low:g}, {high:g}]")
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

    mono = pvproperty(name="Mono", value=0.0, record="motor", precision=3)

    @mono.startup
    async def mono(self, instance, async_lib):
        m = self.parent.model.mono
        await _init_motor(instance, m.low_eV, m.high_eV, "eV", "monochromator energy",
                          m.speed_eV_s)  # fmt: skip
        await instance.write(m.energy_eV)
        await instance.field_inst.user_readback_value.write(m.energy_eV)

    @mono.putter
    async def mono(self, instance, value):
        station = self.parent
        m = station.model.mono

        def apply(v):
            m.energy_eV = float(v)

        return await _move(station, instance, float(value), m.check, apply, m.move_time_s(value))


class HolderMotor(PVGroup):
    """The sample holder as a motor record (position: 0 in situ cell, 1.. slots)."""

    holder = pvproperty(name="Holder", value=1.0, record="motor", precision=0)

    @holder.startup
    async def holder(self, instance, async_lib):
        model = self.parent.model
        top = 19 if model.kind == "hard" else 16
        await _init_motor(instance, 0.0, float(top), "pos", "sample holder", 1.0)
        await instance.field_inst.user_readback_value.write(float(model.position))

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

        moved = await _move(station, instance, float(value), check, apply, 2.0)
        await station.holder.sample.write(model.sample_name()[:39])
        return moved


def scaler_group(names: tuple[str, ...]) -> type[PVGroup]:
    """A scaler record class with channel 1 the clock and the counters ``names`` after it."""
    body: dict = {
        "record_type": "scaler",
        "__doc__": f"Scaler record: S1 clock, {', '.join(names)}.",
        "cnt": pvproperty(name=".CNT", value=0, doc="put 1: count for TP; 0 when done"),
        "tp": pvproperty(name=".TP", value=1.0, units="s", doc="preset counting time"),
        "t": pvproperty(name=".T", value=0.0, units="s", read_only=True, doc="time counted"),
        "freq": pvproperty(
            name=".FREQ", value=CLOCK_HZ, units="Hz", read_only=True, doc="reference clock of S1"
        ),  # fmt: skip
        "cont": pvproperty(name=".CONT", value=0, doc="0 one-shot (the only mode served)"),
        "s1": pvproperty(
            name=".S1", value=0.0, read_only=True, units="counts", doc="clock ticks"
        ),  # fmt: skip
        "nm1": pvproperty(name=".NM1", value="clock", dtype=ChannelType.STRING, read_only=True),
    }
    for n, name in enumerate(names, start=2):
        body[f"s{n}"] = pvproperty(name=f".S{n}", value=0.0, read_only=True, units="counts",
                                   doc=f"{name} counts")  # fmt: skip
        body[f"nm{n}"] = pvproperty(name=f".NM{n}", value=name, dtype=ChannelType.STRING,
                                    read_only=True, doc=f"name of channel {n}")  # fmt: skip

    async def tp_put(self, instance, value):
        async with self.parent.refusals():
            if not 0 < value <= 3600:
                raise ComplianceError(f"preset time {value} s outside (0, 3600] s")
        return value

    async def cnt_put(self, instance, value):
        if not value:
            return 0
        station = self.parent
        tp = float(self.tp.value)
        await station.wait_instrument(tp)
        async with station.refusals():
            try:
                counts = station.model.count(tp)
            except NoSample as exc:
                raise ComplianceError(str(exc)) from None
        await self.s1.write(tp * CLOCK_HZ)
        await self.t.write(tp)
        for n, name in enumerate(names, start=2):
            await getattr(self, f"s{n}").write(counts[name.lower()])
        return 0

    body["tp"] = body["tp"].putter(tp_put)
    body["cnt"] = body["cnt"].putter(cnt_put)
    return type("ScalerRecord", (PVGroup,), body)
