"""CV, GITT and EIS without an IOC: plans' message sequences on the fake bench, the analyses
on synthetic data with known answers, and the potentiostat model's sweep and impedance."""

from __future__ import annotations

import math

import numpy as np
import pytest
from plan_bench import LNMO, Bench, fake, index, is_, set_index, sets_of, start_documents

from operando.analysis.cv import voltammogram_peaks
from operando.analysis.gitt import gitt_analysis, weppner_huggins_cm2_s, weppner_huggins_invalid
from operando.analysis.impedance import (
    fit_randles,
    fit_two_arc_cell,
    not_fittable,
    randles,
    two_arc_cell,
    two_arc_cell_of,
)
from operando.analysis.results import EisSummary, GittSummary
from operando.analysis.technique_runs import eis_summary
from operando.devices.impedance import ImpedanceAnalyzer
from operando.errors import BadRequest
from operando.instruments import TECHNIQUE_CODES
from operando.plans.techniques import cyclic_voltammetry, eis, gitt
from operando.sim.models import impedance as sim_impedance
from operando.sim.models.kinetics import SmallSignal, small_signal
from operando.sim.models.potentiostat import ComplianceError, Step
from operando.sim.models.world import World

SWEEP, CC, OCV, CV = (TECHNIQUE_CODES[k] for k in ("SWEEP", "CC", "OCV", "CV"))


@pytest.fixture
def bench() -> Bench:
    return Bench()


# --- plans ----------------------------------------------------------------------------------


def test_cv_programs_sweeps_up_and_down_with_their_scan_rate(bench):
    p = bench.pstat
    msgs = bench.run(
        cyclic_voltammetry(p, LNMO, v_min=3.5, v_max=4.8, scan_rate_mV_s=0.05, cycles=2)
    )
    (md,) = start_documents(msgs)
    assert md["plan_name"] == "cyclic_voltammetry"
    assert md["protocol"]["parameters"]["scan_rate_mV_s"] == 0.05
    proc = p.procedure
    assert sets_of(msgs, proc.technique) == [[SWEEP] * 4]
    assert sets_of(msgs, proc.voltage) == [[4.8, 3.5, 4.8, 3.5]]
    assert sets_of(msgs, proc.scan_rate) == [[0.05] * 4]
    assert set_index(msgs, proc.scan_rate) < index(msgs, is_("kickoff", p))
    assert sets_of(msgs, p.stop_cmd) == [1]  # left at open circuit


def test_a_cycle_plan_does_not_write_the_scan_rate(bench):
    from operando.plans import galvanostatic_cycle

    msgs = bench.run(galvanostatic_cycle(bench.pstat, LNMO, v_min=2.0, v_max=4.8, c_rate=0.1))
    assert sets_of(msgs, bench.pstat.procedure.scan_rate) == []
    # every procedure writes its gotos: none is left from an earlier one (a titration's)
    assert sets_of(msgs, bench.pstat.procedure.cutoff_goto) == [[0, 0]]


def test_gitt_rests_first_then_alternates_pulses_and_rests(bench):
    p = bench.pstat
    msgs = bench.run(gitt(p, LNMO, pulse_c_rate=0.1, pulse_s=600, rest_s=3600, v_max=4.8,
                          pulses=3))  # fmt: skip
    proc = p.procedure
    assert sets_of(msgs, proc.technique) == [[OCV, CC, OCV, CC, OCV, CC, OCV]]
    (durations,) = sets_of(msgs, proc.duration)
    assert durations == [3600, 600, 3600, 600, 3600, 600, 3600]
    i = 0.1 * 250.0 * LNMO.active_mass_g
    assert sets_of(msgs, proc.current)[0][1] == pytest.approx(i)
    assert sets_of(msgs, proc.e_upper)[0][1] == 4.8
    # a pulse that reaches 4.8 V jumps to the last rest: the titration ends there
    assert sets_of(msgs, proc.cutoff_goto) == [[0, 6, 0, 6, 0, 0, 0]]


def test_eis_holds_rests_then_reads_one_spectrum_into_its_stream(bench):
    p = bench.pstat
    analyzer = fake(ImpedanceAnalyzer, "X:PSTAT:", "eis")
    msgs = bench.run(eis(p, analyzer, LNMO, state_V=4.5, f_min_Hz=0.01, f_max_Hz=1e4))
    assert sets_of(msgs, p.procedure.technique) == [[CV, OCV]]
    assert sets_of(msgs, p.procedure.voltage)[0][0] == 4.5
    done = index(msgs, is_("wait"), index(msgs, is_("kickoff", p)))
    trigger = index(msgs, is_("trigger", analyzer))
    assert done < set_index(msgs, analyzer.f_min) < trigger
    assert index(msgs, lambda m: m.command == "create" and m.kwargs.get("name") == "eis") > trigger
    assert set_index(msgs, p.stop_cmd) > trigger


@pytest.mark.parametrize(
    "make",
    [
        lambda b: cyclic_voltammetry(b.pstat, LNMO, v_min=4.0, v_max=3.0, scan_rate_mV_s=0.1),
        lambda b: cyclic_voltammetry(b.pstat, LNMO, v_min=3.0, v_max=4.0, scan_rate_mV_s=0),
        lambda b: cyclic_voltammetry(b.pstat, LNMO, v_min=3, v_max=4, scan_rate_mV_s=1, cycles=40),
        lambda b: gitt(b.pstat, LNMO, pulse_c_rate=0.1, pulse_s=-1, rest_s=60, v_max=4.8),
        lambda b: eis(b.pstat, None, LNMO, state_V=4.5, f_min_Hz=10, f_max_Hz=1),
        lambda b: eis(b.pstat, None, LNMO, state_V=4.5, f_min_Hz=1e-6, f_max_Hz=1),
    ],
)
def test_bad_requests_are_refused_before_any_message(bench, make):
    with pytest.raises(BadRequest):
        make(bench)


# --- analyses on synthetic data ---------------------------------------------------------


def test_randles_fit_recovers_the_circuit_it_was_made_from():
    truth = {"r_s_ohm": 12.0, "r_ct_ohm": 250.0, "c_dl_F": 2e-5, "warburg_sigma": 40.0}
    freq = np.logspace(5, -2, 57)
    rng = np.random.default_rng(3)
    z = randles(freq, *truth.values()) * (1 + rng.normal(0, 0.003, freq.size))
    fit = fit_randles(freq, z)
    for key, value in truth.items():
        assert fit[key] == pytest.approx(value, rel=0.05), key
    assert fit["fit_rms_rel"] < 0.01


@pytest.mark.parametrize("f_min_Hz", [1e-2, 1e-4])
def test_randles_fit_of_the_simulators_spherical_diffusion_gets_r_ct_and_r2_over_d(f_min_Hz):
    # a diffusion tail as large as the charge transfer, followed down to omega tau << 1,
    # where a semi-infinite Warburg would bend R_ct by -30 %
    s = SmallSignal(40.0, 100.0, 2.2e-3, 50.0, 1000.0)
    freq = sim_impedance.frequencies_Hz(f_min_Hz, 1e4, 8)
    z = sim_impedance.measure(freq, s, np.random.default_rng(1))
    fit = fit_randles(freq, z)
    assert fit["r_ct_ohm"] == pytest.approx(100.0, rel=0.02)
    assert fit["warburg_sigma"] == pytest.approx(50.0, rel=0.02)
    assert fit["diffusion_time_s"] == pytest.approx(1000.0, rel=0.1)


@pytest.mark.parametrize("order", ["film first", "film second"])
def test_two_arc_fit_recovers_a_film_and_a_depressed_charge_transfer_arc(order):
    film, ct = (8.0, 2e-5, 0.8), (40.0, 3e-3, 0.9)  # R (ohm), Q (F s^(n-1)), n
    arcs = film + ct if order == "film first" else ct + film
    freq = np.logspace(4, -2, 61)
    rng = np.random.default_rng(2)
    z = two_arc_cell(freq, 4.0, *arcs, 5.0, 300.0)
    z = z * (1 + 0.002 * rng.standard_normal(z.size))
    fit = fit_two_arc_cell(freq, z)
    # the arc of the higher apex frequency is the film, whichever slot it was in
    assert fit["r_film_ohm"] == pytest.approx(8.0, rel=0.05)
    assert fit["r_ct_ohm"] == pytest.approx(40.0, rel=0.05)
    assert (fit["n_film"], fit["n_dl"]) == pytest.approx((0.8, 0.9), abs=0.03)
    assert fit["film_frequency_Hz"] > fit["ct_frequency_Hz"]
    assert fit["c_dl_F"] == pytest.approx(3e-3 ** (1 / 0.9) * 40.0 ** (0.1 / 0.9), rel=0.1)
    assert fit["fit_rms_rel"] < 0.01 and fit["warnings"] == []
    rebuilt = two_arc_cell_of(fit, freq)
    assert np.max(np.abs(rebuilt - z) / np.abs(z)) < 0.02


def test_a_spectrum_without_a_cells_arcs_is_not_fitted_and_says_why():
    freq = np.logspace(5, 2, 16)
    inductive = 2.0 + 1j * 2 * np.pi * freq * 1e-6
    assert "inductive" in not_fittable(freq, inductive)
    with pytest.raises(ValueError, match="inductive"):
        fit_two_arc_cell(freq, inductive)
    assert "at least 10" in not_fittable(freq[:5], 1 - 1j * freq[:5])


def _synthetic_gitt(d_cm2_s: float, radius_um: float, tau: float = 100.0, n: int = 4):
    """A transient obeying Weppner-Huggins exactly: E rises as sqrt(t) in each pulse (on
    top of an ohmic step) and the rested potential by dEs per pulse."""
    des = 0.01
    slope = des * (radius_um * 1e-4 / 3) * 2 / (math.sqrt(math.pi * d_cm2_s) * tau)
    t, e, i, step = [], [], [], []
    clock, rested, k = 0.0, 4.0, 1
    for _ in range(n):
        for dt in np.linspace(0, 1000, 11):  # rest
            t.append(clock + dt), e.append(rested), i.append(0.0), step.append(k)
        clock, k = clock + 1000, k + 1
        for dt in np.linspace(0, tau, 21):  # pulse
            t.append(clock + dt), e.append(rested + 0.02 + slope * math.sqrt(dt))
            i.append(0.1), step.append(k)
        clock, k, rested = clock + tau, k + 1, rested + des
    for dt in np.linspace(0, 1000, 11):
        t.append(clock + dt), e.append(rested), i.append(0.0), step.append(k)
    return [np.array(a) for a in (t, e, i, step)]


def test_weppner_huggins_recovers_d_of_a_synthetic_transient():
    t, e, i, step = _synthetic_gitt(3e-11, 2.0)
    pulses = gitt_analysis(t, e, i, step, radius_um=2.0, active_mass_mg=1.0,
                           formula="LiNi0.5Mn1.5O4", li_pristine=1.0)  # fmt: skip
    assert len(pulses) == 4
    for p in pulses:
        assert p["diffusion_coefficient_cm2_s"] == pytest.approx(3e-11, rel=1e-6)
    x = [p["x_li"] for p in pulses]
    assert x[0] < 1.0 and all(b < a for a, b in zip(x, x[1:], strict=False))
    summary = GittSummary("u", 2.0, pulses).to_json()
    assert summary["diffusion_coefficient_cm2_s"][0] == pytest.approx(3e-11, rel=1e-3)


def test_a_pulse_across_a_step_of_the_titration_curve_gets_no_d_and_a_reason():
    t, e, i, step = _synthetic_gitt(3e-11, 2.0)
    # the rested potential jumps 0.5 V across the second pulse (a two-phase step ending),
    # while the transient during it rises as little as in the others
    e = e + np.where(t > 2 * 1000 + 2 * 100.0, 0.5, 0.0)
    pulses = gitt_analysis(t, e, i, step, radius_um=2.0, active_mass_mg=1.0,
                           formula="LiNi0.5Mn1.5O4", li_pristine=1.0)  # fmt: skip
    d = [p["diffusion_coefficient_cm2_s"] for p in pulses]
    assert d[1] is None and "not short" in pulses[1]["weppner_huggins_invalid"]
    assert [p["weppner_huggins_invalid"] for p in pulses[::2]] == [None, None]
    assert d[0] == pytest.approx(3e-11, rel=1e-6)


def test_weppner_huggins_refuses_a_transient_against_the_rested_potential():
    reason = weppner_huggins_invalid(100.0, 0.01, -0.02, 3e-11, 2.0)
    assert "differ in sign" in reason
    assert weppner_huggins_invalid(100.0, 0.01, 0.02, 3e-11, 2.0) is None


def test_weppner_huggins_scales_with_the_particle_radius_squared():
    assert weppner_huggins_cm2_s(100, 0.01, 0.001, 2.0) == pytest.approx(
        4 * weppner_huggins_cm2_s(100, 0.01, 0.001, 1.0)
    )


def test_cv_peaks_of_a_synthetic_voltammogram_strongest_first():
    up = np.linspace(3.5, 5.0, 301)
    down = up[::-1]
    i_up = 0.2 * np.exp(-(((up - 4.70) / 0.02) ** 2)) + 0.1 * np.exp(-(((up - 4.76) / 0.02) ** 2))
    i_down = -0.15 * np.exp(-(((down - 4.66) / 0.02) ** 2))
    ewe = np.concatenate((up, down))
    cur = np.concatenate((i_up, i_down))
    step = np.concatenate((np.full(301, 7), np.full(301, 8)))
    (cycle,) = voltammogram_peaks(ewe, cur, step)
    assert cycle["anodic_peaks_V"] == pytest.approx([4.70, 4.76], abs=0.006)
    assert cycle["cathodic_peaks_V"] == pytest.approx([4.66], abs=0.006)
    assert cycle["peak_currents_mA"]["anodic"][0] == pytest.approx(0.2, rel=0.02)


class _EisRun:
    """A stored EIS run as eis_summary reads it: one event in the ``eis`` stream."""

    def __init__(self, freq: np.ndarray, z: np.ndarray):
        import xarray as xr

        self.metadata = {"start": {"uid": "u"}}
        self._eis = xr.Dataset({
            "eis_n": ("time", [freq.size]), "eis_ewe": ("time", [4.2]),
            "eis_freq": (("time", "k"), [freq]), "eis_z_re": (("time", "k"), [z.real]),
            "eis_z_im": (("time", "k"), [z.imag]),
        })  # fmt: skip

    def __getitem__(self, stream: str):
        assert stream == "eis"
        return self

    def read(self):
        return self._eis


def test_eis_summary_adds_the_two_arc_fit_where_randles_does_not_describe_the_spectrum():
    freq = np.logspace(4, -2, 49)
    film_cell = two_arc_cell(freq, 4.0, 8.0, 2e-5, 0.8, 40.0, 3e-3, 0.9, 5.0, 300.0)
    summary = eis_summary(_EisRun(freq, film_cell))
    assert summary.fit_rms_rel > 0.05 and summary.two_arc["fit_rms_rel"] < 0.01
    assert summary.two_arc["r_ct_ohm"] == pytest.approx(40.0, rel=0.05)
    assert "two_arc" in summary.warnings[0]
    ideal = randles(freq, 40.0, 100.0, 2.2e-3, 50.0, 1000.0)
    summary = eis_summary(_EisRun(freq, ideal))
    assert summary.two_arc is None and summary.warnings == []
    inductive = eis_summary(_EisRun(freq, 2.0 + 1j * 2 * np.pi * freq * 1e-6))
    assert inductive.r_ct_ohm is None and "inductive" in inductive.warnings[0]


def test_eis_summary_keeps_small_numbers():
    out = EisSummary("u", 40.0, 760.0, 3.4e-5, 3.0, 0.005, 4.7, 49).to_json()
    assert out["c_dl_F"] == pytest.approx(3.4e-5)


# --- the potentiostat model -------------------------------------------------------------


def test_a_sweep_moves_the_potential_linearly_to_its_vertex():
    w = World(1.0)
    w.new_cell("lnmo-spinel", 1.0, 1.13)
    p = w.potentiostat
    e0 = p.ewe_V
    p.steps = [Step("SWEEP", voltage_V=e0 + 0.3, scan_rate_mV_s=1.0)]
    p.record_dE_V, p.record_dt_s = 0.01, 1e4
    p.start()
    p.advance(p.t + 400.0)
    assert (p.status, p.end_reason) == ("Limit reached", "vertex")
    b = p.buffer.columns
    t, e = np.array(b["t"]), np.array(b["ewe"])
    assert e[-1] == pytest.approx(e0 + 0.3, abs=1e-6)
    assert np.polyfit(t - t[0], e, 1)[0] == pytest.approx(1e-3, rel=0.01)  # V/s


def test_a_voltage_cutoff_jumps_to_the_step_its_goto_names_and_a_backward_goto_is_refused():
    w = World(1.0)
    w.new_cell("lnmo-spinel", 1.0, 1.13)
    p = w.potentiostat
    cc = Step("CC", current_mA=0.15, e_upper_V=4.0, duration_s=3600.0, cutoff_goto=3)
    p.steps = [cc, Step("OCV", duration_s=10.0), cc, Step("OCV", duration_s=60.0)]
    p.record_dE_V, p.record_dt_s = 0.01, 1e4
    before = p.step_count
    p.start()
    p.advance(p.t + 1e5)
    assert (p.status, p.end_reason, p.step_index) == ("Limit reached", "duration", 3)
    assert p.step_count - before == 2  # the cut pulse, then straight to the last rest
    p.steps = [Step("OCV", duration_s=10.0), Step("CC", current_mA=0.1, cutoff_goto=1)]
    with pytest.raises(ComplianceError, match="step 1: cutoff goto 1"):
        p.start()


def test_a_sweep_without_a_scan_rate_is_refused():
    w = World(1.0)
    w.new_cell("lnmo-spinel", 1.0, 1.13)
    w.potentiostat.steps = [Step("SWEEP", voltage_V=4.0)]
    with pytest.raises(ComplianceError, match="scan rate"):
        w.potentiostat.start()


def test_impedance_is_the_cells_small_signal_with_noise_and_refused_while_running():
    w = World(1.0)
    cell = w.new_cell("lnmo-spinel", 1.0, 1.13)
    p = w.potentiostat
    freq, z = p.measure_impedance(0.01, 1e4, 8)
    assert freq[0] == pytest.approx(1e4) and freq[-1] == pytest.approx(0.01)
    r_s = small_signal(cell, cell.temperature_K).r_s_ohm
    assert z.real[0] == pytest.approx(r_s, rel=0.05)
    p.steps = [Step("OCV", duration_s=100.0)]
    p.start()
    with pytest.raises(ComplianceError, match="idle"):
        p.measure_impedance(0.01, 1e4, 8)


# --- the command line ---------------------------------------------------------------------

SPINEL = ["--material", "lnmo-spinel", "--mass-mg", "1"]


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["cv", *SPINEL, "--v-min", "5", "--v-max", "4", "--scan-rate-mV-s", "0.1"], "cutoff"),
        (["cv", *SPINEL, "--v-min", "3", "--v-max", "6", "--scan-rate-mV-s", "0.1"], "window"),
        (
            [
                "gitt",
                *SPINEL,
                "--pulse-c-rate",
                "1",
                "--pulse-s",
                "60",
                "--rest-s",
                "60",
                "--v-max",
                "5",
                "--particle-radius-um",
                "0",
            ],
            "particle-radius",
        ),  # fmt: skip
        (["eis", *SPINEL, "--state-V", "4.7", "--f-min-Hz", "10", "--f-max-Hz", "1"], "f_min"),
        (["eis", *SPINEL, "--state-V", "7", "--f-min-Hz", "1", "--f-max-Hz", "10"], "window"),
    ],
)
def test_cli_refuses_bad_input_in_one_line_before_anything(tmp_path, capsys, argv, says):
    from operando.cli import main

    data = tmp_path / "data"
    assert main(["run", *argv, "--data", str(data), "--json"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and says in err[0], err
    assert not data.exists()
