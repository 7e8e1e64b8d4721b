"""The simulator's new chemistries, cycled at C/10 on the cell model (no Channel Access)."""

import numpy as np
import pytest

from operando.materials import load_materials
from operando.sim.models.cell import Cell
from operando.sim.models.materials import MATERIALS


def _half_cycle(cell: Cell, current_mA: float, cutoff: float, dt_s: float = 60.0):
    q, v = [], []
    for _ in range(200000):
        cell.advance(current_mA, dt_s)
        e = cell.voltage(current_mA)
        q.append(abs(cell.q_mAh))
        v.append(e)
        if (current_mA > 0 and e >= cutoff) or (current_mA < 0 and e <= cutoff):
            break
    return np.array(q), np.array(v)


def _cycle(name: str, v_min: float, v_max: float):
    cell = Cell(MATERIALS[name], 3.0, 1.54)
    i = 0.1 * load_materials()[name].one_c * 3e-3
    q_c, v_c = _half_cycle(cell, i, v_max)
    charge = cell.q_mAh / 3e-3
    _half_cycle(cell, -i, v_min)
    discharge = charge - cell.q_mAh / 3e-3
    return charge, discharge, q_c / 3e-3, v_c


def _main_peak(q, v):
    dq = np.diff(q)
    bins = np.arange(v.min(), v.max(), 0.005)
    hist, edges = np.histogram(v[1:], bins=bins, weights=dq)
    return edges[np.argmax(hist)] + 0.0025


@pytest.mark.parametrize(
    "name, v_min, v_max, charge, discharge, peak",
    [
        ("lco", 3.0, 4.2, (135, 160), (125, 160), (3.88, 3.98)),  # Reimers & Dahn 1992
        ("nmc811", 3.0, 4.3, (200, 235), (180, 215), None),  # Noh et al. 2013
        ("lfp", 2.5, 4.0, (150, 170), (150, 168), (3.39, 3.47)),  # Padhi 1997, Dreyer 2010
        ("lnmo-spinel", 3.5, 4.9, (130, 160), (120, 145), (4.65, 4.80)),  # Zhong 1997
    ],
)
def test_first_cycle(name, v_min, v_max, charge, discharge, peak):
    c, d, q, v = _cycle(name, v_min, v_max)
    assert charge[0] <= c <= charge[1]
    assert discharge[0] <= d <= discharge[1]
    if peak:
        assert peak[0] <= _main_peak(q, v) <= peak[1]
    if name == "lfp":  # a flat two-phase plateau
        dq = np.diff(q)
        on_plateau = dq[(v[1:] >= 3.38) & (v[1:] <= 3.50)].sum()
        assert on_plateau >= 0.8 * q[-1]
