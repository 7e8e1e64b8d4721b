"""Each electrochemistry plan through Channel Access: what the instrument recorded."""

from __future__ import annotations

import numpy as np
import pytest

from operando.plans import galvanostatic, ocv_rest, potentiostatic_hold
from operando.sample import sample_for

LNRO = sample_for("lnro", 3.85, 1.54)


# Each test sets up its own cell or electrode and finds its run by uid or as the latest:
# one session serves the module (tests/conftest.py, shared_session).
ONE_SESSION_PER_MODULE = True


def primary(session, uid):
    run = session.store.run(uid)
    ds = run["primary"].read()
    return run, {k: ds[k].values for k in ("t", "Ewe", "I", "Q", "step")}


def test_ocv_rest_records_open_circuit_for_its_duration(session):
    session.assemble_sim_cell(LNRO)
    (uid,) = session.RE(ocv_rest(session.potentiostat, LNRO, 6 * 3600.0, record_dt_s=300.0))
    run, c = primary(session, uid)
    assert (c["I"] == 0).all()
    assert c["t"][-1] - c["t"][0] == pytest.approx(6 * 3600.0, abs=1e-6)
    assert np.diff(c["t"]).max() <= 300.0 + 1e-6
    assert session.potentiostat.end_reason.get(use_monitor=False) == "duration"
    assert run.metadata["start"]["protocol"]["parameters"]["duration_s"] == 6 * 3600.0


def test_galvanostatic_charge_stops_at_its_cutoff(session):
    session.assemble_sim_cell(LNRO)
    (uid,) = session.RE(galvanostatic(session.potentiostat, LNRO, cutoff_V=3.9, current_mA_g=10.0))
    _, c = primary(session, uid)
    assert c["I"].max() == pytest.approx(10.0 * LNRO.active_mass_g)
    assert c["Ewe"].max() == pytest.approx(3.9, abs=1e-3)
    assert session.potentiostat.end_reason.get(use_monitor=False) == "upper cutoff"
    # Q recorded by the instrument agrees with the integral of I(t)
    q_integral = np.trapezoid(c["I"], c["t"]) / 3600.0
    assert c["Q"][-1] == pytest.approx(q_integral, rel=1e-3)


def test_potentiostatic_hold_decays_to_the_current_floor(session):
    session.assemble_sim_cell(LNRO)
    floor_mA = 0.002
    (uid,) = session.RE(
        potentiostatic_hold(
            session.potentiostat, LNRO, 3.7, duration_s=200 * 3600.0, current_floor_mA=floor_mA
        )
    )
    _, c = primary(session, uid)
    held = c["I"] != 0
    assert np.allclose(c["Ewe"][held], 3.7, atol=1e-3)
    assert c["I"][held][0] > c["I"][held][-1] > 0  # oxidation current decays
    assert c["I"][held][-1] == pytest.approx(floor_mA, rel=0.05)
    assert session.potentiostat.end_reason.get(use_monitor=False) == "current floor"
