"""The analysis functions on signals whose answers are known by construction."""

from __future__ import annotations

import numpy as np
import pytest

from operando.analysis.electrochem import (
    capacity_mAh,
    coulombic_efficiency_pct,
    dqdv,
    li_equivalents,
    pair_cycles,
    peak_positions,
    split_half_cycles,
    summarize_cycling,
)
from operando.sample import molar_mass


def test_molar_mass_from_formula():
    assert molar_mass("Li1.2Ni0.2Mn0.6O2") == pytest.approx(85.03, abs=0.01)
    assert molar_mass("Li1.2Ni0.2Ru0.6O2") == pytest.approx(112.71, abs=0.01)
    assert molar_mass("LiCoO2") == pytest.approx(97.87, abs=0.01)


def test_li_equivalents_is_capacity_over_faradaic_capacity():
    one_li = 96485.332 / 3.6 / molar_mass("LiCoO2")  # 273.8 mAh/g
    assert li_equivalents(one_li, "LiCoO2") == pytest.approx(1.0)
    assert li_equivalents(0.5 * one_li, "LiCoO2") == pytest.approx(0.5)


def test_capacity_integrates_current_over_time():
    t = np.linspace(0, 7200, 101)  # 2 h
    assert capacity_mAh(t, np.full_like(t, 0.5)) == pytest.approx(1.0)
    assert capacity_mAh(t, np.full_like(t, -0.5)) == pytest.approx(1.0)
    ramp = np.linspace(0, 1, 101)  # mean 0.5 mA over 2 h
    assert capacity_mAh(t, ramp) == pytest.approx(1.0)


def test_coulombic_efficiency():
    assert coulombic_efficiency_pct(4.0, 3.0) == pytest.approx(75.0)
    with pytest.raises(ValueError):
        coulombic_efficiency_pct(0.0, 1.0)


def _nernst_charge(e0s, widths, caps, n=4000):
    """q(E) for sigmoidal redox processes; sampled on q for a charge at constant current."""
    e = np.linspace(2.5, 4.9, 20000)
    q = sum(c / (1 + np.exp(-(e - e0) / w)) for e0, w, c in zip(e0s, widths, caps, strict=True))
    q_samples = np.linspace(q[0], q[-1], n)
    return q_samples, np.interp(q_samples, q, e)


def test_dqdv_finds_the_redox_potentials_strongest_first():
    q, e = _nernst_charge([3.65, 4.10, 4.55], [0.03, 0.05, 0.01], [80.0, 40.0, 150.0])
    v, d = dqdv(q, e)
    peaks = peak_positions(v, d)
    assert peaks[0] == pytest.approx(4.55, abs=0.01)
    assert peaks[1] == pytest.approx(3.65, abs=0.01)
    assert peaks[2] == pytest.approx(4.10, abs=0.015)
    # the area under dQ/dV is the capacity
    assert np.trapezoid(d, v) == pytest.approx(270.0, rel=0.03)


def test_dqdv_of_a_discharge_is_positive_with_the_same_peak():
    q, e = _nernst_charge([3.4], [0.05], [100.0])
    v, d = dqdv(q, e[::-1])  # the same curve traversed downwards
    assert (d >= 0).all()
    assert peak_positions(v, d)[0] == pytest.approx(3.4, abs=0.01)


def test_split_and_pair_half_cycles():
    t = np.arange(12.0)
    i = np.array([0, 1, 1, 1, -1, -1, -1, 0, 0, 1, 1, -1.0])
    e = np.linspace(3, 4, 12)
    segs = split_half_cycles(t, e, i)
    assert [s.direction for s in segs] == ["charge", "discharge", "charge"]
    cycles = pair_cycles(segs)
    assert len(cycles) == 2 and cycles[1][1] is None


def test_summary_of_a_synthetic_cycle():
    mass_mg, formula = 2.0, "LiCoO2"
    i = 0.2  # mA, 100 mA/g
    q_ch, e_ch = _nernst_charge([3.9], [0.03], [150.0], n=500)
    q_dis, e_dis = _nernst_charge([3.85], [0.04], [120.0], n=400)
    t_ch = q_ch * 1e-3 * mass_mg / i * 3600
    t_dis = t_ch[-1] + 1 + q_dis * 1e-3 * mass_mg / i * 3600
    t = np.concatenate([t_ch, t_dis])
    e = np.concatenate([e_ch, e_dis[::-1]])
    cur = np.concatenate([np.full(500, i), np.full(400, -i)])
    s = summarize_cycling(t, e, cur, active_mass_mg=mass_mg, formula=formula)
    assert s["charge_capacity_mAh_g"] == pytest.approx(150.0 - q_ch[0], rel=1e-3)
    assert s["coulombic_efficiency_pct"] == pytest.approx(
        100 * (120 - q_dis[0]) / (150 - q_ch[0]), rel=1e-3
    )
    assert s["dqdv_charge_peaks_V"][0] == pytest.approx(3.9, abs=0.01)
    assert s["dqdv_discharge_peaks_V"][0] == pytest.approx(3.85, abs=0.01)
    with pytest.raises(ValueError, match="active mass"):
        summarize_cycling(t, e, cur, active_mass_mg=0, formula=formula)


def test_dqdv_refuses_a_segment_at_constant_voltage():
    q = np.linspace(0, 50, 100)
    with pytest.raises(ValueError, match="voltage range"):
        dqdv(q, np.full_like(q, 3.7))
