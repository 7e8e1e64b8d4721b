"""CV, GITT and EIS through Channel Access, read back from storage: the summaries stored
equal the live ones, and the techniques recover the simulated cell's transport (issue 15).
"""

from __future__ import annotations

import numpy as np
import pytest

from operando.analysis.run_kinds import summarize
from operando.analysis.tables import primary_columns
from operando.devices.impedance import ImpedanceAnalyzer
from operando.plans.electrochem import galvanostatic
from operando.plans.techniques import cyclic_voltammetry, eis, gitt
from operando.reports.technique_figures import plot_nyquist
from operando.sample import sample_for
from operando.sim.models.kinetics import F_C_MOL, KINETICS, R_J_MOL_K, T_REF_K
from operando.studies.samples import study_sample

MASS_MG, AREA_CM2 = 1.0, 1.54
SPINEL = KINETICS["lnmo-spinel"]  # the simulator's truth, compared with what is measured


# Each test sets up its own cell or electrode and finds its run by uid or as the latest:
# one session serves the module (tests/conftest.py, shared_session).
ONE_SESSION_PER_MODULE = True


def _run(session, sample, plan):
    (uid,) = session.RE(plan)
    run = session.store.run(uid)
    stored = summarize(run)
    assert stored.to_json() == session.run_summary.summary.to_json()
    return run, stored


def test_eis_recovers_the_charge_transfer_resistance_within_20_percent(session, tmp_path):
    sample = sample_for("lnmo-spinel", MASS_MG, AREA_CM2)
    session.assemble_sim_cell(sample)
    analyzer = ImpedanceAnalyzer(session.potentiostat.prefix, name="eis")
    analyzer.wait_for_connection(timeout=5)
    plan = eis(session.potentiostat, analyzer, sample, state_V=4.72, f_min_Hz=0.01,
               f_max_Hz=1e4, hold_s=4 * 3600.0)  # fmt: skip
    run, summary = _run(session, sample, plan)
    area = SPINEL.surface_area_cm2(MASS_MG * 1e-3)
    r_ct_true = R_J_MOL_K * T_REF_K / (F_C_MOL * SPINEL.exchange_current_density_mA_cm2 * 1e-3
                                       * area)  # fmt: skip
    assert summary.r_ct_ohm == pytest.approx(r_ct_true, rel=0.2)
    assert summary.two_arc is None and summary.warnings == []  # the Randles circuit suffices
    assert summary.r_s_ohm == pytest.approx(SPINEL.area_specific_resistance_ohm_cm2 / AREA_CM2,
                                             rel=0.2)  # fmt: skip
    assert plot_nyquist(run, summary, tmp_path / "nyquist.png").stat().st_size > 0


def test_gitt_recovers_the_diffusion_coefficient_within_a_factor_of_2(session):
    sample, one_c = study_sample(material="lnmo-spinel", formula=None, mass_mg=MASS_MG,
                                 area_cm2=AREA_CM2, name=None, simulated=True)  # fmt: skip
    session.assemble_sim_cell(sample)
    plan = gitt(session.potentiostat, sample, pulse_c_rate=1.0, pulse_s=120.0, rest_s=1500.0,
                v_max=5.0, pulses=12, one_c_mA_g=one_c,
                md={"analysis": {"particle_radius_um": SPINEL.particle_radius_um}})  # fmt: skip
    _, summary = _run(session, sample, plan)
    d = summary["diffusion_coefficient_cm2_s"]
    assert len(d) >= 10
    # a pulse the formula cannot describe gets no D and says why; most can
    refused = [p for p in summary["pulses"] if p["diffusion_coefficient_cm2_s"] is None]
    assert all(p["weppner_huggins_invalid"] for p in refused)
    assert len(refused) <= 2, refused
    plateau = [p["diffusion_coefficient_cm2_s"] for p in summary["pulses"][2:]]
    x = summary["x_li"]
    assert all(b < a for a, b in zip(x, x[1:], strict=False))  # Li leaves pulse by pulse
    # on the plateau (after the first two pulses, which start from the pristine potential)
    ratio = np.median([v for v in plateau if v is not None]) / SPINEL.diffusion_coefficient_cm2_s
    assert 0.5 <= ratio <= 2.0, (ratio, d)
    # the rests' spherical-diffusion relaxation gives D too
    d_relax = [p["relaxation_diffusion_coefficient_cm2_s"] for p in summary["pulses"]]
    ratio = np.median(d_relax[2:]) / SPINEL.diffusion_coefficient_cm2_s
    assert 0.5 <= ratio <= 2.0, (ratio, d_relax)


def test_cv_anodic_peaks_lie_at_the_dqdv_peaks_of_a_slow_charge(session):
    """The spinel's CV at 0.05 mV/s peaks within 0.1 V of the dQ/dV peaks of a C/20 charge
    (issue 15's must-show)."""
    sample, one_c = study_sample(material="lnmo-spinel", formula=None, mass_mg=MASS_MG,
                                 area_cm2=AREA_CM2, name=None, simulated=True)  # fmt: skip
    session.assemble_sim_cell(sample)
    charge = galvanostatic(session.potentiostat, sample, cutoff_V=5.0, c_rate=0.05,
                           one_c_mA_g=one_c, record_dE_V=0.002)  # fmt: skip
    _, cycled = _run(session, sample, charge)
    dqdv = cycled["dqdv_charge_peaks_V"]
    session.assemble_sim_cell(sample)
    plan = cyclic_voltammetry(session.potentiostat, sample, v_min=3.5, v_max=5.0,
                              scan_rate_mV_s=0.05, cycles=1)  # fmt: skip
    _, summary = _run(session, sample, plan)
    anodic, cathodic = summary["anodic_peaks_V"], summary["cathodic_peaks_V"]
    assert abs(anodic[0] - dqdv[0]) <= 0.1, (anodic, dqdv)  # the strongest: Ni2+/4+
    assert anodic[0] > cathodic[0]  # polarisation separates the peaks
    currents = summary["peak_currents_mA"]
    assert currents["anodic"][0] > 0 > currents["cathodic"][0]


def test_gitt_ends_at_the_rest_after_the_pulse_that_reaches_the_cutoff(session):
    sample, one_c = study_sample(material="lnmo-spinel", formula=None, mass_mg=MASS_MG,
                                 area_cm2=AREA_CM2, name=None, simulated=True)  # fmt: skip
    session.assemble_sim_cell(sample)
    plan = gitt(session.potentiostat, sample, pulse_c_rate=1.0, pulse_s=60.0, rest_s=120.0,
                v_max=4.0, pulses=20, one_c_mA_g=one_c,
                md={"analysis": {"particle_radius_um": SPINEL.particle_radius_um}})  # fmt: skip
    run, _ = _run(session, sample, plan)
    cols = primary_columns(run)
    on = cols["I"] != 0
    pulse_steps = np.unique(cols["step"][on])
    assert 1 <= pulse_steps.size < 20  # the titration stopped at the cutoff
    last = cols["step"] == pulse_steps[-1]
    assert cols["t"][last][-1] - cols["t"][last][0] < 60.0  # cut short by 4.0 V
    assert cols["Ewe"][last].max() == pytest.approx(4.0, abs=0.01)
    rest = cols["step"] > pulse_steps[-1]
    assert cols["t"][rest][-1] - cols["t"][rest][0] == pytest.approx(120.0, abs=1.0)
    assert not np.any(on[rest])
