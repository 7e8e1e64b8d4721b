"""The coin-cell first cycle through Channel Access, stored, read back and replayed."""

from __future__ import annotations

import pytest

from operando.analysis.run_kinds import summarize
from operando.analysis.run_summary import RunSummary
from operando.plans import galvanostatic_cycle
from operando.sample import sample_for
from operando.storage import replay

MASS_MG = 3.85  # 2.5 mg/cm2 on a 1.54 cm2 disc
C50 = {"c_rate": 1 / 50, "v_min": 2.0, "v_max": 4.8}


@pytest.fixture(scope="module")
def module_session(beamline, tmp_path_factory):
    """One session (and store) for the module: each material is cycled once, then every
    test reads that run."""
    from operando.session import make_session

    data = tmp_path_factory.mktemp("cycling") / "data"
    s = make_session(str(data), prefix=beamline.prefix, ca_port=beamline.port, operator="pytest")
    yield s
    s.potentiostat.open_circuit()
    s.close()


_CYCLED: dict[str, tuple] = {}


def first_cycle(session, material):
    """The C/50 first cycle of a fresh cell: (uid, live summary, stored summary), run once
    per material for the module."""
    if material not in _CYCLED:
        sample = sample_for(material, MASS_MG, 1.54)
        session.assemble_sim_cell(sample)
        (uid,) = session.RE(galvanostatic_cycle(session.potentiostat, sample, **C50))
        live = session.run_summary.summary
        _CYCLED[material] = (uid, live, summarize(session.store.run(uid)))
    return _CYCLED[material]


@pytest.mark.parametrize(
    "material, charge, discharge, ce, li_out, li_in, strongest_charge_peak",
    [
        ("lnmo", 310, 232, 75.0, 0.97, 0.73, 4.55),
        ("lnro", 239, 213, 88.9, 1.01, 0.89, 3.65),
    ],
)
def test_first_cycle_matches_the_paper(
    module_session, material, charge, discharge, ce, li_out, li_in, strongest_charge_peak
):
    session = module_session
    uid, live, stored = first_cycle(session, material)
    for summary in (live, stored):  # live callback and the table read back from storage
        assert summary["charge_capacity_mAh_g"] == pytest.approx(charge, abs=8)
        assert summary["discharge_capacity_mAh_g"] == pytest.approx(discharge, abs=8)
        assert summary["coulombic_efficiency_pct"] == pytest.approx(ce, abs=2)
        assert summary["li_removed"] == pytest.approx(li_out, abs=0.03)
        assert summary["li_inserted"] == pytest.approx(li_in, abs=0.03)
        assert summary["dqdv_charge_peaks_V"][0] == pytest.approx(strongest_charge_peak, abs=0.03)
    assert stored == live

    run = session.store.run(uid)
    start = run.metadata["start"]
    assert start["sample"]["material"] == material
    assert start["protocol"]["name"] == "galvanostatic_cycle"
    assert start["simulated"] is True and start["operator"] == "pytest" and start["experiment"]
    assert "baseline" in run  # the instrument's state at the start and end of the run
    config = run["primary"].metadata["configuration"]["potentiostat"]["data"]
    assert config["potentiostat_cell_material"] == material
    assert config["potentiostat_cell_active_mass"] == MASS_MG
    units = {k: v.get("units") for k, v in run["primary"].metadata["data_keys"].items()}
    assert units["Ewe"] == "V" and units["I"] == "mA" and units["Q"] == "mAh" and units["t"] == "s"


def test_lnro_discharge_peaks(module_session):
    _, live, _ = first_cycle(module_session, "lnro")
    peaks = live["dqdv_discharge_peaks_V"]
    assert any(abs(p - 3.7) <= 0.05 for p in peaks), peaks
    assert any(abs(p - 3.4) <= 0.05 for p in peaks), peaks


def test_replay_and_databroker_agree_with_live(module_session):
    session = module_session
    uid, live, _ = first_cycle(session, "lnmo")
    replayed = RunSummary()
    replay(session.store.run(uid), [replayed])
    assert replayed.summary == live
    # databroker's API and the tiled client reach the same latest run
    assert session.db[uid].start["uid"] == uid
    last_cycled = list(_CYCLED.values())[-1][0]  # the module's latest run
    assert session.db[-1].start["uid"] == last_cycled
    assert session.store.run(-1).metadata["start"]["uid"] == last_cycled
    # databroker's v2 accessors switch the client map they were given to v2 runs; the store's
    # clients (this one and any opened later in the process) keep v3 runs with their tables.
    from operando.storage import open_store

    assert type(session.store.run(uid)).__name__ == "BlueskyRunV3"
    reopened = open_store(session.store.data_dir)
    assert type(reopened.run(uid)).__name__ == "BlueskyRunV3"
    assert hasattr(reopened.run(uid)["primary"], "base")


def test_potentiostat_points_have_no_gaps(module_session):
    session = module_session
    uid, _, _ = first_cycle(session, "lnro")
    ds = session.store.run(uid)["primary"].read()
    t = ds["t"].values
    dt = t[1:] - t[:-1]
    record_dt = session.store.run(uid).metadata["start"]["protocol"]["parameters"]["record_dt_s"]
    assert (dt >= 0).all()  # a step ends and the next begins at the same instant
    assert dt.max() <= record_dt + 1e-6
