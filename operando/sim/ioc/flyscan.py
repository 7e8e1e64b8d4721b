"""Fly scans of a simulated X-ray endstation: ``P SXR:Fly:`` and ``P HXR:Fly:``.

The monochromator sweeps continuously while the counters integrate, point after point, into
a buffer read out in pages (as the potentiostat's ``Buf:``):

- a uniform sweep: ``EStart``, ``EStop`` (eV), ``Points`` and ``Dwell`` (s per point) or
  ``Speed`` (eV/s; putting one recomputes the other), with ``Mode`` "Uniform";
- a trajectory (``Mode`` "Trajectory"): ``TrajE`` (eV) and ``TrajDwell`` (s), ``TrajN``
  points of them, e.g. an edge's grid (coarse, fine, constant steps of k);
- ``Start`` put 1: clears the buffer and starts the sweep (the put completes once it is
  under way; ``Busy`` 1, ``Seq`` + 1); ``Busy`` 0 and ``DoneSeq`` = ``Seq`` when the last
  point is counted; ``Stop`` put 1 ends it early. Meanwhile ``Mono`` and ``Holder`` refuse
  moves and ``Mono.RBV`` follows the sweep.
- ``Buf:`` Count, T0, Start, N, Clear and the page columns TS (instrument time at the end of each
  point's dwell, s), Energy (eV), I0 and the station's counters (TEY, FY or It, Iref;
  counts), Beam (ring current, mA).

The sweep runs in instrument time (the simulator's time scale); at the in situ position the
cell goes on meanwhile. NaN, infinity, energies outside the monochromator's range, a zero
speed or dwell, a speed above the monochromator's top speed and a start while sweeping are
refused with the reason in the endstation's ``LastError``.
"""

from __future__ import annotations

import asyncio

import numpy as np
from caproto import ChannelType
from caproto.server import PVGroup, SubGroup, pvproperty

from ..models.flyscan import (
    MAX_FLY_DWELL_S,
    MAX_FLY_POINTS,
    Sweep,
    SweepBuffer,
    SweepError,
    approach_s,
    check_trajectory,
    uniform,
)
from ..models.potentiostat import ComplianceError
from .base import ADVANCE_BUDGET_S, TICK_S, page_array, publish_page
from .records import refuse_non_finite

MODES = ("Uniform", "Trajectory")


def _energy(name: str, value: float, doc: str):
    prop = pvproperty(name=name, value=value, units="eV", precision=3, doc=doc)

    @prop.putter
    async def prop(group, instance, value):
        async with group.parent.refusals(instance):
            refuse_non_finite(instance.pvname, value)
            _check_range(group.parent.model.mono, float(value))
        await group.derive(**{instance.pvspec.attr: float(value)})
        return value

    return prop


def _buffer_group(names: tuple[str, ...]) -> type[PVGroup]:
    body: dict = {
        "__doc__": f"The sweep's rows, read in pages: TS, Energy, I0, {', '.join(names)}, Beam.",
        "count": pvproperty(name="Count", value=0, read_only=True, doc="points counted"),
        "t0": pvproperty(
            name="T0",
            value=0.0,
            read_only=True,
            units="s",
            doc="instrument time of the sweep's start",
        ),  # fmt: skip
        "n": pvproperty(name="N", value=0, read_only=True, doc="valid points in the page"),
        "ts": page_array("TS", "s", "instrument time at the end of each dwell"),
        "energy": page_array("Energy", "eV", "monochromator energy of each point"),
        "i0": page_array("I0", "counts"),
        "beam": page_array("Beam", "mA", "ring current"),
        "start": pvproperty(name="Start", value=0, doc="index of the first point of the page"),
    }
    for name in names:
        body[name.lower()] = page_array(name, "counts")

    async def start_put(self, instance, value):
        async with self.parent.parent.refusals(instance):
            await publish_page(self, self.parent.buffer_model, value)
        return value

    async def clear_put(self, instance, value):
        if value:
            fly = self.parent
            async with fly.parent.refusals(instance):
                if fly.busy.value:
                    raise ComplianceError("the buffer is cleared when a sweep starts, not in one")
            fly.buffer_model.clear(fly.parent.world.clock.now())
            await self.count.write(0)
            await self.t0.write(fly.buffer_model.t0)
        return 0

    body["clear"] = pvproperty(name="Clear", value=0, doc="put 1: empty the buffer")
    body["start"] = body["start"].putter(start_put)
    body["clear"] = body["clear"].putter(clear_put)
    return type("FlyBufferGroup", (PVGroup,), body)


def fly_group(names: tuple[str, ...]) -> type[PVGroup]:
    """The ``Fly:`` PVs of an endstation whose counters (after I0) are ``names``."""

    class FlyGroup(PVGroup):
        """A uniform sweep or a trajectory of the monochromator, counted into ``Buf:``."""

        mode = pvproperty(name="Mode", value="Uniform", enum_strings=MODES,
                          dtype=ChannelType.ENUM, doc="Uniform or Trajectory")  # fmt: skip
        e_start = _energy("EStart", 0.0, "first energy of a uniform sweep")
        e_stop = _energy("EStop", 0.0, "last energy of a uniform sweep")
        points = pvproperty(name="Points", value=101, doc="points of a uniform sweep")
        dwell = pvproperty(name="Dwell", value=1.0, units="s", precision=4,
                           doc="counting time per point of a uniform sweep")  # fmt: skip
        speed = pvproperty(name="Speed", value=0.0, units="eV/s", precision=4,
                           doc="sweep speed of a uniform sweep")  # fmt: skip
        traj_e = pvproperty(name="TrajE", value=[0.0] * MAX_FLY_POINTS,
                            max_length=MAX_FLY_POINTS, units="eV",
                            doc="energies of a trajectory")  # fmt: skip
        traj_dwell = pvproperty(name="TrajDwell", value=[1.0] * MAX_FLY_POINTS,
                                max_length=MAX_FLY_POINTS, units="s",
                                doc="counting time of each trajectory point")  # fmt: skip
        traj_n = pvproperty(name="TrajN", value=0, doc="points of the trajectory")
        start = pvproperty(name="Start", value=0, doc="put 1: start the sweep")
        stop = pvproperty(name="Stop", value=0, doc="put 1: end the sweep now")
        busy = pvproperty(name="Busy", value=0, read_only=True, doc="1 while sweeping")
        seq = pvproperty(name="Seq", value=0, read_only=True, doc="sweeps started")
        done_seq = pvproperty(name="DoneSeq", value=0, read_only=True, doc="last sweep ended")
        buffer = SubGroup(_buffer_group(names), prefix="Buf:")

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.columns = ("energy", "i0", *(n.lower() for n in names), "beam")
            self.buffer_model = SweepBuffer(self.columns, 0.0)
            self._task: asyncio.Task | None = None

        async def derive(self, **new: float) -> None:
            """Keep Speed = step / Dwell of the uniform sweep; ``new`` holds the value just
            put (e_start, e_stop, points, dwell or speed): a put Speed sets Dwell, any other
            put sets Speed."""
            now = {k: float(new.get(k, getattr(self, k).value))
                   for k in ("e_start", "e_stop", "points", "dwell", "speed")}  # fmt: skip
            step = abs(now["e_stop"] - now["e_start"]) / (max(now["points"], 2) - 1)
            if "speed" in new:
                if step > 0:
                    await self.dwell.write(step / now["speed"], verify_value=False)
            else:
                await self.speed.write(step / now["dwell"], verify_value=False)

        @points.putter
        async def points(self, instance, value):
            async with self.parent.refusals(instance):
                if not 2 <= value <= MAX_FLY_POINTS:
                    raise ComplianceError(f"a sweep has 2 to {MAX_FLY_POINTS} points, got {value}")
            await self.derive(points=value)
            return value

        @dwell.putter
        async def dwell(self, instance, value):
            async with self.parent.refusals(instance):
                refuse_non_finite(instance.pvname, value)
                if not 0 < value <= MAX_FLY_DWELL_S:
                    raise ComplianceError(
                        f"{instance.pvname}: dwell {value} s outside (0, {MAX_FLY_DWELL_S:g}] s"
                    )
            await self.derive(dwell=value)
            return value

        @speed.putter
        async def speed(self, instance, value):
            top = self.parent.model.mono.speed_eV_s
            async with self.parent.refusals(instance):
                refuse_non_finite(instance.pvname, value)
                if not 0 < value <= top:
                    raise ComplianceError(
                        f"{instance.pvname}: speed {value} eV/s outside (0, {top:g}] eV/s"
                    )
            await self.derive(speed=value)
            return value

        @traj_e.putter
        async def traj_e(self, instance, value):
            async with self.parent.refusals(instance):
                _refuse_non_finite_array(instance.pvname, value)
            return value

        @traj_dwell.putter
        async def traj_dwell(self, instance, value):
            async with self.parent.refusals(instance):
                _refuse_non_finite_array(instance.pvname, value)
                if not (np.asarray(value, float) > 0).all():
                    raise ComplianceError(f"{instance.pvname}: dwells must be positive (s)")
            return value

        @traj_n.putter
        async def traj_n(self, instance, value):
            async with self.parent.refusals(instance):
                if not 0 <= value <= MAX_FLY_POINTS:
                    raise ComplianceError(f"{instance.pvname}: 0 to {MAX_FLY_POINTS}, got {value}")
            return value

        def trajectory(self) -> tuple[np.ndarray, np.ndarray]:
            mono = self.parent.model.mono
            if self.mode.value == "Trajectory":
                n = int(self.traj_n.value)
                e = np.asarray(self.traj_e.value, float)[:n]
                d = np.asarray(self.traj_dwell.value, float)[:n]
            else:
                e, d = uniform(float(self.e_start.value), float(self.e_stop.value),
                               int(self.points.value), float(self.dwell.value))  # fmt: skip
            check_trajectory(e, d, mono.low_eV, mono.high_eV, mono.speed_eV_s)
            return e, d

        @start.putter
        async def start(self, instance, value):
            if not value:
                return 0
            station = self.parent
            model = station.model
            async with station.refusals(instance):
                if self._task is not None and not self._task.done():
                    raise ComplianceError("a sweep is under way; put Stop 1 first")
                try:
                    e, d = self.trajectory()
                    model.sample()  # NoSample at an empty slot
                    move = approach_s(model.mono.energy_eV, float(e[0]), model.mono.speed_eV_s)
                except (SweepError, LookupError) as exc:
                    raise ComplianceError(str(exc)) from None
            world = station.world
            now = world.clock.now()
            sweep = Sweep(e, d, now + move)
            self.buffer_model.clear(now)
            await self.buffer.count.write(0)
            await self.buffer.t0.write(now)
            model.mono.sweeping = True
            await self.busy.write(1)
            await self.seq.write(self.seq.value + 1)
            self._task = asyncio.ensure_future(self._run(sweep))
            return 0

        @stop.putter
        async def stop(self, instance, value):
            if value and self._task is not None and not self._task.done():
                self._task.cancel()
                try:
                    await self._task
                except asyncio.CancelledError:
                    pass
                await self._finish()
            return 0

        async def _run(self, sweep: Sweep) -> None:
            station = self.parent
            world, model = station.world, station.model
            mono_rbv = station.mono_motor.mono.field_inst.user_readback_value
            failure = None
            try:
                while not sweep.finished:
                    wait = sweep.wall_until_next(world.clock.now(), world.clock.time_scale)
                    await asyncio.sleep(min(max(wait, 1e-3), TICK_S))
                    if model.position == 0:  # in situ: the cell has moved on meanwhile
                        world.advance(budget_s=ADVANCE_BUDGET_S)
                    due = sweep.due(world.clock.now())
                    if due.stop <= due.start:
                        continue
                    counts = model.count_many(sweep.energies[due], sweep.dwells[due])
                    rows = {"ts": sweep.ends[due], "energy": sweep.energies[due],
                            "beam": np.full(due.stop - due.start, model.beam_current_mA),
                            **counts}  # fmt: skip
                    self.buffer_model.extend(rows)
                    sweep.done = due.stop
                    model.mono.energy_eV = float(sweep.energies[due.stop - 1])
                    await mono_rbv.write(model.mono.energy_eV)
                    await self.buffer.count.write(len(self.buffer_model))
            except asyncio.CancelledError:
                raise  # Stop finishes the sweep
            except Exception as exc:  # noqa: BLE001 - the sweep ends, saying why
                failure = exc
            if failure is not None:
                await station.last_error.write(f"the sweep ended early: {failure}"[:255])
            await self._finish()

        async def _finish(self) -> None:
            station = self.parent
            mono = station.model.mono
            mono.sweeping = False
            motor = station.mono_motor.mono
            await motor.write(mono.energy_eV, verify_value=False)
            await motor.field_inst.user_readback_value.write(mono.energy_eV)
            await self.buffer.count.write(len(self.buffer_model))
            await self.busy.write(0)
            await self.done_seq.write(self.seq.value)

    return FlyGroup


def _refuse_non_finite_array(pvname: str, value) -> None:
    values = np.asarray(value, float)
    bad = values[~np.isfinite(values)]
    if bad.size:
        raise ComplianceError(f"{pvname}: {bad[0]} is not a finite number")


def _check_range(mono, energy: float) -> None:
    if not mono.low_eV <= energy <= mono.high_eV:
        raise ComplianceError(
            f"energy {energy:g} eV outside the monochromator's range "
            f"[{mono.low_eV:g}, {mono.high_eV:g}] eV"
        )
