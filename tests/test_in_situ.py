"""In situ Ru K XANES through the first LNRO cycle: scans one after another while the
potentiostat cycles the cell, which never waits for them."""

from __future__ import annotations

import numpy as np
import pytest

from operando.analysis.xray_report import in_situ_summary
from operando.electrodes import REFERENCE_NAMES, REFERENCE_SLOTS, REFERENCE_VALENCE
from operando.plans.in_situ import in_situ_xas_cycling
from operando.sample import sample_for

SLOWER = 2500.0  # a C/10 cycle (~18 h) then lasts ~26 s: several scans per half-cycle


@pytest.fixture
def slower_clock(session):
    """Run the shared simulator's clock slower for this test only."""
    scale = session.sim_control.time_scale
    before = scale.get()
    scale.put(SLOWER, wait=True)
    yield
    scale.put(before, wait=True)


def test_ru_valence_follows_the_cycle_and_the_cell_never_waits(session, slower_clock):
    cell = sample_for("lnro", 3.85, 1.54)
    session.assemble_sim_cell(cell)
    refs = {REFERENCE_NAMES[k]: slot for k, slot in REFERENCE_SLOTS.items()}
    plan = in_situ_xas_cycling(
        session.potentiostat, session.hard_xray, cell, c_rate=0.1, reference_slots=refs,
        md={"references": REFERENCE_VALENCE},
    )  # fmt: skip
    (uid,) = session.RE(plan)
    run = session.store.run(uid)
    scans = in_situ_summary(run)
    charge = [s for s in scans if s["direction"] == "charge"]
    discharge = [s for s in scans if s["direction"] == "discharge"]
    assert len(charge) >= 2 and len(discharge) >= 2, scans
    assert charge[0]["valence"] < charge[-1]["valence"]  # Ru oxidised on charge ...
    assert max(s["valence"] for s in scans) > 4.7
    assert discharge[-1]["valence"] < discharge[0]["valence"]  # ... and reduced back
    assert charge[0]["x_li"] > charge[-1]["x_li"]  # Li leaves on charge
    # The potentiostat kept recording while the scans ran: no gap beyond its interval.
    t = run["primary"].read()["t"].values
    assert np.max(np.diff(t)) <= 60.0 + 1e-6
    points = run["xas"].read()
    assert {"potentiostat_ewe", "potentiostat_charge", "scan"} <= set(points.data_vars)


def test_in_situ_parameters_are_checked_before_anything_moves(session):
    cell = sample_for("lnro", 3.85, 1.54)
    with pytest.raises(ValueError, match="hard X-ray edge"):
        in_situ_xas_cycling(session.potentiostat, session.hard_xray, cell, c_rate=0.1, edge="ni-l")
    with pytest.raises(ValueError, match="c_rate must be a positive number"):
        in_situ_xas_cycling(session.potentiostat, session.hard_xray, cell, c_rate=-1)
