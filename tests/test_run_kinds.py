"""The registry of run kinds and the typed summaries: every plan's runs have a kind with
figures; summaries of runs built from documents serialise to the command line's JSON keys
and hold the numbers built into the run."""

from __future__ import annotations

import json

import numpy as np
import pytest
from event_model import compose_run
from plan_bench import LNMO, Bench, fake, start_documents

from operando import plans
from operando.analysis.document_run import DocumentRun
from operando.analysis.results import (
    CyclingSummary,
    DemsSummary,
    InSituSummary,
    RixsSummary,
    XasSummary,
)
from operando.analysis.run_kinds import IMPORTED_PLAN_NAMES, RUN_KINDS, kind_of, summarize
from operando.analysis.run_summary import RunSummary
from operando.devices.impedance import ImpedanceAnalyzer
from operando.errors import BadRequest
from operando.reports.figures import FIGURES
from operando.sample import molar_mass

FARADAY_MAH_PER_MOL = 96485.332 / 3.6

# One call of every user plan, on fake instruments. A plan added to operando.plans.PLANS
# must be added here, with the kind of the runs it makes.
INVOCATIONS = {
    "galvanostatic": (lambda b: plans.galvanostatic(b.pstat, LNMO, cutoff_V=4.8, c_rate=0.1),
                      ["cycling"]),
    "galvanostatic_cycle": (
        lambda b: plans.galvanostatic_cycle(b.pstat, LNMO, v_min=2.0, v_max=4.8, c_rate=0.1),
        ["cycling"],
    ),
    "ocv_rest": (lambda b: plans.ocv_rest(b.pstat, LNMO, 3600.0), ["cycling"]),
    "potentiostatic_hold": (
        lambda b: plans.potentiostatic_hold(b.pstat, LNMO, 4.0, duration_s=3600.0), ["cycling"]
    ),
    "dems_cycling": (
        lambda b: plans.dems_cycling(b.pstat, b.ms, LNMO, rest_s=3600.0, sample_interval_s=60.0),
        ["dems"],
    ),
    "charge_and_measure": (
        lambda b: plans.charge_and_measure(
            b.pstat, LNMO, [4.5], c_rate=0.1, mass_spectrometer=b.ms, gas_sample=True
        ),
        ["charge_and_measure"],
    ),
    "in_situ_xas_cycling": (
        lambda b: plans.in_situ_xas_cycling(b.pstat, b.hard, LNMO, c_rate=0.5), ["in_situ"]
    ),
    # One electrode is a series of one: its run is an xas_series run.
    "xas_scan": (lambda b: plans.xas_scan(b.soft, "mn-l", 1), ["xas"]),
    "xas_series": (lambda b: plans.xas_series(b.soft, "mn-l", [1]), ["xas"]),
    "rixs_map": (lambda b: plans.rixs_map(b.soft, 1, excitation_eV=[530.0, 531.0]), ["rixs"]),
    # The soft and hard endstations together: an xas_series run of each.
    "xas_series_together": (
        lambda b: plans.xas_series_together(
            plans.EdgeSeries(b.with_fly_scans().soft, "mn-l", [1]),
            plans.EdgeSeries(b.hard, "ru-k", [17, 18]),
        ),
        ["xas", "xas"],
    ),
    # Preparing electrodes makes the charge and cycle runs of the potentiostat (none for a
    # pristine electrode): cycling runs.
    "prepare_ex_situ_electrodes": (
        lambda b: plans.prepare_ex_situ_electrodes(b.pstat, b.sim, LNMO,
                                                   ("pristine", "4.5V", "2.0V")),
        ["cycling", "cycling"],
    ),
    "cyclic_voltammetry": (
        lambda b: plans.cyclic_voltammetry(b.pstat, LNMO, v_min=3.0, v_max=4.8,
                                           scan_rate_mV_s=0.1), ["cv"],
    ),
    "gitt": (
        lambda b: plans.gitt(b.pstat, LNMO, pulse_c_rate=0.1, pulse_s=600, rest_s=3600,
                             v_max=4.8), ["gitt"],
    ),
    "eis": (
        lambda b: plans.eis(b.pstat, fake(ImpedanceAnalyzer, "X:PSTAT:", "eis"), LNMO,
                            state_V=4.5, f_min_Hz=0.01, f_max_Hz=1e4), ["eis"],
    ),
}  # fmt: skip


def _started(md: dict) -> DocumentRun:
    run = DocumentRun()
    run.start({"uid": "0123456789", "time": 0.0, **md})
    return run


def test_every_user_plan_has_an_invocation_here():
    assert set(INVOCATIONS) == set(plans.PLANS)


@pytest.fixture(scope="module")
def runs_of() -> dict[str, list[dict]]:
    """The start metadata of the runs each plan opens, simulated once for this module."""
    out = {}
    for name, (make, _) in INVOCATIONS.items():
        bench = Bench()
        out[name] = start_documents(bench.run(make(bench)))
    return out


@pytest.mark.parametrize("plan_name", sorted(INVOCATIONS))
def test_the_runs_of_every_plan_have_a_registered_kind(plan_name, runs_of):
    _, kinds = INVOCATIONS[plan_name]
    # kind_of refuses a run whose plan_name is not registered (these have no primary yet)
    assert [kind_of(_started(md)).name for md in runs_of[plan_name]] == kinds


def test_every_registered_plan_name_is_one_a_plan_writes(runs_of):
    written = {md["plan_name"] for runs in runs_of.values() for md in runs}
    registered = {name for kind in RUN_KINDS for name in kind.plan_names}
    assert registered - IMPORTED_PLAN_NAMES == written  # imported runs: operando import
    assert len(registered) == sum(len(kind.plan_names) for kind in RUN_KINDS)  # one kind each


def test_every_kind_has_figures_and_every_figure_set_a_kind():
    names = [kind.name for kind in RUN_KINDS]
    assert len(set(names)) == len(names)
    assert set(FIGURES) == set(names)
    for name in names:
        assert FIGURES[name] and all(callable(f) for f in FIGURES[name])


def test_a_run_of_an_unknown_plan_is_refused_unless_it_has_potentiostat_points():
    with pytest.raises(BadRequest, match="no summary for this kind of run; known plans are"):
        kind_of(_started({"plan_name": "count"}))
    run = _document_run({"plan_name": "my_own_charge", "sample": LNMO.as_metadata()},
                        {"primary": (_cycling_columns(LNMO.active_mass_mg), None)})  # fmt: skip
    assert kind_of(run).name == "cycling"


# --- synthetic runs built from event-model documents -----------------------------------------


def _documents(start_md: dict, streams: dict) -> list[tuple[str, dict]]:
    """The documents of a run, one event page per stream, composed with event_model.
    streams: name -> (columns, configuration of the descriptor)."""
    bundle = compose_run(metadata=start_md)
    docs = [("start", bundle.start_doc)]
    for name, (columns, configuration) in streams.items():
        data_keys = {
            key: {"source": "synthetic", "dtype": "number", "shape": []} for key in columns
        }
        desc = bundle.compose_descriptor(
            name=name, data_keys=data_keys, configuration=configuration or {}
        )
        n = len(next(iter(columns.values())))
        stamps = [float(v) for v in columns.get("clock", np.arange(n))]
        page = desc.compose_event_page(
            data={key: [float(v) for v in values] for key, values in columns.items()},
            timestamps={key: stamps for key in columns},
            seq_num=list(range(1, n + 1)),
            validate=False,  # built here from arrays; validating a long page costs ~1 s
        )
        docs += [("descriptor", desc.descriptor_doc), ("event_page", page)]
    return [*docs, ("stop", bundle.compose_stop())]


def _document_run(start_md: dict, streams: dict, router=None):
    """A run's documents fed to router (a DocumentRun by default), which is returned."""
    router = router or DocumentRun()
    for name, doc in _documents(start_md, streams):
        router(name, doc)
    return router


T0 = 1.7e9  # instrument clock at the start (POSIX s)


def _cycling_columns(mass_mg: float, rest_h: float = 0.0) -> dict[str, np.ndarray]:
    """A galvanostatic cycle recorded every 60 s: an optional rest, 10 h of charge at
    +0.1 mA from 3.0 to 4.8 V, then 8 h of discharge at -0.1 mA to 2.0 V (the instrument
    records the end of one step and the start of the next at the same time)."""
    rest = np.arange(0.0, rest_h * 3600, 60.0)
    t_charge = rest_h * 3600 + np.arange(0.0, 10 * 3600 + 1, 60.0)
    t_discharge = t_charge[-1] + np.arange(0.0, 8 * 3600 + 1, 60.0)
    t = np.concatenate([rest, t_charge, t_discharge])
    current = np.concatenate([np.zeros(rest.size), np.full(t_charge.size, 0.1),
                              np.full(t_discharge.size, -0.1)])  # fmt: skip
    ewe = np.concatenate([
        np.full(rest.size, 3.0),
        np.linspace(3.0, 4.8, t_charge.size),
        np.linspace(4.6, 2.0, t_discharge.size),
    ])  # fmt: skip
    step = np.concatenate([np.full(rest.size, 1), np.full(t_charge.size, 2),
                           np.full(t_discharge.size, 3)])  # fmt: skip
    q = np.concatenate([[0.0], np.cumsum(0.5 * (current[1:] + current[:-1]) * np.diff(t))]) / 3600
    return {"clock": T0 + t, "t": t, "Ewe": ewe, "I": current, "Q": q, "step": step}


CYCLE_KEYS = {
    "uid", "charge_capacity_mAh_g", "dqdv_charge_peaks_V", "discharge_capacity_mAh_g",
    "dqdv_discharge_peaks_V", "coulombic_efficiency_pct", "li_removed", "li_inserted",
    "mean_discharge_V", "cycles",
}  # fmt: skip
PER_CYCLE_KEYS = {
    "cycle", "charge_capacity_mAh_g", "discharge_capacity_mAh_g", "mean_discharge_V",
    "coulombic_efficiency_pct",
}  # fmt: skip
DEMS_KEYS = CYCLE_KEYS | {
    "detection_limits_nmol_min", "lattice_o_loss_pct", "o2_capacity_mAh_g",
    "irreversible_capacity_mAh_g", "o2_share_of_irreversible_pct", "electrons_per_o2",
    "o2_umol", "o2_onset_V", "o2_max_rate_nmol_min", "co2_umol", "co2_onset_V",
    "co2_max_rate_nmol_min", "h2_umol", "h2_onset_V", "h2_max_rate_nmol_min", "cycles",
}  # fmt: skip
DEMS_CYCLE_KEYS = PER_CYCLE_KEYS | {
    "cycle", "o2_umol", "co2_umol", "h2_umol", "o2_onset_V", "co2_onset_V",
    "o2_max_rate_nmol_min", "co2_max_rate_nmol_min", "h2_max_rate_nmol_min",
}  # fmt: skip


def _cycling_md(plan_name: str, sample) -> dict:
    return {"plan_name": plan_name, "sample": sample.as_metadata(),
            "protocol": {"name": plan_name, "parameters": {}}}  # fmt: skip


def test_a_synthetic_cycle_is_summarised_with_the_capacity_built_in():
    """0.1 mA for 10 h is 1 mAh, for 8 h 0.8 mAh: on 3.85 mg, 259.7 and 207.8 mAh/g."""
    docs = _documents(
        _cycling_md("galvanostatic_cycle", LNMO),
        {"primary": (_cycling_columns(LNMO.active_mass_mg), None)},
    )
    live = RunSummary()  # the session's live summary
    for name, doc in docs:
        live(name, doc)
    assert live.error is None
    summary = live.summary
    assert isinstance(summary, CyclingSummary)
    assert summary.uid == docs[0][1]["uid"]
    out = summary.to_json()
    assert set(out) == CYCLE_KEYS
    assert [set(c) for c in out["cycles"]] == [PER_CYCLE_KEYS] * len(out["cycles"])
    charge, discharge = 1.0 / 3.85e-3, 0.8 / 3.85e-3
    assert out["charge_capacity_mAh_g"] == pytest.approx(charge, abs=1e-3)
    assert out["discharge_capacity_mAh_g"] == pytest.approx(discharge, abs=1e-3)
    assert out["coulombic_efficiency_pct"] == pytest.approx(80.0, abs=1e-3)
    li = charge * molar_mass(LNMO.formula) / FARADAY_MAH_PER_MOL
    assert out["li_removed"] == pytest.approx(li, abs=1e-3)
    assert out["li_inserted"] == pytest.approx(0.8 * li, abs=1e-3)
    assert [c.cycle for c in summary.cycles] == [1]
    # a replay (the stored documents read again) prints the same JSON, to the last digit
    replayed = DocumentRun()
    for name, doc in docs:
        replayed(name, doc)
    assert json.dumps(summarize(replayed).to_json()) == json.dumps(out)


def test_a_cycle_of_twice_the_mass_has_half_the_specific_capacity():
    heavy = LNMO.__class__(**{**LNMO.as_metadata(), "active_mass_mg": 7.7})
    run = _document_run(_cycling_md("galvanostatic", heavy),
                        {"primary": (_cycling_columns(7.7), None)})  # fmt: skip
    assert summarize(run)["charge_capacity_mAh_g"] == pytest.approx(0.5 / 3.85e-3, abs=1e-3)


# DEMS: ion currents of O2 (m/z 32, 16) and CO2 (44, 28, 16) through a calibration table.
CHANNELS = [2, 16, 28, 32, 44]
TABLE = {  # A per mol/s of each gas on each channel
    "h2": [0.1, 0, 0, 0, 0],
    "o2": [0, 0.06, 0, 0.28, 0],
    "co2": [0, 0.03, 0.036, 0, 0.36],
}
BACKGROUND_A = np.array([1e-12, 1.5e-13, 1.2e-12, 2e-13, 6e-14])


def _dems_configuration() -> dict:
    data = {"dems_channels": CHANNELS, **{f"dems_calibration_{g}": v for g, v in TABLE.items()}}
    return {"dems": {"data": data, "timestamps": {k: T0 for k in data},
                     "data_keys": {k: {"source": "synthetic", "dtype": "array", "shape": [5]}
                                   for k in data}}}  # fmt: skip


def _dems_columns(o2_umol: float, rest_h: float) -> dict[str, np.ndarray]:
    """Samples every 120 s; O2 evolves at a constant rate over the last 4 h of the charge."""
    dt = 120.0
    end = T0 + np.arange(dt, (rest_h + 18) * 3600 + 1, dt)
    mid = end - dt / 2
    window = (mid > T0 + (rest_h + 6) * 3600) & (mid < T0 + (rest_h + 10) * 3600)
    o2 = np.where(window, o2_umol * 1e-6 / (4 * 3600), 0.0)  # mol/s
    table = np.array([TABLE["h2"], TABLE["o2"], TABLE["co2"]]).T  # channel x gas
    flows = np.column_stack([np.zeros(end.size), o2, np.zeros(end.size)])
    noise = 2e-15 * np.random.default_rng(3).standard_normal((end.size, len(CHANNELS)))
    currents = flows @ table.T + BACKGROUND_A + noise
    columns = {"clock": end, "interval": np.full(end.size, dt)}
    columns.update({f"mz{mz}": currents[:, k] for k, mz in enumerate(CHANNELS)})
    return columns


def test_a_synthetic_dems_run_serialises_to_the_dems_keys_with_the_gas_built_in():
    sample = LNMO.__class__(**{**LNMO.as_metadata(), "active_mass_mg": 1.0})
    live = _document_run(
        _cycling_md("dems_cycling", sample),
        {
            "primary": (_cycling_columns(1.0, rest_h=2.0), None),
            "dems": (_dems_columns(0.1176, rest_h=2.0), _dems_configuration()),
        },
        RunSummary(),
    )
    assert live.error is None
    summary = live.summary
    assert isinstance(summary, DemsSummary) and kind_of(live.run).name == "dems"
    out = summary.to_json()
    assert set(out) == DEMS_KEYS
    assert [set(c) for c in out["cycles"]] == [DEMS_CYCLE_KEYS]
    assert out["cycles"][0]["cycle"] == 1
    assert out["o2_umol"] == pytest.approx(0.1176, rel=0.02)
    assert out["cycles"][0]["o2_umol"] == out["o2_umol"]
    assert out["charge_capacity_mAh_g"] == pytest.approx(1000.0, abs=1e-3)  # 1 mAh on 1 mg
    assert out["co2_onset_V"] is None  # no CO2 was built in
    assert set(out["detection_limits_nmol_min"]) == {"o2", "co2", "h2"}  # as calibrated
    json.dumps(out)  # plain JSON


@pytest.mark.parametrize(
    "summary, keys",
    [
        (XasSummary("u", "ni-l", {"a": {"edge_eV": 853.1}}), {"uid", "edge", "samples"}),
        (XasSummary("u", "ru-k", {}, None, hard=True), {"uid", "edge", "samples", "calibration"}),
        (RixsSummary("u", 0.5, 0.01), {"uid", "feature_intensity", "feature_intensity_sigma"}),
        (RixsSummary("u", 0.5, 0.01, sample="x"),
         {"uid", "sample", "feature_intensity", "feature_intensity_sigma"}),
        (InSituSummary("u", [{"scan": 0}]), {"uid", "in_situ"}),
    ],
)  # fmt: skip
def test_xray_summaries_serialise_to_their_keys(summary, keys):
    out = summary.to_json()
    assert set(out) == keys
    assert json.loads(json.dumps(out)) == out
