"""The open-circuit relaxation analysis on synthetic transients (no simulator)."""

from __future__ import annotations

import numpy as np
import pytest

from operando.analysis.relaxation import (
    fit_relaxation,
    single_exponential_tau_s,
    sphere_eigenvalues,
    surface_relaxation,
)


def test_the_sphere_modes_are_the_roots_of_tan_x_equals_x_and_sum_to_the_steady_profile():
    lam = sphere_eigenvalues()
    assert lam[:2] == pytest.approx([4.493409, 7.725252], abs=1e-6)
    assert np.allclose(np.tan(lam[:10]), lam[:10], rtol=1e-6)
    assert surface_relaxation(np.array([0.0]), 1.0)[0] == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize("charge_s", [np.inf, 2000.0])
def test_the_fit_recovers_r2_over_d_of_a_transient_that_a_single_exponential_misses(charge_s):
    tau = 8000.0
    t = np.arange(0.0, 4 * 3600.0, 60.0)
    e = 4.25 + 0.04 * surface_relaxation(t, tau, charge_s)
    e = e + np.random.default_rng(2).normal(0.0, 2e-5, t.size)
    fit = fit_relaxation(t, e, charge_s=charge_s, t_min_s=600.0, t_max_s=7200.0)
    assert fit.tau_s == pytest.approx(tau, rel=0.05)
    assert fit.e_inf_V == pytest.approx(4.25, abs=1e-3)
    assert fit.rms_V < 5e-5
    assert fit.window_s == (600.0, 7200.0)
    assert fit.diffusion_coefficient_cm2_s(0.1) == pytest.approx(1e-10 / tau, rel=0.05)
    # early on, faster modes make one exponential too quick for the slowest mode r^2/(l1^2 D)
    assert single_exponential_tau_s(t[:40], e[:40]) < tau / sphere_eigenvalues()[0] ** 2
    assert set(fit.to_json()) >= {"tau_s", "single_exp_tau_s", "e_inf_V", "amplitude_V"}


def test_a_flat_or_short_transient_is_refused():
    t = np.arange(10.0)
    with pytest.raises(ValueError, match="at least 5 points"):
        fit_relaxation(t[:3], np.ones(3))
    with pytest.raises(ValueError, match="does not change"):
        fit_relaxation(t, np.ones(10))
