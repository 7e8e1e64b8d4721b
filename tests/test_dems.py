"""Operando DEMS through Channel Access: gas amounts, onsets and the oxygen balance of the
paper, computed from stored ion currents through the recorded calibration."""

from __future__ import annotations

import numpy as np
import pytest
from caproto.sync.client import read, write
from sync_ca import CA_TIMEOUT_S

from operando.analysis.run_kinds import summarize
from operando.analysis.run_summary import RunSummary
from operando.analysis.tables import dems_columns, primary_columns
from operando.plans import dems_cycling
from operando.sample import sample_for
from operando.storage import replay

DEMS_MASS_MG = 32.9
DEMS_AREA_CM2 = 1.13


# Each test sets up its own cell or electrode and finds its run by uid or as the latest:
# one session serves the module (tests/conftest.py, shared_session).
ONE_SESSION_PER_MODULE = True


def dems_run(session, material, **kwargs):
    sample = sample_for(material, DEMS_MASS_MG, DEMS_AREA_CM2)
    session.assemble_sim_cell(sample)
    plan = dems_cycling(session.potentiostat, session.mass_spectrometer, sample, **kwargs)
    (uid,) = session.RE(plan)
    return uid, session.run_summary.summary


def test_lnmo_first_two_cycles_match_the_paper(session):
    uid, live = dems_run(session, "lnmo", cycles=2)
    run = session.store.run(uid)
    stored = summarize(run)  # from the stored tables and the recorded calibration
    replayed = RunSummary()
    replay(run, [replayed])
    assert stored == live
    assert replayed.summary == live

    first, second = live["cycles"]
    assert live["charge_capacity_mAh_g"] == pytest.approx(302, abs=10)
    assert live["discharge_capacity_mAh_g"] == pytest.approx(234, abs=8)
    assert first["o2_umol"] == pytest.approx(10.7, rel=0.10)
    assert first["co2_umol"] == pytest.approx(6.5, rel=0.10)
    assert first["co2_onset_V"] == pytest.approx(4.0, abs=0.1)
    assert first["o2_onset_V"] == pytest.approx(4.5, abs=0.1)
    assert 20 <= first["o2_max_rate_nmol_min"] <= 80  # of order 40 nmol/min at 4.8 V
    assert first["h2_umol"] > 0 and first["h2_max_rate_nmol_min"] < 0.1  # traces only
    assert live["lattice_o_loss_pct"] == pytest.approx(2.8, abs=0.3)
    assert live["o2_capacity_mAh_g"] == pytest.approx(35, abs=4)
    irreversible = live["charge_capacity_mAh_g"] - live["discharge_capacity_mAh_g"]
    assert live["irreversible_capacity_mAh_g"] == pytest.approx(irreversible, abs=1e-3)
    assert 30 <= live["o2_share_of_irreversible_pct"] <= 60  # "slightly less than half"
    assert second["co2_umol"] == pytest.approx(0.9, abs=0.3)
    assert second["o2_onset_V"] is None  # below detection
    assert second["o2_max_rate_nmol_min"] < 3 * live["detection_limits_nmol_min"]["o2"]


def test_both_streams_share_the_instrument_clock(session):
    uid, _ = dems_run(session, "lnro", rest_s=3600.0, cycles=1)
    run = session.store.run(uid)
    primary = primary_columns(run)
    dems, configuration = dems_columns(run)
    # Samples every interval of instrument time, covering the whole procedure.
    assert np.allclose(np.diff(dems["clock"]), 120.0)
    assert dems["clock"][0] - 120.0 <= primary["clock"][0]
    assert dems["clock"][-1] >= primary["clock"][-1]
    # A sample's interval ends at its timestamp (the event timestamps are the clock too).
    assert np.allclose(dems["interval"], 120.0)
    keys = run["dems"].metadata["data_keys"]
    assert {keys[f"mz{mz}"]["units"] for mz in (2, 15, 16, 26, 28, 32, 40, 44)} == {"A"}
    assert keys["clock"]["units"] == "s" and keys["pressure"]["units"] == "mbar"
    data = configuration["dems"]["data"]
    assert list(data["dems_channels"]) == [2, 15, 16, 26, 28, 32, 40, 44]
    assert data["dems_calibration_co2"][-1] > 0  # CO2's parent peak, m/z 44
    start = run.metadata["start"]
    assert start["protocol"]["name"] == "dems_cycling"
    assert start["protocol"]["parameters"]["sample_interval_s"] == 120.0
    assert session.mass_spectrometer.acquiring.get(use_monitor=False) == "Idle"


def test_lnro_releases_no_oxygen(session):
    _, live = dems_run(session, "lnro", cycles=1)
    (cycle,) = live["cycles"]
    assert cycle["co2_umol"] == pytest.approx(0.1, rel=1.0)  # within a factor of 2
    assert cycle["co2_umol"] >= 0.05
    assert cycle["o2_max_rate_nmol_min"] < 0.01
    assert cycle["o2_onset_V"] is None


def _sim_pv(beamline, name):
    return f"{beamline.prefix}{name}"


def test_amounts_follow_the_recorded_calibration(session, beamline):
    """A quadrupole twice as sensitive to CO2, with a calibration that says so, measures
    the same CO2; with the old calibration it reports twice as much."""
    sens_pv = _sim_pv(beamline, "SIM:MS:Sens:CO2")
    cal = session.mass_spectrometer.calibration.co2
    true_sens = read(sens_pv, repeater=False, timeout=CA_TIMEOUT_S).data[0]
    factory = np.asarray(cal.get(use_monitor=False), float)
    kw = {"rest_s": 3 * 3600.0, "cycles": 1}
    try:
        _, reference = dems_run(session, "lnmo", **kw)
        write(sens_pv, 2 * true_sens, notify=True, repeater=False, timeout=CA_TIMEOUT_S)
        cal.set(list(2 * factory)).wait()
        _, matched = dems_run(session, "lnmo", **kw)
        cal.set(list(factory)).wait()
        _, stale = dems_run(session, "lnmo", **kw)
    finally:
        write(sens_pv, true_sens, notify=True, repeater=False, timeout=CA_TIMEOUT_S)
        cal.set(list(factory)).wait()
    ref = reference["cycles"][0]["co2_umol"]
    assert matched["cycles"][0]["co2_umol"] == pytest.approx(ref, rel=0.01)
    assert stale["cycles"][0]["co2_umol"] == pytest.approx(2 * ref, rel=0.02)
    # O2 shares m/z 16 with CO2, yet the fit keeps it apart whatever CO2's calibration.
    o2 = reference["cycles"][0]["o2_umol"]
    assert stale["cycles"][0]["o2_umol"] == pytest.approx(o2, rel=0.01)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"rest_s": 100.0}, "must hold at least 3 gas samples"),
        ({"sample_interval_s": 0.0}, "sample_interval_s must lie in"),
        ({"cycles": 40}, "cycles must be a whole number from 1 to 31"),
        ({"current_mA_g": -10.0}, "current_mA_g must be a positive number"),
        ({"v_min": 4.8, "v_max": 2.0}, "lower cutoff"),
    ],
)
def test_bad_dems_parameters_are_refused_before_anything_moves(session, kwargs, message):
    sample = sample_for("lnmo", DEMS_MASS_MG, DEMS_AREA_CM2)
    docs = []
    session.RE.subscribe(lambda name, doc: docs.append(name))
    with pytest.raises(ValueError, match=message):
        session.RE(dems_cycling(session.potentiostat, session.mass_spectrometer, sample, **kwargs))
    assert docs == []


def test_a_failing_run_stops_the_sampling_and_keeps_the_samples(session):
    sample = sample_for("lnmo", DEMS_MASS_MG, DEMS_AREA_CM2)
    session.assemble_sim_cell(sample)

    class Boom(RuntimeError):
        pass

    def explode_mid_charge(name, doc):
        if name == "event_page" and max(doc["data"].get("Ewe", [0])) > 4.2:
            raise Boom("analysis crashed")

    token = session.RE.subscribe(explode_mid_charge)
    try:
        with pytest.raises(Boom):
            session.RE(dems_cycling(session.potentiostat, session.mass_spectrometer, sample))
    finally:
        session.RE.unsubscribe(token)
    ms = session.mass_spectrometer
    assert ms.acquiring.get(use_monitor=False) == "Idle"
    assert session.potentiostat.status.get(use_monitor=False) != "Running"
    run = session.store.run(-1)
    dems, _ = dems_columns(run)
    assert dems["clock"].size > 3 * 3600 / 120  # the rest and part of the charge


def test_ctrl_c_keeps_sampling_and_abort_reads_out_every_sample(session):
    """Ctrl-C pauses the plan, not the instruments: the gas sampled meanwhile is kept."""
    import os
    import signal

    from bluesky.utils import RunEngineInterrupted
    from ophyd.status import SubscriptionStatus

    sample = sample_for("lnmo", DEMS_MASS_MG, DEMS_AREA_CM2)
    session.assemble_sim_cell(sample)
    ms = session.mass_spectrometer
    pages = []

    def interrupt_after_first_page(name, doc):
        if name == "event_page":
            pages.append(doc)
            if len(pages) == 1:
                os.kill(os.getpid(), signal.SIGINT)  # the operator presses Ctrl-C once

    token = session.RE.subscribe(interrupt_after_first_page)
    try:
        with pytest.raises(RunEngineInterrupted):
            session.RE(dems_cycling(session.potentiostat, ms, sample))
        assert ms.acquiring.get(use_monitor=False) == "Sampling"
        t_paused = ms.clock.get(use_monitor=False)
        # Wait on the instrument's clock (not the wall clock) for 20 h of sampling.
        SubscriptionStatus(ms.clock, lambda *, value, **kw: value >= t_paused + 72_000).wait(30)
        session.RE.abort("operator abort")
    finally:
        session.RE.unsubscribe(token)
    assert ms.acquiring.get(use_monitor=False) == "Idle"
    assert session.potentiostat.current.get(use_monitor=False) == 0
    run = session.store.run(-1)
    assert run.metadata["stop"]["exit_status"] == "abort"
    dems, _ = dems_columns(run)
    assert dems["clock"][-1] >= t_paused + 72_000  # the paused stretch was read out
    assert np.allclose(np.diff(dems["clock"]), 120.0)  # not one sample missing


def test_the_mass_spectrometer_is_also_a_detector(session):
    """trigger() takes one sample now: bp.count reads ion currents and the pressure."""
    import bluesky.plans as bp

    session.assemble_sim_cell(sample_for("lnmo", DEMS_MASS_MG, DEMS_AREA_CM2))
    ms = session.mass_spectrometer
    (uid,) = session.RE(bp.count([ms], num=3))
    table = session.store.run(uid)["primary"].read()
    assert table["dems_mz40"].values.min() > 1e-12  # the carrier swept into the quadrupole
    assert np.all(table["dems_pressure"].values > 1000)  # mbar
    assert table["dems_mz44"].values.max() < 1e-12  # a resting pristine cell makes no CO2
