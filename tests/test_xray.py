"""The X-ray endstations through Channel Access: ex situ electrodes prepared by the
potentiostat, Ni L and Ru K absorption, RIXS maps, refusals."""

from __future__ import annotations

import bluesky.plans as bp
import numpy as np
import pytest

from operando.analysis.xray_report import hard_xas_summary, rixs_summary, soft_xas_summary
from operando.devices.instrument import InstrumentRefused
from operando.plans.xray import rixs_map, xas_series
from operando.sim.models.ru_k import RU5_SITE_SHIFT_EV
from operando.studies.electrodes import REFERENCE_SLOTS, REFERENCE_VALENCE, prepare_electrode
from operando.studies.running import simulator_time_scale

FAST_TIME_SCALE = 1_000_000.0  # no gas sampling: the simulator's CPU sets the pace


# Each test sets up its own cell or electrode and finds its run by uid or as the latest:
# one session serves the module (tests/conftest.py, shared_session).
ONE_SESSION_PER_MODULE = True


@pytest.fixture(scope="module")
def electrodes(beamline, tmp_path_factory):
    """pristine, 4.8 V and 2.0 V electrodes of both materials, mounted in slots 1..6 of the
    simulated beamline once for this module."""
    from operando.session import make_session

    data = tmp_path_factory.mktemp("electrodes") / "data"
    s = make_session(str(data), prefix=beamline.prefix, ca_port=beamline.port)
    slots = {}
    try:
        states = [(m, st) for m in ("lnmo", "lnro") for st in ("pristine", "4.8V", "2.0V")]
        # The electrodes are taken out at their cutoffs on the instrument: the clock may run
        # as fast as the simulator can follow (as the demo prepares them).
        with simulator_time_scale(s, FAST_TIME_SCALE):
            for n, (material, state) in enumerate(states, start=1):
                slots[(material, state)] = n
                # C/50 as in the paper: at C/10 the particles' cores lag their surface and a
                # "2.0 V" LNMO electrode still holds oxidised lattice oxygen (diffusion).
                prepare_electrode(s, material, state, n, c_rate=1 / 50)
    finally:
        s.potentiostat.open_circuit()
        s.close()
    return slots


def test_ru_k_edge_valence_and_exafs(session, electrodes):
    lnro = [electrodes[("lnro", s)] for s in ("pristine", "4.8V", "2.0V")]
    refs = sorted(REFERENCE_SLOTS.values())
    plan = xas_series(session.hard_xray, "ru-k", lnro + refs, md={"references": REFERENCE_VALENCE})
    (uid,) = session.RE(plan)
    summary = hard_xas_summary(session.store.run(uid))
    assert summary["calibration"]["monotonic"]
    s = summary["samples"]
    pristine, charged, discharged = s["lnro pristine"], s["lnro 4.8V"], s["lnro 2.0V"]
    assert pristine["valence"] == pytest.approx(4.0, abs=0.2)
    assert charged["valence"] == pytest.approx(5.0, abs=0.3)
    assert discharged["valence"] == pytest.approx(pristine["valence"], abs=0.3)
    # Ru4+ -> Ru5+ sites (lever rule, 1.5 eV for the whole step): most of the Ru oxidised.
    shift = charged["edge_energy_eV"] - pristine["edge_energy_eV"]
    assert 1.0 < shift <= RU5_SITE_SHIFT_EV + 0.1
    (o, tm), (o_charged, tm_charged) = pristine["exafs_peaks_A"], charged["exafs_peaks_A"]
    assert o == pytest.approx(1.4, abs=0.15) and 2.3 < tm < 2.7
    assert o_charged < o and tm_charged < tm  # both shells contract on charge
    # The Ru foil in the reference path fixes the energy scale.
    assert s["RuO2"]["reference_foil_e0_eV"] == pytest.approx(22117.0, abs=0.5)


def test_ni_l3_follows_the_nickel_valence(session, electrodes):
    (uid,) = session.RE(xas_series(session.soft_xray, "ni-l", list(electrodes.values())))
    s = soft_xas_summary(session.store.run(uid))
    ratio = {name: (v["tey"]["ni_l3_ratio"], v["fy"]["ni_l3_ratio"]) for name, v in s.items()}
    for material in ("lnmo", "lnro"):
        tey, fy = ratio[f"{material} pristine"]
        assert tey < 0.6 and fy < 0.6  # Ni2+ in both yields
        tey, fy = ratio[f"{material} 2.0V"]
        assert tey < 0.6 and fy < 0.6  # back to Ni2+
        tey, fy = ratio[f"{material} 4.8V"]
        assert tey < fy  # the surface (TEY) is more reduced than the bulk (FY)
    assert ratio["lnmo 4.8V"][1] > 4.0  # Ni4+-like
    assert 1.0 < ratio["lnro 4.8V"][1] < ratio["lnmo 4.8V"][1]  # mixed Ni3+/Ni4+
    assert s["lnmo pristine"]["fy"]["peaks_eV"][0] == pytest.approx(852.9, abs=0.2)
    assert s["lnmo 4.8V"]["fy"]["peaks_eV"][0] == pytest.approx(855.1, abs=0.2)


def test_mn_l_barely_changes_and_reduces_a_little_after_discharge(session, electrodes):
    lnmo = [electrodes[("lnmo", s)] for s in ("pristine", "4.8V", "2.0V")]
    (uid,) = session.RE(xas_series(session.soft_xray, "mn-l", lnmo))
    s = soft_xas_summary(session.store.run(uid))
    for y in ("tey", "fy"):
        c = {st: s[f"lnmo {st}"][y]["mn_l3_centroid_eV"] for st in ("pristine", "4.8V", "2.0V")}
        assert abs(c["4.8V"] - c["pristine"]) < 0.1  # eV: no major change on charge
        assert -0.5 < c["2.0V"] - c["pristine"] < -0.05  # a small reduction after discharge


def test_rixs_oxidised_oxygen_feature(session, electrodes):
    result = {}
    for key, slot in electrodes.items():
        (uid,) = session.RE(rixs_map(session.soft_xray, slot))
        result[key] = rixs_summary(session.store.run(uid))

    def close(a, b):  # within 3 standard deviations of counting noise
        sigma = np.hypot(a["feature_intensity_sigma"], b["feature_intensity_sigma"])
        return abs(a["feature_intensity"] - b["feature_intensity"]) < 3 * sigma

    pristine = result[("lnmo", "pristine")]
    assert result[("lnmo", "4.8V")]["feature_intensity"] >= 5 * pristine["feature_intensity"]
    assert close(result[("lnmo", "2.0V")], pristine)
    assert close(result[("lnro", "4.8V")], result[("lnro", "pristine")])


def test_monochromator_is_a_positioner_for_bp_scan(session, electrodes):
    sx = session.soft_xray
    sx.holder.slot.set(electrodes[("lnmo", "pristine")]).wait()
    (uid,) = session.RE(bp.scan([sx.counters, sx.holder], sx.mono, 850.0, 856.0, 7))
    table = session.store.run(uid)["primary"].read()
    assert np.allclose(table["sxr_energy"].values, np.linspace(850, 856, 7))
    assert set(table["sxr_holder_sample"].values) == {"lnmo pristine"}
    tey = table["sxr_tey"].values / table["sxr_i0"].values
    assert np.argmax(tey) == 3  # the Ni2+ L3 peak at 852.9 eV


def test_a_refused_put_fails_at_once_and_leaves_other_pending_puts_alone(session, electrodes):
    """The instrument names the PV it refused (LastErrorPV): that put fails at once with
    the reason, and a holder move pending at the same time goes on to complete."""
    import time

    from operando.devices.instrument import REFUSAL_TIMEOUT_S
    from operando.sim.ioc.records import HOLDER_MOVE_S

    sx = session.soft_xray
    with simulator_time_scale(session, HOLDER_MOVE_S / (REFUSAL_TIMEOUT_S + 1.0)):  # ~4 s
        move = sx.holder.slot.set(electrodes[("lnro", "2.0V")])
        started = time.monotonic()
        with pytest.raises(InstrumentRefused, match="preset counting time"):
            sx.counters.dwell.set(-1.0).wait(timeout=30)
        assert time.monotonic() - started < REFUSAL_TIMEOUT_S  # not the grace period
        assert not move.done
        move.wait(timeout=30)
    assert sx.holder.sample.get() == "lnro 2.0V"


def test_a_move_slower_than_the_refusal_grace_after_an_old_refusal_succeeds(session, electrodes):
    """An old refusal in LastError and a move that completes after REFUSAL_TIMEOUT_S: the
    move succeeds (a slow IOC is not a refusing one; CI once failed this way)."""
    import time

    from operando.devices.instrument import REFUSAL_TIMEOUT_S
    from operando.sim.ioc.records import HOLDER_MOVE_S

    sx = session.soft_xray
    with pytest.raises(InstrumentRefused, match="not a whole slot"):
        sx.holder.slot.set(1.5).wait()
    with simulator_time_scale(session, HOLDER_MOVE_S / (REFUSAL_TIMEOUT_S + 1.0)):
        started = time.monotonic()
        sx.holder.slot.set(electrodes[("lnmo", "4.8V")]).wait(timeout=30)
        assert time.monotonic() - started > REFUSAL_TIMEOUT_S
    assert sx.holder.sample.get() == "lnmo 4.8V"


def test_bad_x_ray_requests_are_refused(session):
    sx, hx = session.soft_xray, session.hard_xray
    with pytest.raises(ValueError, match="unknown edge"):
        xas_series(sx, "xx-k", [1])
    with pytest.raises(ValueError, match="hard X-ray endstation"):
        xas_series(sx, "ru-k", [1])
    with pytest.raises(ValueError, match="outside the monochromator's range"):
        sx.mono.set(20000.0)
    with pytest.raises(ValueError, match="monochromator covers"):
        rixs_map(sx, 1, excitation_eV=[100.0, 101.0])
    with pytest.raises(ValueError, match="outside the holder's positions"):
        sx.holder.slot.set(40)  # beyond the motor record's limits: nothing is written
    with pytest.raises(InstrumentRefused, match="not a whole slot"):
        sx.holder.slot.set(1.5).wait()  # the IOC refuses, LastError says why
    with pytest.raises(InstrumentRefused, match="dwell"):  # the scaler's preset time
        hx.counters.dwell.set(-1.0).wait()
    sx.holder.slot.set(16).wait()  # nothing mounted there
    with pytest.raises(InstrumentRefused, match="slot 16 of the holder is empty"):
        sx.counters.trigger().wait()


def test_rixs_difference_map_isolates_the_feature():
    from operando.analysis.rixs import FEATURE_ROI, assemble
    from operando.sim.models.endstation import RIXS_EMISSION_EV
    from operando.sim.models.xray import ElectrodeState, rixs_spectrum

    excitation = np.arange(526.0, 536.01, 0.25)
    charged = ElectrodeState("c", "lnmo", {"O2-/On-": 1.0, "Ni3+/Ni4+": 1.0}, {"O2-/On-": 0.2})
    pristine = ElectrodeState("p", "lnmo", {}, {})

    def make(state):
        spectra = np.array([rixs_spectrum(e, RIXS_EMISSION_EV, state) for e in excitation])
        return assemble(excitation, RIXS_EMISSION_EV, spectra * 1e4, np.full(excitation.size, 1e4))

    difference = make(charged) - make(pristine)
    peak = np.unravel_index(np.argmax(difference.intensity), difference.intensity.shape)
    assert difference.excitation_eV[peak[0]] == pytest.approx(530.8, abs=0.25)
    assert difference.emission_eV[peak[1]] == pytest.approx(523.75, abs=0.1)
    assert difference.roi_sum(FEATURE_ROI) > 0
