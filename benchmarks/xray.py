"""X-ray throughput: the project's ``xas_scan`` as a fly scan and as a step scan, against a
bare Channel Access loop of step points.

The plan scans the Ru K edge (XANES and EXAFS) of the Ru metal reference on the hard X-ray
endstation of the simulated beamline, with the session's RunEngine and subscribers: as a fly
scan (the monochromator sweeps the edge's grid while the counters buffer; the rows are read
in pages), then as a step scan (move, count, read at every point). The baseline does by hand
what each point of the step scan does on the same PVs, with caproto's threading client and
nothing else: put the dwell when it changes, put the energy and wait for completion, count
(put Acquire, wait), and read the counters (I0, It, Iref, beam current), the energy readback
and setpoint, and the holder's slot and sample name.

A sweep takes its instrument time (about 8 min for this grid): at the benchmark's time scale
(1e6) that is under a millisecond, so the fly figure is the software's cost per point; at a
beamline the dwell times bound both.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from .common import Row

EDGE = "ru-k"
SLOT = 17  # the Ru metal foil reference (operando.instruments.RU_REFERENCES)


@dataclass
class XrayResult:
    points: int
    plan_points_per_s: float  # fly scan
    step_points_per_s: float  # step scan, same plan and grid
    bare_points_per_s: float  # bare Channel Access loop of step points

    @property
    def ratio(self) -> float:
        """Fly scan against the bare Channel Access step loop."""
        return self.plan_points_per_s / self.bare_points_per_s

    @property
    def fly_vs_step(self) -> float:
        return self.plan_points_per_s / self.step_points_per_s

    @property
    def step_ratio(self) -> float:
        return self.step_points_per_s / self.bare_points_per_s


def _plan_rate(session, dwell_s: float, repeats: int, scan: str) -> tuple[int, float]:
    from operando.plans import xas_scan

    counted = {"n": 0}

    def count(name, doc):
        if name == "event":
            counted["n"] += 1
        elif name == "event_page":
            counted["n"] += len(doc["seq_num"])

    token = session.RE.subscribe(count)
    t0 = time.perf_counter()
    try:
        for _ in range(repeats):
            session.RE(xas_scan(session.hard_xray, EDGE, SLOT, dwell_s=dwell_s, scan=scan))
    finally:
        session.RE.unsubscribe(token)
    return counted["n"], time.perf_counter() - t0


def _bare_rate(station, dwell_s: float, repeats: int) -> tuple[int, float]:
    from caproto.threading.client import Context

    from operando.edges import edge_named

    energies, dwells = edge_named(EDGE).grid(dwell_s)
    c, mono, holder = station.counters, station.mono, station.holder
    channels = [getattr(c.channels, a).pvname for a in c.channels.read_attrs if a.endswith(".s")]
    read_names = [*channels, c.beam_current.pvname, mono.user_readback.pvname,
                  mono.user_setpoint.pvname, holder.slot.user_readback.pvname,
                  holder.sample.pvname]  # fmt: skip
    ctx = Context()
    try:
        dwell_pv, energy_pv, acquire_pv, slot_pv, *read_pvs = ctx.get_pvs(
            c.preset_time.pvname, mono.user_setpoint.pvname, c.count.pvname,
            holder.slot.user_setpoint.pvname, *read_names, timeout=10.0,
        )  # fmt: skip
        for pv in (dwell_pv, energy_pv, acquire_pv, slot_pv, *read_pvs):
            pv.wait_for_connection(timeout=10.0)
        n = 0
        t0 = time.perf_counter()
        for _ in range(repeats):
            slot_pv.write([SLOT], wait=True, timeout=30.0)
            dwell_now = None
            for energy, dwell in zip(energies, dwells, strict=True):
                if dwell != dwell_now:
                    dwell_pv.write([float(dwell)], wait=True, timeout=30.0)
                    dwell_now = dwell
                energy_pv.write([float(energy)], wait=True, timeout=30.0)
                acquire_pv.write([1], wait=True, timeout=30.0 + float(dwell))
                for pv in read_pvs:
                    pv.read(timeout=10.0)
                n += 1
        return n, time.perf_counter() - t0
    finally:
        ctx.disconnect()


def run(session, dwell_s: float, repeats: int) -> XrayResult:
    """Fly scans, step scans, then the bare loop, each scanning the edge `repeats` times."""
    n_fly, t_fly = _plan_rate(session, dwell_s, repeats, "fly")
    n_step, t_step = _plan_rate(session, dwell_s, repeats, "step")
    n_bare, t_bare = _bare_rate(session.hard_xray, dwell_s, repeats)
    return XrayResult(n_fly, n_fly / t_fly, n_step / t_step, n_bare / t_bare)


def rows(r: XrayResult) -> list[Row]:
    return [
        Row(f"X-ray fly scan ({EDGE}, {r.points} pts)", r.plan_points_per_s, "points/s",
            r.step_points_per_s, "points/s step scan", r.fly_vs_step, "fly >> step"),
        Row(f"X-ray step scan ({EDGE})", r.step_points_per_s, "points/s",
            r.bare_points_per_s, "points/s bare CA loop", r.step_ratio, "(comparison)"),
    ]  # fmt: skip
