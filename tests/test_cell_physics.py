"""Cell physics on the pure models (no IOC): diffusion in the particles, Butler-Volmer,
temperature, relaxation, the small-signal linearisation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from operando.analysis.relaxation import fit_relaxation
from operando.sim.models.cell import Cell
from operando.sim.models.diffusion import LAMBDA1_SQUARED, SphereDiffusion
from operando.sim.models.kinetics import KINETICS, R_J_MOL_K, arrhenius, small_signal
from operando.sim.models.materials import MATERIALS

MASS_MG, AREA_CM2 = 3.85, 1.54  # 2.5 mg/cm2 on a coin-cell disc
ONE_C_MA_G = 250.0


def _half(cell: Cell, current_mA: float, cutoff: float, dt_s: float) -> float:
    """Charge (mAh/g, positive) passed until the potential crosses cutoff (interpolated)."""
    q0, e_prev = cell.q_mAh, cell.voltage(current_mA)
    for _ in range(100000):
        q_prev = cell.q_mAh
        cell.advance(current_mA, dt_s)
        e = cell.voltage(current_mA)
        if (current_mA > 0 and e >= cutoff) or (current_mA < 0 and e <= cutoff):
            frac = (cutoff - e_prev) / (e - e_prev) if e != e_prev else 1.0
            q_end = q_prev + frac * (cell.q_mAh - q_prev)
            return abs(q_end - q0) / (cell.mass_g * 1e3) * 1e3
        e_prev = e
    raise AssertionError("cutoff never reached")


def _first_cycle(material: str, c_rate: float, temperature_K: float = 298.15):
    cell = Cell(MATERIALS[material], MASS_MG, AREA_CM2)
    cell.temperature_K = temperature_K
    i = c_rate * ONE_C_MA_G * cell.mass_g
    dt = min(600.0, 0.5 / c_rate * 36.0)  # ~100 steps per C-rate hour at least
    return _half(cell, i, 4.8, dt), _half(cell, -i, 2.0, dt)


@pytest.mark.parametrize("material", ["lnmo", "lnro"])
def test_capacity_at_1c_is_at_least_10_percent_below_c50(material):
    slow, fast = _first_cycle(material, 1 / 50), _first_cycle(material, 1.0)
    assert fast[0] <= 0.9 * slow[0]  # charge
    assert fast[1] <= 0.9 * slow[1]  # discharge
    assert fast[1] > 0.2 * slow[1]  # a rate loss, not a dead cell


@pytest.mark.parametrize("material", ["lnmo", "lnro"])
def test_a_warmer_cell_gives_more_capacity_at_1c(material):
    cold, warm = _first_cycle(material, 1.0), _first_cycle(material, 1.0, 318.15)
    assert warm[0] > cold[0] and warm[1] > cold[1]


def test_lnro_relaxes_at_open_circuit_with_the_particles_diffusion_time():
    cell = Cell(MATERIALS["lnro"], MASS_MG, AREA_CM2)
    q0 = cell.q_mAh
    i = 0.1 * ONE_C_MA_G * cell.mass_g
    _half(cell, i, 4.3, 60.0)
    charge_s = (cell.q_mAh - q0) / i * 3600.0
    t, e = [0.0], [cell.voltage(0.0)]
    for _ in range(240):  # 4 h in 1 min steps
        cell.advance(0.0, 60.0)
        t.append(t[-1] + 60.0)
        e.append(cell.voltage(0.0))
    t, e = np.array(t), np.array(e)
    e10, e120 = np.interp(600, t, e), np.interp(7200, t, e)
    assert abs(e10 - e120) > 0.005  # still changing between 10 min and 2 h
    # The sphere's relaxation after a galvanostatic charge: tau is the particles' r^2 / D.
    fit = fit_relaxation(t, e, charge_s=charge_s, t_min_s=600.0, t_max_s=7200.0)
    r2_over_d = KINETICS["lnro"].diffusion_time_s()
    assert r2_over_d / 3 <= fit.tau_s <= 3 * r2_over_d, (fit.tau_s, r2_over_d)
    assert fit.rms_V < 1e-3


def test_the_shell_model_has_the_sphere_s_steady_profile_and_slowest_mode():
    d = SphereDiffusion()
    d.step(1.0, 100.0, 1.0)  # long enough for the parabolic profile: excess r^2/(15 D) i
    assert d.surface_excess == pytest.approx(1 / 15, rel=0.03)
    assert d.slowest_rate == pytest.approx(LAMBDA1_SQUARED, rel=0.03)
    d.step(0.0, 0.2, 1.0)
    a = d.surface_excess
    d.step(0.0, 0.1, 1.0)
    assert math.log(a / d.surface_excess) / 0.1 == pytest.approx(LAMBDA1_SQUARED, rel=0.03)


def test_long_steps_are_stable_and_conserve_charge():
    cell = Cell(MATERIALS["lnro"], MASS_MG, AREA_CM2)
    i = 0.1 * ONE_C_MA_G * cell.mass_g
    cell.advance(i, 3 * 3600.0)  # one 3 h step
    fine = Cell(MATERIALS["lnro"], MASS_MG, AREA_CM2)
    for _ in range(180):
        fine.advance(i, 60.0)
    assert cell.voltage(i) == pytest.approx(fine.voltage(i), abs=0.01)
    assert cell.q_mAh == pytest.approx(fine.q_mAh)


def test_arrhenius_and_the_small_signal_resistances():
    assert arrhenius(2.0, 50.0, 298.15) == pytest.approx(2.0)
    assert arrhenius(1.0, 50.0, 318.15) == pytest.approx(
        math.exp(50e3 / R_J_MOL_K * (1 / 298.15 - 1 / 318.15))
    )
    cell = Cell(MATERIALS["lnro"], MASS_MG, AREA_CM2)
    _half(cell, 0.1 * ONE_C_MA_G * cell.mass_g, 3.7, 60.0)
    k = KINETICS["lnro"]
    ss = small_signal(cell, 298.15)
    area = 3 * cell.mass_g / (k.density_g_cm3 * k.particle_radius_um * 1e-4)
    i0_A = k.exchange_current_density_mA_cm2 * 1e-3 * area
    assert ss.r_ct_ohm == pytest.approx(R_J_MOL_K * 298.15 / (96485.33212 * i0_A))
    assert ss.r_s_ohm == pytest.approx(k.area_specific_resistance_ohm_cm2 / AREA_CM2)
    assert ss.c_dl_F == pytest.approx(k.double_layer_F_cm2 * area)
    assert ss.warburg_sigma_ohm_s_half > 0
    assert ss.diffusion_time_s == pytest.approx(k.diffusion_time_s())
    warm = small_signal(cell, 318.15)
    assert warm.r_ct_ohm < ss.r_ct_ohm and warm.diffusion_time_s < ss.diffusion_time_s
    # Small currents: the Butler-Volmer overpotential is I R_ct.
    di = 1e-4
    eta = cell.overpotential(di) - di * 1e-3 * ss.r_s_ohm
    assert eta == pytest.approx(di * 1e-3 * ss.r_ct_ohm, rel=1e-3)


def test_every_simulated_material_has_kinetics():
    assert set(MATERIALS) <= set(KINETICS)


def _discharge_mean_V(cell: Cell, current_mA: float, cutoff: float, dt_s: float):
    """Discharge to cutoff; (capacity mAh/g, charge-weighted mean potential V)."""
    q, e = [0.0], [cell.voltage(-current_mA)]
    while e[-1] > cutoff:
        cell.advance(-current_mA, dt_s)
        q.append(q[-1] + current_mA * dt_s / 3600.0 / cell.mass_g)
        e.append(cell.voltage(-current_mA))
    return q[-1], float(np.trapezoid(e, q) / q[-1])


def test_lnmo_voltage_fades_cycle_after_cycle_and_capacity_fades_slowly():
    cell = Cell(MATERIALS["lnmo"], MASS_MG, AREA_CM2)
    i = 0.1 * ONE_C_MA_G * cell.mass_g
    caps, means, co2 = [], [], []
    for _ in range(10):
        before = cell.gas_umol["CO2"]
        _half(cell, i, 4.8, 300.0)
        cap, mean = _discharge_mean_V(cell, i, 2.0, 300.0)
        caps.append(cap)
        means.append(mean)
        co2.append(cell.gas_umol["CO2"] - before)
    fade = np.diff(means[1:])
    assert np.all(fade < 0)  # monotonic from cycle 2 to 10
    assert 0.020 <= means[1] - means[-1] <= 0.150
    assert 0.0 < caps[1] - caps[-1] < 0.05 * caps[1]  # slow capacity fade
    assert co2[2] < 0.3 * co2[0] and co2[-1] < co2[2]  # CO2 falls off after the first cycles


DEMS_MASS_MG, DEMS_AREA_CM2 = 32.9, 1.13  # the paper's Swagelok DEMS cell


def _dems_cell(material: str, temperature_K: float = 298.15) -> Cell:
    cell = Cell(MATERIALS[material], DEMS_MASS_MG, DEMS_AREA_CM2)
    cell.temperature_K = temperature_K
    for _ in range(12):  # the 6 h rest
        cell.advance(0.0, 1800.0)
    return cell


def test_lnro_to_5v_makes_co2_from_electrolyte_oxidation_but_no_extra_capacity():
    i = 10.0 * DEMS_MASS_MG * 1e-3  # 10 mA/g
    to_48, to_50 = _dems_cell("lnro"), _dems_cell("lnro")
    q48, q50 = _half(to_48, i, 4.8, 60.0), _half(to_50, i, 5.0, 60.0)
    assert 0.3 <= to_50.gas_umol["CO2"] <= 1.2
    assert to_50.gas_umol["CO2"] > 3 * to_48.gas_umol["CO2"]  # keeps growing above 4.8 V
    extra_li = (q50 - q48) * 112.71 / 26801.5  # Li per formula unit
    assert extra_li < 0.05


def test_oxygen_leaves_only_from_the_near_surface_pool_which_the_first_charge_empties():
    from operando.sim.models.side_reactions import near_surface_oxygen_per_fu

    assert near_surface_oxygen_per_fu(0.05) > 1.9 * near_surface_oxygen_per_fu(0.10)
    cell = _dems_cell("lnmo")
    i = 10.0 * DEMS_MASS_MG * 1e-3
    _half(cell, i, 4.8, 300.0)
    o2_first = cell.gas_umol["O2"]
    pool = near_surface_oxygen_per_fu(0.10) * DEMS_MASS_MG * 1e-3 / 85.03 * 1e6  # umol O2
    assert 0.9 * 0.9 * pool <= o2_first <= 0.9 * pool * 1.0001  # 90 % leaves as O2
    _half(cell, -i, 2.0, 300.0)
    _half(cell, i, 4.8, 300.0)
    assert cell.gas_umol["O2"] - o2_first < 1e-6  # nothing left to release


def test_a_warmer_dems_cell_makes_more_co2():
    i = 10.0 * DEMS_MASS_MG * 1e-3
    cold, warm = _dems_cell("lnmo"), _dems_cell("lnmo", 318.15)
    _half(cold, i, 4.8, 300.0)
    _half(warm, i, 4.8, 300.0)
    assert warm.gas_umol["CO2"] > 1.2 * cold.gas_umol["CO2"]


def test_lnro_irreversible_capacity_is_a_surface_film_that_tey_sees():
    from operando.sim.models.side_reactions import FILM_LIMIT_NM
    from operando.sim.models.xray import ElectrodeState, soft_absorption

    cell = Cell(MATERIALS["lnro"], MASS_MG, AREA_CM2)
    pristine = ElectrodeState.of_cell("pristine", cell)
    i = 0.02 * ONE_C_MA_G * cell.mass_g
    charge = _half(cell, i, 4.8, 600.0)
    discharge = _half(cell, -i, 2.0, 600.0)
    assert 85.0 < 100 * discharge / charge < 93.0  # the paper's LNRO: 88.9 %
    film = ElectrodeState.of_cell("2.0 V", cell)
    assert film.film_nm == pytest.approx(FILM_LIMIT_NM, rel=0.05)
    # The film's charge is the capacity that does not come back.
    film_mAh_g = sum(
        2 * extent * 1e-6 * 26801.5
        for r, extent in zip(cell.material.side_reactions, cell.extents, strict=True)
        if r.name == "surface film"
    )
    assert film_mAh_g == pytest.approx(charge - discharge, rel=0.15)
    e = np.array([534.0])
    tey = soft_absorption(e, film, "surface")[0] - soft_absorption(e, pristine, "surface")[0]
    fy = soft_absorption(e, film, "bulk")[0] - soft_absorption(e, pristine, "bulk")[0]
    assert tey > 0.2 and abs(fy) < 0.05  # a surface layer: TEY sees it, FY does not


def test_a_current_step_charges_the_double_layer_before_the_charge_transfer_settles():
    cell = Cell(MATERIALS["lnro"], MASS_MG, AREA_CM2)
    k, i = cell.kinetics, 0.1 * ONE_C_MA_G * MASS_MG * 1e-3
    r_ohm = k.area_specific_resistance_ohm_cm2 / AREA_CM2
    c_dl = k.double_layer_F_cm2 * k.surface_area_cm2(cell.mass_g)
    b = 2 * R_J_MOL_K * cell.temperature_K / 96485.33212
    eta_steady = b * math.asinh(i / (2 * cell.exchange_current_mA()))
    e0 = cell.voltage(0.0)
    assert cell.voltage(i) - e0 == pytest.approx(i * 1e-3 * r_ohm)  # the ohmic step at once
    cell.advance(i, 0.01)
    assert cell.eta_V / 0.01 == pytest.approx(i * 1e-3 / c_dl, rel=0.02)  # d eta/dt = I / C_dl
    cell.advance(i, 60.0)
    assert cell.eta_V == pytest.approx(eta_steady, rel=1e-3)
    assert cell.voltage(i) == pytest.approx(cell.e_surface_V + i * 1e-3 * r_ohm + eta_steady)
    cell.advance(0.0, 60.0)  # at open circuit the double layer discharges through R_ct
    assert abs(cell.eta_V) < 1e-6
