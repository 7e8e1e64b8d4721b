"""The simulator's cell model agrees with PyBaMM's half-cell SPMe on a shared parameter set
(benchmarks/cell_reference.py; needs the ``cellref`` extra)."""

import numpy as np
import pytest

pytest.importorskip("pybamm")

from benchmarks.cell_reference import Shared, ours, pybamm_model  # noqa: E402


@pytest.mark.slow
@pytest.mark.parametrize("c_rate", [0.1, 1.0])
def test_capacity_and_potential_agree_with_pybamm_spme(c_rate):
    p = Shared()
    mine, ref = ours(p, c_rate), pybamm_model(p, c_rate, "SPMe")
    assert mine["capacity_mAh_g"] == pytest.approx(ref["capacity_mAh_g"], rel=0.03)
    upto = min(mine["q"][-1], ref["q"][-1])
    grid = np.linspace(0.05 * upto, 0.95 * upto, 50)
    diff = np.interp(grid, mine["q"], mine["e"]) - np.interp(grid, ref["q"], ref["e"])
    assert np.sqrt(np.mean(diff**2)) < 0.010  # V
