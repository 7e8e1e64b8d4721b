"""Cell physics through Channel Access, read back from storage: rate, relaxation,
temperature, voltage fade (issue 15's must-shows)."""

from __future__ import annotations

import numpy as np
import pytest

from operando.analysis.relaxation import fit_relaxation
from operando.analysis.run_kinds import summarize
from operando.analysis.tables import primary_columns
from operando.plans import galvanostatic_cycle
from operando.plans.electrochem import electrochem_run
from operando.plans.stubs import Step
from operando.sample import sample_for
from operando.sim.models.kinetics import KINETICS
from operando.studies.running import simulator_time_scale

MASS_MG, AREA_CM2 = 3.85, 1.54


# Each test sets up its own cell or electrode and finds its run by uid or as the latest:
# one session serves the module (tests/conftest.py, shared_session).
ONE_SESSION_PER_MODULE = True


def _cycle(session, material, **kwargs):
    sample = sample_for(material, MASS_MG, AREA_CM2)
    session.assemble_sim_cell(sample)
    (uid,) = session.RE(galvanostatic_cycle(session.potentiostat, sample, **kwargs))
    run = session.store.run(uid)
    stored = summarize(run)
    assert stored == session.run_summary.summary
    return run, stored.to_json()


@pytest.mark.parametrize("material", ["lnmo", "lnro"])
def test_capacity_at_1c_is_at_least_10_percent_below_c50(session, material):
    cut = {"v_min": 2.0, "v_max": 4.8}
    with simulator_time_scale(session, 1_000_000.0):  # the capacity does not depend on it
        _, slow = _cycle(session, material, c_rate=1 / 50, **cut)
    _, fast = _cycle(session, material, c_rate=1.0, **cut)
    for key in ("charge_capacity_mAh_g", "discharge_capacity_mAh_g"):
        assert fast[key] <= 0.9 * slow[key], (key, fast[key], slow[key])


def test_45c_gives_more_capacity_at_1c_and_the_run_records_it(session):
    cut = {"v_min": 2.0, "v_max": 4.8, "c_rate": 1.0}
    try:
        run, warm = _cycle(session, "lnro", temperature_C=45.0, **cut)
        assert run.metadata["start"]["protocol"]["parameters"]["temperature_C"] == 45.0
        _, cold = _cycle(session, "lnro", temperature_C=25.0, **cut)
    finally:
        session.potentiostat.temperature.put(25.0, wait=True)
    assert warm["charge_capacity_mAh_g"] > cold["charge_capacity_mAh_g"]
    assert warm["discharge_capacity_mAh_g"] > cold["discharge_capacity_mAh_g"]


def test_lnro_relaxes_after_a_c10_charge_with_the_particles_diffusion_time(session):
    sample = sample_for("lnro", MASS_MG, AREA_CM2)
    session.assemble_sim_cell(sample)
    i = 0.1 * 250.0 * MASS_MG * 1e-3  # C/10
    # Charge and rest in one procedure: the instrument starts the rest the moment the
    # charge reaches its cutoff.
    steps = [Step("CC", current_mA=i, e_upper_V=4.3, e_lower_V=2.0),
             Step("OCV", duration_s=3 * 3600.0)]  # fmt: skip
    params = {"record_dt_s": 60.0, "record_dE_V": 0.005}
    (uid,) = session.RE(
        electrochem_run(session.potentiostat, sample, "ocv_rest", params, steps,
                        currents_mA=(i,), voltages_V=(2.0, 4.3))
    )  # fmt: skip
    cols = primary_columns(session.store.run(uid))
    rest = cols["I"] == 0
    t, e = cols["t"][rest] - cols["t"][rest][0], cols["Ewe"][rest]
    e10, e120 = np.interp(600.0, t, e), np.interp(7200.0, t, e)
    assert e10 - e120 > 0.005  # still relaxing between 10 min and 2 h
    on = cols["I"] != 0
    charge_s = float(cols["t"][on][-1] - cols["t"][on][0])
    # The sphere's relaxation after a galvanostatic charge: tau is the particles' r^2 / D.
    fit = fit_relaxation(t, e, charge_s=charge_s, t_min_s=600.0, t_max_s=7200.0)
    r2_over_d = KINETICS["lnro"].diffusion_time_s()
    assert r2_over_d / 3 <= fit.tau_s <= 3 * r2_over_d, (fit.tau_s, r2_over_d)


def test_lnmo_mean_discharge_potential_fades_over_ten_cycles(session):
    _, summary = _cycle(session, "lnmo", c_rate=0.1, v_min=2.0, v_max=4.8, cycles=10)
    cycles = summary["cycles"]
    assert [c["cycle"] for c in cycles] == list(range(1, 11))
    means = [c["mean_discharge_V"] for c in cycles]
    assert all(b < a for a, b in zip(means[1:], means[2:], strict=False))  # cycles 2..10
    assert 0.020 <= means[1] - means[9] <= 0.150
    caps = [c["discharge_capacity_mAh_g"] for c in cycles]
    assert 0 < caps[1] - caps[9] < 0.05 * caps[1]
