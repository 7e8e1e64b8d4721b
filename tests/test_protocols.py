"""Charge-and-measure, ex situ preparation, beam-loss suspension, and what a user watches
(progress line, live figures), through Channel Access on the simulated beamline."""

from __future__ import annotations

import io
import threading

import numpy as np
import pytest

from operando.analysis.run_summary import RunSummary, summarize
from operando.display import LivePlots, ProgressDisplay
from operando.display.progress import eta_to_cutoff_s, format_duration
from operando.plans import charge_and_measure, prepare_ex_situ_electrodes, xas_scan
from operando.plans.ex_situ import mount_electrode
from operando.plans.xray import EDGES
from operando.sample import sample_for
from operando.storage import replay

# Each test sets up its own cell or electrode and finds its run by uid or as the latest:
# one session serves the module (tests/conftest.py, shared_session).
ONE_SESSION_PER_MODULE = True


@pytest.fixture
def slower(session):
    """The shared simulator at 20,000x for a test whose X-ray scans must not outlast the
    cell's relaxation by days of instrument time."""
    scale = session.sim_control.time_scale
    before = scale.get()
    scale.put(20000.0, wait=True)
    yield
    scale.put(before, wait=True)


def test_charge_and_measure_at_three_cutoffs(session, slower):
    cell = sample_for("lnmo", 3.85, 1.54, name="lnmo operando")
    session.assemble_sim_cell(cell)
    plan = charge_and_measure(
        session.potentiostat, cell, [4.5, 4.8, 2.0], c_rate=0.1, rest_s=600,
        soft_xray=session.soft_xray, mass_spectrometer=session.mass_spectrometer,
        soft_edges=("ni-l",), rixs=True, gas_sample=True,
    )  # fmt: skip
    (uid,) = session.RE(plan)
    run = session.store.run(uid)
    assert set(run) >= {"primary", "xas_ni_l", "rixs", "gas"}

    # The potentiostat recorded throughout: no gap while the X-rays measured.
    t = np.asarray(run["primary"].read()["t"])
    assert np.diff(t).max() < 3 * 3600  # s; one simulator tick at this time scale
    xas = run["xas_ni_l"].read()
    cutoffs = np.asarray(xas["cutoff"])
    assert set(np.unique(cutoffs)) == {4.5, 4.8, 2.0}
    per_cutoff = EDGES["ni-l"].grid(1.0)[0].size
    assert all((cutoffs == c).sum() == per_cutoff for c in (4.5, 4.8, 2.0))
    ewe = np.asarray(xas["potentiostat_ewe"])
    assert ewe[cutoffs == 4.8].mean() > 4.2 and ewe[cutoffs == 2.0].mean() < 3.5
    assert run["gas"].read()["dems_mz32"].size == 3

    summary = summarize(run)
    # Charge to 4.5 V and on to 4.8 V is one charge, interrupted to measure.
    assert summary["charge_capacity_mAh_g"] == pytest.approx(305, abs=15)
    assert summary["discharge_capacity_mAh_g"] == pytest.approx(232, abs=15)
    ni = summary["xas_ni_l"]
    assert ni["4.8 V"]["fy"]["ni_l3_ratio"] > 3 > 1 > ni["2 V"]["fy"]["ni_l3_ratio"]
    rixs = summary["rixs"]
    assert rixs["4.8 V"]["feature_intensity"] > 3 * rixs["2 V"]["feature_intensity"]
    # Live, stored and replayed summaries are the same.
    assert session.run_summary.summary == summary
    replayed = RunSummary()
    replay(run, [replayed])
    assert replayed.summary == summary


def test_charge_and_measure_refuses_bad_requests(session):
    cell = sample_for("lnmo", 3.85)
    pstat, sxr = session.potentiostat, session.soft_xray
    cases = [
        (dict(cutoffs_V=[4.5, 4.5], soft_xray=sxr, soft_edges=("ni-l",)), "consecutive cutoffs"),
        (dict(cutoffs_V=[7.0], soft_xray=sxr, soft_edges=("ni-l",)), "between 0 and 6 V"),
        (dict(cutoffs_V=[4.8], soft_xray=sxr, soft_edges=("ru-k",)), "not the soft one"),
        (dict(cutoffs_V=[4.8], soft_edges=("ni-l",)), "soft X-ray endstation"),
        (dict(cutoffs_V=[4.8]), "nothing to measure"),
        (dict(cutoffs_V=[4.8], soft_xray=sxr, soft_edges=("ni-l",), rest_s=-1), "rest_s"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValueError, match=message):
            charge_and_measure(pstat, cell, c_rate=0.1, **kwargs)


def test_ex_situ_preparation_plan_mounts_each_state(session):
    sample = sample_for("lnro", 3.85, name="prep")
    plan = prepare_ex_situ_electrodes(
        session.potentiostat, session.sim_control, sample, ("pristine", "4.5V"), first_slot=9
    )
    uids = session.RE(plan)
    assert len(uids) == 1  # the pristine electrode needs no electrochemistry
    start = session.store.run(uids[0]).metadata["start"]
    assert start["ex_situ"] == {"state": "4.5V", "slot": 10}
    holder = session.soft_xray.holder
    for slot, name in ((9, "prep pristine"), (10, "prep 4.5V")):
        holder.slot.set(slot).wait()
        assert holder.sample.get(use_monitor=False) == name
    with pytest.raises(ValueError, match="unknown state"):
        prepare_ex_situ_electrodes(session.potentiostat, None, sample, ("charged",))
    with pytest.raises(ValueError, match="do not fit"):
        prepare_ex_situ_electrodes(session.potentiostat, None, sample, first_slot=15)


def test_lost_beam_suspends_the_scan_until_it_is_back(session):
    sxr, sim = session.soft_xray, session.sim_control
    sxr.beam.settle_s = 0.0
    sample = sample_for("lnmo", 3.85, name="beam test")
    session.assemble_sim_cell(sample)
    session.RE(mount_electrode(sim, 12, "beam test"))
    seen = {"n": 0}

    def dump_the_beam_once(name, doc):
        if name == "event" and doc["descriptor"] and seen["n"] >= 0:
            seen["n"] += 1
            if seen["n"] == 20:
                seen["n"] = -1  # once
                threading.Thread(target=sim.beam_current.put, args=(0.0,)).start()
                threading.Timer(1.5, sim.beam_current.put, args=(500.0,)).start()

    token = session.RE.subscribe(dump_the_beam_once)
    try:
        (uid,) = session.RE(xas_scan(sxr, "o-k", 12, scan="step"))  # point by point
    finally:
        session.RE.unsubscribe(token)
        sim.beam_current.put(500.0, wait=True)
    ds = session.store.run(uid)["primary"].read()
    beam = np.asarray(ds["sxr_beam_current"])
    energy = np.asarray(ds["sxr_energy_user_setpoint"])
    grid = EDGES["o-k"].grid(1.0)[0]
    # The scan waited for the beam (the only pause longer than a second, wall time) ...
    wall = np.asarray(ds["time"].values, float)
    assert np.diff(wall).max() > 1.0
    # ... and kept no point without it: each energy of the grid once, all with beam.
    assert (beam >= 300).all()
    assert np.allclose(np.sort(energy), np.sort(grid))


def test_lost_beam_during_a_fly_sweep_repeats_the_sweep(session):
    """The beam dumped while the monochromator sweeps: the plan suspends, and when the beam
    is back the whole sweep is flown again; only rows of that second sweep are stored."""
    import time

    sxr, sim = session.soft_xray, session.sim_control
    assert sxr.fly is not None
    sxr.beam.settle_s = 0.0
    sample = sample_for("lnmo", 3.85, name="fly beam test")
    session.assemble_sim_cell(sample)
    session.RE(mount_electrode(sim, 12, "fly beam test"))
    back: dict = {}

    def dump_the_beam_mid_sweep():
        deadline = time.monotonic() + 30
        while not int(sxr.fly.busy.get(use_monitor=False)) and time.monotonic() < deadline:
            time.sleep(0.01)
        sim.beam_current.put(0.0, wait=True)
        # The beam comes back once the plan has suspended (a suspender tripped), not later.
        while time.monotonic() < deadline and not any(s.tripped for s in session.RE.suspenders):
            time.sleep(0.01)
        back["at"] = time.time()
        sim.beam_current.put(500.0, wait=True)

    scale = session.sim_control.time_scale
    before = scale.get()
    scale.put(50.0, wait=True)  # an O K sweep of ~100 s of instrument time lasts ~2 s
    dumper = threading.Thread(target=dump_the_beam_mid_sweep, daemon=True)
    try:
        dumper.start()
        (uid,) = session.RE(xas_scan(sxr, "o-k", 12, scan="fly"))
    finally:
        dumper.join(30)
        scale.put(before, wait=True)
        sim.beam_current.put(500.0, wait=True)
    ds = session.store.run(uid)["primary"].read()
    beam = np.asarray(ds["sxr_beam_current"])
    energy = np.asarray(ds["sxr_energy_user_setpoint"])
    grid = EDGES["o-k"].grid(1.0)[0]
    assert "at" in back  # the beam was dumped while the sweep ran
    assert (beam >= 300).all()
    assert np.allclose(np.sort(energy), np.sort(grid))  # each energy once: one whole sweep
    assert np.asarray(ds["time"].values, float).min() >= back["at"]  # all flown after it


def test_progress_line_and_eta():
    out = io.StringIO()
    progress = ProgressDisplay(out=out, log_interval_s=0.0)
    progress("start", {"uid": "u", "time": 0, "protocol": {"name": "galvanostatic",
              "parameters": {"cutoff_V": 4.8}}, "sample": {"name": "cell 1"}})  # fmt: skip
    keys = {k: {"dtype": "number", "shape": [], "source": "x"} for k in ("t", "Ewe", "I", "step")}
    progress("descriptor", {"uid": "d", "run_start": "u", "name": "primary", "data_keys": keys,
                            "time": 0})  # fmt: skip
    t = np.arange(0.0, 501.0, 10.0)  # s
    ewe = 3.8 + 1e-3 * t  # V: 1 mV/s from 3.8 V
    progress("event_page", {"descriptor": "d", "seq_num": list(range(1, t.size + 1)),
                            "data": {"t": t.tolist(), "Ewe": ewe.tolist(),
                                     "I": [1.0] * t.size, "step": [1] * t.size}})  # fmt: skip
    line = progress.line
    assert "cell 1" in line and "Ewe 4.300 V" in line
    assert "50 % to 4.80 V" in line and "ETA ~8.3 min" in line
    assert eta_to_cutoff_s(t, ewe, 3.0) == float("inf")  # moving away from the cutoff
    assert [format_duration(s) for s in (42, 750, 3 * 3600, 3 * 86400)] == [
        "42 s", "12.5 min", "3.0 h", "3.0 d"]  # fmt: skip
    progress("stop", {"uid": "s", "run_start": "u", "time": 1, "exit_status": "success"})
    assert out.getvalue().endswith(line + "\n")


def test_live_plots_draw_a_stored_run_headless(session, tmp_path):
    cell = sample_for("lnro", 3.85, name="plots")
    session.assemble_sim_cell(cell)
    from operando.plans import galvanostatic

    (charge,) = session.RE(galvanostatic(session.potentiostat, cell, cutoff_V=4.3, c_rate=0.5))
    session.RE(mount_electrode(session.sim_control, 13, "plots"))
    (scan,) = session.RE(xas_scan(session.soft_xray, "ni-l", 13))
    plots = LivePlots(min_interval_s=600.0)  # drawn at each stop document
    replay(session.store.run(charge), [plots])
    ax_v = plots.figure.axes[0]
    assert ax_v.lines and ax_v.get_xlabel().startswith("specific capacity")
    assert max(ax_v.lines[0].get_ydata()) == pytest.approx(4.3, abs=0.01)
    replay(session.store.run(scan), [plots])
    energy, values, label = plots.spectrum
    assert label == "TEY/I0" and energy.min() < 850 and energy.max() > 870
    path = plots.save(tmp_path / "live.png")
    assert path.stat().st_size > 10_000
