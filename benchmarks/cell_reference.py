"""The simulator's cell model against PyBaMM's single-particle models on one parameter set.

One cathode, one redox process (open-circuit potential ``E0 + w ln(x / (1 - x))`` with x
the delithiated fraction: the Nernst form the simulator's sigmoid inverts), spherical
particles of radius r with diffusion coefficient D, symmetric Butler-Volmer with exchange
current density i0 per particle surface, an ohmic area-specific resistance: the same
numbers go into the simulator's :class:`Cell` (``operando.sim.models``) and into PyBaMM's
half-cell SPM and SPMe (``{"working electrode": "positive"}``, contact resistance for the
ohmic drop). Both charge at several C-rates to an upper cutoff; the comparison is the
capacity at the cutoff and the potential along the charge, and the cost per simulated
point (wall time / points of the solution).

``python -m benchmarks.cell_reference`` prints the table (needs the ``cellref`` extra:
``pip install operando[cellref]``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from operando.sim.models.cell import Cell
from operando.sim.models.kinetics import F_MAH_PER_MOL, Kinetics
from operando.sim.models.redox import CathodeMaterial, RedoxProcess


@dataclass(frozen=True)
class Shared:
    """The shared parameter set (LNRO-like particles and kinetics, one redox process)."""

    e0_V: float = 3.70
    w_V: float = 0.05
    capacity_mAh_g: float = 238.0
    density_g_cm3: float = 5.2
    radius_um: float = 0.10
    d_cm2_s: float = 6.0e-15
    i0_mA_cm2: float = 1.3e-4
    asr_ohm_cm2: float = 60.0
    mass_mg: float = 3.85
    area_cm2: float = 1.54
    x0: float = 0.005  # delithiated fraction at the start
    v_max: float = 4.2

    @property
    def c_max_mol_m3(self) -> float:
        return self.capacity_mAh_g * self.density_g_cm3 * 1e6 / F_MAH_PER_MOL

    def current_mA(self, c_rate: float) -> float:
        return c_rate * self.capacity_mAh_g * self.mass_mg * 1e-3


def ours(p: Shared, c_rate: float, dt_s: float | None = None) -> dict:
    """Charge the simulator's cell at c_rate to p.v_max: capacity (mAh/g), curve, cost."""
    material = CathodeMaterial(
        name="reference", formula="-", pristine_ocv_V=3.0,
        processes=(RedoxProcess("one", p.capacity_mAh_g, p.e0_V, p.w_V, p.e0_V, p.w_V),),
    )  # fmt: skip
    kinetics = Kinetics(
        p.radius_um, p.d_cm2_s, 0.0, p.i0_mA_cm2, 0.0, p.asr_ohm_cm2, 1e-5,
        density_g_cm3=p.density_g_cm3,
    )  # fmt: skip
    cell = Cell(material, p.mass_mg, p.area_cm2, kinetics=kinetics)
    i = p.current_mA(c_rate)
    cell.advance(i, p.x0 * p.capacity_mAh_g * cell.mass_g * 3600.0 / i)  # to x0 (short)
    cell.q_mAh = 0.0
    dt = dt_s or 3600.0 / c_rate / 200.0  # ~200 points over a full charge
    q, e = [0.0], [cell.voltage(i)]
    start = time.perf_counter()
    while e[-1] < p.v_max and len(e) < 100000:
        cell.advance(i, dt)
        q.append(cell.q_mAh / cell.mass_g)
        e.append(cell.voltage(i))
    wall = time.perf_counter() - start
    q, e = np.array(q), np.array(e)
    cap = float(np.interp(p.v_max, e[-2:], q[-2:])) if e[-1] >= p.v_max else float(q[-1])
    return {"capacity_mAh_g": cap, "q": q, "e": e, "points": q.size, "wall_s": wall}


def pybamm_model(p: Shared, c_rate: float, kind: str = "SPMe") -> dict:
    """The same charge with PyBaMM's half-cell SPM or SPMe."""
    import pybamm

    model = getattr(pybamm.lithium_ion, kind)(
        {"working electrode": "positive", "contact resistance": "true"}
    )
    pv = pybamm.ParameterValues("Xu2019")
    thickness_m = 20e-6
    area_m2 = p.area_cm2 * 1e-4
    eps = p.mass_mg * 1e-3 / (p.density_g_cm3 * 1e6 * thickness_m * area_m2)
    c_max = p.c_max_mol_m3
    e0, w = p.e0_V, p.w_V

    def ocp(sto):  # sto: lithiated fraction = 1 - x
        return e0 + w * pybamm.log((1 - sto) / sto)

    def j0(c_e, c_s_surf, c_s_max, T):
        return pybamm.Scalar(p.i0_mA_cm2 * 10.0)  # mA/cm2 -> A/m2

    pv.update(
        {
            "Positive electrode OCP [V]": ocp,
            "Positive electrode exchange-current density [A.m-2]": j0,
            "Positive particle diffusivity [m2.s-1]": p.d_cm2_s * 1e-4,
            "Positive particle radius [m]": p.radius_um * 1e-6,
            "Maximum concentration in positive electrode [mol.m-3]": c_max,
            "Initial concentration in positive electrode [mol.m-3]": c_max * (1 - p.x0),
            "Positive electrode active material volume fraction": eps,
            "Positive electrode porosity": 0.35,
            "Positive electrode thickness [m]": thickness_m,
            "Electrode height [m]": math.sqrt(area_m2),
            "Electrode width [m]": math.sqrt(area_m2),
            "Contact resistance [Ohm]": p.asr_ohm_cm2 / p.area_cm2,
            "Current function [A]": -p.current_mA(c_rate) * 1e-3,
            "Upper voltage cut-off [V]": p.v_max,
            "Lower voltage cut-off [V]": 2.0,
            "Nominal cell capacity [A.h]": p.current_mA(1.0) * 1e-3,
        },
        check_already_exists=False,
    )
    sim = pybamm.Simulation(model, parameter_values=pv)
    t_end = 1.2 * 3600.0 / c_rate
    t_eval = np.linspace(0, t_end, 200)
    start = time.perf_counter()
    sol = sim.solve(t_eval)
    wall = time.perf_counter() - start
    q_Ah = -sol["Discharge capacity [A.h]"].entries
    e = sol["Voltage [V]"].entries
    q = q_Ah * 1e3 / (p.mass_mg * 1e-3)
    return {"capacity_mAh_g": float(q[-1]), "q": q, "e": e, "points": q.size, "wall_s": wall}


def pybamm_stepping_cost_ms(p: Shared, c_rate: float = 1.0, steps: int = 50) -> float:
    """Wall time per point (ms) of PyBaMM's SPMe advanced one point at a time, as an IOC
    would drive an engine (``Simulation.step``), not solved over a known horizon."""
    import pybamm

    model = pybamm.lithium_ion.SPMe({"working electrode": "positive"})
    pv = pybamm.ParameterValues("Xu2019")
    pv.update({"Current function [A]": 2.4e-3 * c_rate})  # a discharge of its own cell
    sim = pybamm.Simulation(model, parameter_values=pv)
    dt = 3600.0 / c_rate / 200.0
    sim.step(dt)  # build and first step outside the timing
    start = time.perf_counter()
    for _ in range(steps):
        sim.step(dt)
    return 1e3 * (time.perf_counter() - start) / steps


def compare(p: Shared | None = None, c_rates=(0.1, 1.0, 3.0), kinds=("SPM", "SPMe")) -> list:
    """Rows (c_rate, model, capacity mAh/g, rms potential difference to ours mV, cost per
    point ms)."""
    p = p or Shared()
    rows = []
    for c in c_rates:
        mine = ours(p, c)
        cost = 1e3 * mine["wall_s"] / mine["points"]
        rows.append((c, "operando", mine["capacity_mAh_g"], 0.0, cost))
        for kind in kinds:
            ref = pybamm_model(p, c, kind)
            upto = min(mine["q"][-1], ref["q"][-1])
            grid = np.linspace(0.05 * upto, 0.95 * upto, 50)
            diff = np.interp(grid, mine["q"], mine["e"]) - np.interp(grid, ref["q"], ref["e"])
            rms = float(np.sqrt(np.mean(diff**2))) * 1e3
            rows.append((c, kind, ref["capacity_mAh_g"], rms, 1e3 * ref["wall_s"] / ref["points"]))
    return rows


def main() -> None:
    print("C-rate  model      capacity(mAh/g)  rms dE vs operando (mV)  cost/point (ms)")
    for c, kind, cap, rms, cost in compare():
        print(f"{c:6g}  {kind:9s}  {cap:15.1f}  {rms:23.1f}  {cost:15.3f}")
    print(f"PyBaMM SPMe stepped point by point: {pybamm_stepping_cost_ms(Shared()):.2f} ms/point")


if __name__ == "__main__":
    main()
