"""The ``operando`` command: serve the simulator, run protocols, replay, recover, demo.

    operando sim [--prefix P] [--port N] [--time-scale K]
    operando run cycle --material lnmo --mass-mg 3.85 --c-rate 0.02 --v-min 2 --v-max 4.8 \\
        --cycles 1 --time-scale 50000 --data DIR [--json]
    operando run dems --material lnmo --mass-mg 32.9 --current-mA-g 10 --cycles 2 \\
        --time-scale 50000 --data DIR [--json]
    operando run xas --edge ru-k --sample lnro:4.8V [--sample ...] --data DIR [--json]
    operando run rixs --sample lnmo:4.8V --data DIR [--json]
    operando replay UID --data DIR [--json]
    operando report UID [UID ...] --data DIR --out DIR
    operando recover --data DIR [LOG ...]
    operando demo --out DIR
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time

from .analysis.electrochem import round_floats
from .analysis.run_summary import cycling_keys as _cycling_keys
from .analysis.run_summary import gas_keys as _gas_keys
from .sample import KNOWN_MATERIALS

COIN_CELL_AREA_CM2 = 1.54  # a 14 mm electrode disc
DEMS_CELL_AREA_CM2 = 1.13  # a 12 mm electrode disc in the Swagelok DEMS cell
DEMO_TIME_SCALE = 50000.0


def _print_json(obj: dict) -> None:
    print(json.dumps(obj, indent=None, sort_keys=False))


def _is_gas_summary(summary: dict) -> bool:
    return "o2_umol" in summary


# --- operando sim ---------------------------------------------------------------------
def cmd_sim(args: argparse.Namespace) -> int:
    from .sim.__main__ import serve

    if getattr(args, "list_pvs", False):
        from .sim.ioc.pvlist import format_pvs

        print(format_pvs(args.prefix))
        return 0
    print(
        f"simulated beamline: prefix {args.prefix}, Channel Access on {args.interface}:"
        f"{args.port}, time scale {args.time_scale:g}\n"
        f"clients: EPICS_CA_ADDR_LIST={args.interface}:{args.port} "
        "EPICS_CA_AUTO_ADDR_LIST=NO",
        flush=True,
    )
    try:
        serve(args)
    except KeyboardInterrupt:
        pass
    return 0


# --- operando run cycle ----------------------------------------------------------------
def run_cycle(
    *,
    material: str | None,
    mass_mg: float,
    area_cm2: float,
    c_rate: float,
    v_min: float,
    v_max: float,
    cycles: int,
    time_scale: float,
    data: str,
    prefix: str | None = None,
    ca_port: int | None = None,
    sample_name: str | None = None,
    formula: str | None = None,
    materials_dir: str | None = None,
) -> dict:
    """Run galvanostatic cycling and return the live analysis summary (first cycle + all).
    1C is the material's (operando.materials)."""
    from .plans.electrochem import check_cycle_parameters, galvanostatic_cycle
    from .studies.samples import study_sample

    # Every parameter is checked before anything starts or any PV is written.
    sample, one_c = study_sample(
        material=material, formula=formula, mass_mg=mass_mg, area_cm2=area_cm2,
        name=sample_name, materials_dir=materials_dir, simulated=prefix is None,
    )  # fmt: skip
    check_cycle_parameters(sample, v_min=v_min, v_max=v_max, cycles=cycles, c_rate=c_rate)
    if time_scale <= 0:
        raise ValueError(f"--time-scale must be positive, got {time_scale}")
    with _session(data, prefix, ca_port, time_scale) as session:
        if session.sim_control is not None:
            session.assemble_sim_cell(sample)
        plan = galvanostatic_cycle(
            session.potentiostat, sample, v_min=v_min, v_max=v_max, cycles=cycles,
            c_rate=c_rate, one_c_mA_g=one_c,
        )  # fmt: skip
        _run(session, plan)
        return session.cycling.summary


def run_dems(
    *,
    material: str | None,
    mass_mg: float,
    area_cm2: float,
    current_mA_g: float,
    cycles: int,
    v_min: float,
    v_max: float,
    rest_h: float,
    sample_interval_s: float,
    time_scale: float,
    data: str,
    prefix: str | None = None,
    ca_port: int | None = None,
    sample_name: str | None = None,
    formula: str | None = None,
    materials_dir: str | None = None,
) -> dict:
    """Rest, cycle and sample the gas (DEMS); return the live cycling + gas summary."""
    from .plans.dems import check_dems_parameters, dems_cycling
    from .studies.samples import study_sample

    sample, _ = study_sample(
        material=material, formula=formula, mass_mg=mass_mg, area_cm2=area_cm2,
        name=sample_name or f"{material or formula} DEMS cell", materials_dir=materials_dir,
        simulated=prefix is None,
    )  # fmt: skip
    dems = {
        "rest_s": rest_h * 3600.0, "current_mA_g": current_mA_g, "v_min": v_min,
        "v_max": v_max, "cycles": cycles, "sample_interval_s": sample_interval_s,
    }  # fmt: skip
    check_dems_parameters(sample, **dems)
    if time_scale <= 0:
        raise ValueError(f"--time-scale must be positive, got {time_scale}")
    with _session(data, prefix, ca_port, time_scale) as session:
        if session.mass_spectrometer is None:
            raise ValueError("this beamline has no DEMS mass spectrometer (no PVs ...DEMS:)")
        if session.sim_control is not None:
            session.assemble_sim_cell(sample)
        _run(session, dems_cycling(session.potentiostat, session.mass_spectrometer, sample, **dems))
        return session.gas.summary


def cmd_run_dems(args: argparse.Namespace) -> int:
    summary = run_dems(
        material=args.material,
        mass_mg=args.mass_mg,
        area_cm2=args.area_cm2,
        current_mA_g=args.current_mA_g,
        formula=args.formula,
        materials_dir=args.materials_dir,
        cycles=args.cycles,
        v_min=args.v_min,
        v_max=args.v_max,
        rest_h=args.rest_h,
        sample_interval_s=args.sample_interval_s,
        time_scale=args.time_scale,
        data=args.data,
        prefix=args.prefix,
        ca_port=args.ca_port,
    )
    _report_summary(summary, args.json)
    return 0


def cmd_run_xas(args: argparse.Namespace) -> int:
    from .xray_study import check_xas_request, run_xas

    check_xas_request(args.edge, args.sample)  # refuse bad input before anything starts
    _positive_option("--prep-c-rate", args.prep_c_rate)
    _positive_option("--dwell-s", args.dwell_s)
    _positive_option("--time-scale", args.time_scale)
    with _session(args.data, args.prefix, args.ca_port, args.time_scale) as session:
        summary = run_xas(
            session, args.edge, args.sample, dwell_s=args.dwell_s, prep_c_rate=args.prep_c_rate
        )
    if args.json:
        _print_json(round_floats(summary))
    else:
        _print_xas(round_floats(summary))
    return 0


def cmd_run_rixs(args: argparse.Namespace) -> int:
    from .electrodes import parse_sample
    from .xray_study import run_rixs

    parse_sample(args.sample)
    _positive_option("--exposure-s", args.exposure_s)
    _positive_option("--time-scale", args.time_scale)
    with _session(args.data, args.prefix, args.ca_port, args.time_scale) as session:
        summary = round_floats(run_rixs(session, args.sample, exposure_s=args.exposure_s))
    if args.json:
        _print_json(summary)
    else:
        print(
            f"run {summary['uid']}: {summary['sample']}: oxidised-oxygen feature "
            f"{summary['feature_intensity']} +- {summary['feature_intensity_sigma']} "
            "(relative to the 533 / 525 eV stripe)"
        )
    return 0


def _positive_option(flag: str, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{flag} must be positive, got {value}")


def _print_xas(summary: dict) -> None:
    print(f"run {summary['uid']}: {summary['edge']}")
    for name, entry in summary["samples"].items():
        print(f"  {name}: {entry}")
    if summary.get("calibration"):
        print(f"  valence calibration: {summary['calibration']}")


def _session(data, prefix, ca_port, time_scale):
    from .session import make_session

    return make_session(data, prefix=prefix, ca_port=ca_port, time_scale=time_scale)


def _run(session, plan) -> None:
    """Run a plan; Ctrl-C aborts it cleanly (the plan leaves the cell at open circuit)."""
    from bluesky.utils import RunEngineInterrupted

    try:
        session.RE(plan)
    except RunEngineInterrupted:
        print("interrupted: aborting the run (the cell goes to open circuit)", file=sys.stderr)
        session.RE.abort("interrupted by the operator")
        raise SystemExit(130) from None
    if session.writer.failed_runs:
        print(
            f"warning: storage failed for runs {session.writer.failed_runs}; they are safe in "
            f"{session.document_log.log_dir}; run `operando recover` once storage is back",
            file=sys.stderr,
        )


def cmd_run_cycle(args: argparse.Namespace) -> int:
    summary = run_cycle(
        material=args.material,
        mass_mg=args.mass_mg,
        area_cm2=args.area_cm2,
        formula=args.formula,
        materials_dir=args.materials_dir,
        c_rate=args.c_rate,
        v_min=args.v_min,
        v_max=args.v_max,
        cycles=args.cycles,
        time_scale=args.time_scale,
        data=args.data,
        prefix=args.prefix,
        ca_port=args.ca_port,
    )
    _report_summary(summary, args.json)
    return 0


def _report_summary(summary: dict, as_json: bool) -> None:
    gas = _is_gas_summary(summary)
    if as_json:
        _print_json(_gas_keys(summary) if gas else _cycling_keys(summary))
        return
    print(f"run {summary['uid']}")
    for n, cycle in enumerate(summary["cycles"], 1):
        print(
            f"  cycle {n}: charge {cycle['charge_capacity_mAh_g']} mAh/g, discharge "
            f"{cycle['discharge_capacity_mAh_g']} mAh/g, CE {cycle['coulombic_efficiency_pct']} %"
            f", Li removed {cycle['li_removed']}, inserted {cycle['li_inserted']}"
        )
        print(
            f"    dQ/dV peaks (V, strongest first): charge {cycle['dqdv_charge_peaks_V']}, "
            f"discharge {cycle['dqdv_discharge_peaks_V']}"
        )
        if gas:
            print(
                f"    gas (umol): O2 {cycle['o2_umol']}, CO2 {cycle['co2_umol']}, "
                f"H2 {cycle['h2_umol']}; onsets (V): O2 {cycle['o2_onset_V']}, CO2 "
                f"{cycle['co2_onset_V']}; peak rates (nmol/min): O2 "
                f"{cycle['o2_max_rate_nmol_min']}, CO2 {cycle['co2_max_rate_nmol_min']}"
            )
    if gas:
        print(
            f"  first cycle: lattice O lost {summary['lattice_o_loss_pct']} % of formula "
            f"units; O2 carried {summary['o2_capacity_mAh_g']} mAh/g of the "
            f"{summary['irreversible_capacity_mAh_g']} mAh/g irreversible capacity "
            f"({summary['o2_share_of_irreversible_pct']} %)"
        )
        print(f"  detection limits (nmol/min): {summary['detection_limits_nmol_min']}")


# --- operando replay ---------------------------------------------------------------------
def replay_run(uid: str, data: str) -> dict:
    """Recompute a stored run's summary from its stored documents, through the callbacks
    that ran live: the cycling and gas analysis for potentiostat runs, the run summary
    (X-ray and combined protocols) for the others."""
    from .analysis.live import CyclingAnalysis, GasAnalysis
    from .analysis.run_summary import RunSummary
    from .storage import open_store, replay

    store = open_store(data)
    run = store.run(uid)
    if "stop" not in run.metadata or run.metadata["stop"] is None:
        raise RuntimeError(f"run {uid} has no stop document; is it complete?")
    if run.metadata["start"].get("plan_name") in SUMMARY_PLANS:
        summary = RunSummary()
        replay(run, [summary])
        if summary.summary is None:
            raise RuntimeError(f"run {uid}: {summary.error}")
        return summary.summary
    cycling, gas = CyclingAnalysis(), GasAnalysis()
    replay(run, [cycling, gas])
    if cycling.summary is None:
        raise RuntimeError(f"run {uid} has no potentiostat points to analyse")
    return gas.summary or cycling.summary


# Protocols whose replay goes through the run summary (no cycling/gas keys to print).
SUMMARY_PLANS = ("xas_series", "rixs_map", "in_situ_xas_cycling", "charge_and_measure")


def report_run(run, out: pathlib.Path) -> dict:
    """Summary and figures of any stored run, from its stored tables, into out/<uid8>*."""
    from .analysis import report, xray_report
    from .analysis.run_summary import summarize

    start = run.metadata["start"]
    plan, stem = start.get("plan_name"), out / start["uid"][:8]
    summary = summarize(run)
    if plan == "dems_cycling":
        report.plot_gas(run, f"{stem}_dems.png")
        report.plot_cycling(run, f"{stem}_cycle.png")
    elif plan == "in_situ_xas_cycling":
        report.plot_in_situ(run, summary["in_situ"], f"{stem}_in_situ.png")
    elif plan == "rixs_map":
        report.plot_rixs_maps({start["uid"][:8]: xray_report.rixs_map_of(run)}, f"{stem}_rixs.png")
    elif plan == "xas_series" and start["edge"]["station"] == "soft":
        spectra = {start["edge"]["name"]: xray_report.soft_spectra(run)}
        report.plot_exsitu_soft(spectra, f"{stem}_xas.png")
    elif plan == "xas_series":
        report.plot_ru_k(xray_report.hard_spectra(run), f"{stem}_xas.png")
    elif "primary" in run and "Ewe" in run["primary"].metadata["data_keys"]:
        report.plot_cycling(run, f"{stem}_cycle.png")
    pathlib.Path(f"{stem}_summary.json").write_text(json.dumps(summary, indent=2))
    return summary


def cmd_report(args: argparse.Namespace) -> int:
    from .storage import open_store

    store = open_store(args.data)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for uid in args.uids:
        report_run(store.run(uid), out)
        print(f"{uid}: summary and figures in {out}")
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    summary = replay_run(args.uid, args.data)
    if "cycles" not in summary:  # X-ray and combined protocols
        if args.json:
            _print_json(summary)
        else:
            _print_xas(summary) if "samples" in summary else print(json.dumps(summary, indent=2))
        return 0
    _report_summary(summary, args.json)
    return 0


# --- operando recover ---------------------------------------------------------------------
def cmd_recover(args: argparse.Namespace) -> int:
    from .storage import open_store, recover

    store = open_store(args.data)
    logs = [pathlib.Path(p) for p in args.logs] or sorted(store.log_dir.glob("*.jsonl"))
    for log in logs:
        uid = recover(store, log)
        print(f"{log.name}: run {uid} is in the store")
    return 0


# --- operando demo ---------------------------------------------------------------------------
DEMO_CYCLE = {"c_rate": 1 / 50, "v_min": 2.0, "v_max": 4.8, "cycles": 1}
DEMO_LOADING_MG_CM2 = 2.5
DEMO_DEMS = {"current_mA_g": 10.0, "v_min": 2.0, "v_max": 4.8, "cycles": 2}
DEMO_DEMS_MASS_MG = 32.9  # about 30 mg/cm2 in the DEMS cell


DEMO_STAGES = 7  # coin + DEMS per material, ex situ X-ray, in situ, report


def run_demo(out: pathlib.Path, time_scale: float = DEMO_TIME_SCALE) -> dict:
    """The paper's study on the simulator, stored, then reported from storage.

    Coin-cell first cycle of both materials at C/50; a 6 h rest and two DEMS cycles of each
    at 10 mA/g; the ex situ X-ray series (Ni L, O K, Mn L in TEY and FY, O K RIXS maps, Ru K
    of LNRO against Ru, RuCl3, RuO2); in situ Ru K XANES through the first LNRO cycle. All
    runs share one ``experiment`` uid. Writes summary.json, report.md (computed beside the
    paper), the figures, and runs.json (every run's live summary, to compare replays with).
    """
    from .analysis.report import cycling_summary, gas_summary, plot_cycling, plot_gas
    from .analysis.report_md import report_markdown
    from .plans.dems import dems_cycling
    from .plans.electrochem import galvanostatic_cycle
    from .sample import sample_for
    from .session import make_session
    from .storage import open_store
    from .xray_study import exsitu_series, in_situ_ru_cycle

    out.mkdir(parents=True, exist_ok=True)
    data = out / "data"
    uids: dict[str, dict[str, str]] = {}
    live: dict[str, dict] = {}
    started = time.monotonic()
    stage = 0

    def announce(text: str) -> None:
        nonlocal stage
        stage += 1
        elapsed = time.monotonic() - started
        print(f"[demo {stage}/{DEMO_STAGES}, {elapsed:4.0f} s] {text}", file=sys.stderr, flush=True)

    with make_session(str(data), time_scale=time_scale) as session:
        experiment = session.RE.md["experiment"]

        def keep_live_summary(name: str, doc: dict) -> None:
            if name == "stop":
                live[doc["run_start"]] = {
                    "plan_name": session.run_summary.run.metadata["start"].get("plan_name"),
                    "summary": session.run_summary.summary,
                }

        session.RE.subscribe(keep_live_summary)
        for material in KNOWN_MATERIALS:
            coin = sample_for(
                material,
                DEMO_LOADING_MG_CM2 * COIN_CELL_AREA_CM2,
                COIN_CELL_AREA_CM2,
                name=f"{material} coin cell",
            )
            announce(f"{material}: first cycle at C/50, 2.0-4.8 V")
            session.assemble_sim_cell(coin)
            _run(session, galvanostatic_cycle(session.potentiostat, coin, **DEMO_CYCLE))
            uids[material] = {"coin": session.cycling.summary["uid"]}

            dems_cell = sample_for(
                material, DEMO_DEMS_MASS_MG, DEMS_CELL_AREA_CM2, name=f"{material} DEMS cell"
            )
            announce(f"{material}: DEMS, 6 h rest + 2 cycles at 10 mA/g")
            session.assemble_sim_cell(dems_cell)
            ms = session.mass_spectrometer
            _run(session, dems_cycling(session.potentiostat, ms, dems_cell, **DEMO_DEMS))
            uids[material]["dems"] = session.gas.summary["uid"]
        announce("ex situ X-ray series: pristine, 4.5 V, 4.8 V, 2.0 V electrodes")
        xray = exsitu_series(session, out)
        announce("in situ Ru K XANES through the first LNRO cycle (C/10)")
        in_situ = in_situ_ru_cycle(session, out)

    announce("report from storage")
    # The report reads storage afresh, as a later reader would.
    store = open_store(str(data))
    summary: dict = {}
    for material, runs in uids.items():
        coin_run, dems_run = store.run(runs["coin"]), store.run(runs["dems"])
        summary[material] = {
            **_cycling_keys(cycling_summary(coin_run)),
            "dems": _gas_keys(gas_summary(dems_run)),
            **{k: v for k, v in xray[material].items()},
        }
        plot_cycling(coin_run, out / f"{material}_cycle.png")
        plot_gas(dems_run, out / f"{material}_dems.png")
    summary["lnro"]["in_situ_ru"] = [
        {k: scan[k] for k in ("x_li", "ewe_V", "valence", "direction")} for scan in in_situ
    ]
    summary["experiment"] = experiment
    summary = round_floats(summary)
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    (out / "report.md").write_text(report_markdown(summary))
    (out / "runs.json").write_text(json.dumps(live, indent=1))
    print(
        f"[demo] {len(live)} runs in {data} (experiment {experiment}); summary.json, "
        f"report.md and figures in {out}; {time.monotonic() - started:.0f} s",
        file=sys.stderr,
    )
    return summary


def cmd_demo(args: argparse.Namespace) -> int:
    summary = run_demo(pathlib.Path(args.out), args.time_scale)
    for material in KNOWN_MATERIALS:
        s = summary[material]
        print(
            f"{material}: charge {s['charge_capacity_mAh_g']} / discharge "
            f"{s['discharge_capacity_mAh_g']} mAh/g, CE {s['coulombic_efficiency_pct']} %, "
            f"Li {s['li_removed']} / {s['li_inserted']}, dQ/dV charge peaks "
            f"{s['dqdv_charge_peaks_V']}"
        )
        d = s["dems"]
        print(
            f"{material} DEMS cycle 1: O2 {d['cycles'][0]['o2_umol']} umol, CO2 "
            f"{d['cycles'][0]['co2_umol']} umol (onsets {d['cycles'][0]['o2_onset_V']} / "
            f"{d['cycles'][0]['co2_onset_V']} V), lattice O lost {d['lattice_o_loss_pct']} %, "
            f"O2 capacity {d['o2_capacity_mAh_g']} of {d['irreversible_capacity_mAh_g']} mAh/g "
            "irreversible"
        )
        for state, x in s["xray"].items():
            print(
                f"{material} {state}: Ni L3 ratio TEY {x['ni_l3_ratio_tey']} / FY "
                f"{x['ni_l3_ratio_fy']}, RIXS O-redox feature {x['rixs_feature_intensity']}"
            )
        for state, ru in s.get("ru_k", {}).items():
            if state not in ("references", "calibration"):
                print(
                    f"{material} {state}: Ru K edge {ru['edge_energy_eV']} eV, valence "
                    f"{ru['valence']}, EXAFS peaks {ru['exafs_peaks_A']} A"
                )
    return 0


# --- parser ------------------------------------------------------------------------------------
def cmd_shell(args: argparse.Namespace) -> int:
    from .shell import run_ipython

    return run_ipython(args.config)


def _add_session_options(p: argparse.ArgumentParser) -> None:
    """Where to acquire and store, shared by every `run` protocol."""
    p.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="instrument seconds per wall second of the command's own simulator",
    )
    p.add_argument("--data", required=True, help="data directory or tiled URI")
    p.add_argument("--prefix", help="PV prefix of a running beamline (default: own simulator)")
    p.add_argument("--ca-port", type=int, help="Channel Access port of that beamline's server")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _add_material_options(p: argparse.ArgumentParser) -> None:
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--material", help="material name (built-in: `operando materials`)")
    which.add_argument("--formula", help="chemical formula, e.g. LiNi0.8Mn0.1Co0.1O2")
    p.add_argument("--materials-dir", help="directory of the lab's material TOML files")


def build_parser() -> argparse.ArgumentParser:
    from .sim.__main__ import add_arguments as add_sim_arguments

    parser = argparse.ArgumentParser(prog="operando", description="Operando battery experiments")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("sim", help="serve the simulated beamline (one caproto IOC)")
    add_sim_arguments(p)
    p.set_defaults(func=cmd_sim)

    p = sub.add_parser("run", help="run a protocol")
    protocols = p.add_subparsers(dest="protocol", required=True)
    c = protocols.add_parser("cycle", help="galvanostatic cycling between two cutoffs")
    _add_material_options(c)
    c.add_argument("--mass-mg", type=float, required=True, help="active mass (mg)")
    c.add_argument(
        "--area-cm2", type=float, default=COIN_CELL_AREA_CM2, help="electrode area (cm2)"
    )
    c.add_argument("--c-rate", type=float, required=True, help="C-rate (1/h); 1C from the material")
    c.add_argument("--v-min", type=float, required=True, help="lower cutoff (V)")
    c.add_argument("--v-max", type=float, required=True, help="upper cutoff (V)")
    c.add_argument("--cycles", type=int, default=1, help="charge + discharge cycles")
    _add_session_options(c)
    c.set_defaults(func=cmd_run_cycle)

    d = protocols.add_parser(
        "dems", help="OCV rest, then galvanostatic cycling with the evolved gas sampled (DEMS)"
    )
    _add_material_options(d)
    d.add_argument("--mass-mg", type=float, required=True, help="active mass (mg)")
    d.add_argument(
        "--area-cm2", type=float, default=DEMS_CELL_AREA_CM2, help="electrode area (cm2)"
    )
    d.add_argument("--current-mA-g", type=float, default=10.0, help="current (mA per g)")
    d.add_argument("--cycles", type=int, default=1, help="charge + discharge cycles")
    d.add_argument("--v-min", type=float, default=2.0, help="lower cutoff (V)")
    d.add_argument("--v-max", type=float, default=4.8, help="upper cutoff (V)")
    d.add_argument("--rest-h", type=float, default=6.0, help="OCV rest before cycling (h)")
    d.add_argument(
        "--sample-interval-s", type=float, default=120.0, help="time between gas samples (s)"
    )
    _add_session_options(d)
    d.set_defaults(func=cmd_run_dems)

    sample_help = (
        "material:state (state pristine, <V>V or <Vmax>V-<Vmin>V; lnmo:2.0V is 4.8 V then "
        "2.0 V), prepared by the potentiostat and mounted; or a Ru reference ru, rucl3, ruo2"
    )
    x = protocols.add_parser("xas", help="X-ray absorption of ex situ electrodes")
    x.add_argument(
        "--edge", required=True, help="<element>-<edge> from xraydb: co-k, ni-k, fe-k, ni-l, o-k"
    )
    x.add_argument(
        "--prep-c-rate", type=float, default=0.1, help="C-rate of the ex situ preparation (1/h)"
    )
    x.add_argument("--sample", required=True, action="append", help=sample_help)
    x.add_argument("--dwell-s", type=float, default=1.0, help="counting time per point (s)")
    x.set_defaults(func=cmd_run_xas)
    r = protocols.add_parser("rixs", help="O K RIXS map of an ex situ electrode")
    r.add_argument("--sample", required=True, help=sample_help)
    r.add_argument("--exposure-s", type=float, default=10.0, help="exposure per spectrum (s)")
    r.set_defaults(func=cmd_run_rixs)
    for sub_parser in (x, r):
        _add_session_options(sub_parser)

    p = sub.add_parser("replay", help="recompute a stored run from its documents")
    p.add_argument("uid", help="run uid (or a unique prefix of it)")
    p.add_argument("--data", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_replay)

    p = sub.add_parser("report", help="summary and figures of stored runs, from their tables")
    p.add_argument("uids", nargs="+", help="run uids (or unique prefixes)")
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True, help="directory for the figures and summaries")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("recover", help="re-ingest document logs into the store")
    p.add_argument("logs", nargs="*", help="log files (default: every log of the store)")
    p.add_argument("--data", required=True)
    p.set_defaults(func=cmd_recover)

    p = sub.add_parser("shell", help="IPython with RE, db, the devices and the plans loaded")
    p.add_argument("--config", help="TOML configuration (default: $OPERANDO_CONFIG or "
                   "./operando.toml, else a simulated beamline with data in ./data)")  # fmt: skip
    p.set_defaults(func=cmd_shell)

    p = sub.add_parser("demo", help="run the study on the simulator and report it")
    p.add_argument("--out", default="demo-out", help="output directory")
    p.add_argument("--time-scale", type=float, default=DEMO_TIME_SCALE)
    p.set_defaults(func=cmd_demo)
    for module in _command_modules():
        if hasattr(module, "register"):
            module.register(sub)
        if hasattr(module, "register_run"):
            module.register_run(protocols)
    return parser


def _command_modules() -> list:
    """The sub-command modules of ``operando.commands`` (each adds its own parsers)."""
    import importlib
    import pkgutil

    from . import commands

    return [
        importlib.import_module(f"{commands.__name__}.{info.name}")
        for info in pkgutil.iter_modules(commands.__path__)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, KeyError) as exc:
        # Bad input: say what was wrong, without a traceback.
        print(f"operando: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
