"""The simulator's CPU per recorded potentiostat point, timed on the models directly.

A :class:`~operando.sim.models.world.World` (the potentiostat with its cell, and the mass
spectrometer sampling the cell's headspace, as the IOC serves them) runs one galvanostatic
cycle of an LNMO electrode (charge to 4.8 V, discharge to 2.0 V at C/10) in instrument time,
with no Channel Access and no clock: process CPU time over the points recorded in the
potentiostat's buffer. The baseline is the wall time per point of the bare RunEngine
(:mod:`benchmarks.acquisition`): their ratio is the share of an acquisition's budget the
simulator takes (it runs in its own process, on the same 2 cores).

The recorded columns are returned too: :mod:`benchmarks.reanalysis` stores them as a long
cycling run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .common import Row

C_RATE = 0.1  # 1/h
V_MIN, V_MAX = 2.0, 4.8
MASS_MG = 3.85


@dataclass
class SimulatorResult:
    points: int
    cpu_s: float
    columns: dict[str, np.ndarray]  # ts, t (s), ewe (V), i (mA), q (mAh), step

    @property
    def cpu_us_per_point(self) -> float:
        return self.cpu_s / self.points * 1e6


def run(points: int) -> SimulatorResult:
    """One cycle recorded at about `points` points (the record interval is set from an
    estimate of the cycle's duration; the actual count is reported)."""
    from operando.plans.electrochem import applied_current_mA
    from operando.sample import sample_for
    from operando.sim.models.potentiostat import Step
    from operando.sim.models.world import World

    sample = sample_for("lnmo", MASS_MG)
    current = applied_current_mA(sample, c_rate=C_RATE)
    world = World(time_scale=1.0)
    world.new_cell(sample.material, sample.active_mass_mg, sample.area_cm2)
    pstat = world.potentiostat
    pstat.steps = [
        Step("CC", current_mA=current, e_upper_V=V_MAX, e_lower_V=V_MIN),
        Step("CC", current_mA=-current, e_upper_V=V_MAX, e_lower_V=V_MIN),
    ]
    # A full charge and discharge at C/10 lasts at most about 20 h of instrument time.
    pstat.record_dt_s = 2 * 3600.0 / C_RATE / max(points, 1)
    pstat.record_dE_V = 1.0  # record on time only
    pstat.clear_buffer()
    cpu0 = time.process_time()
    pstat.start()
    while pstat.status == "Running":
        pstat.advance(pstat.t + 3600.0)
    cpu_s = time.process_time() - cpu0
    columns = {k: np.frombuffer(v, dtype=float).copy() for k, v in pstat.buffer.columns.items()}
    return SimulatorResult(len(pstat.buffer), cpu_s, columns)


def rows(r: SimulatorResult, bare_points_per_s: float) -> list[Row]:
    bare_us = 1e6 / bare_points_per_s
    return [
        Row(f"simulator CPU per point ({r.points} pts)", r.cpu_us_per_point, "us/point",
            bare_us, "us/point bare acquisition", r.cpu_us_per_point / bare_us,
            "(share of the acquisition budget)"),
    ]  # fmt: skip
