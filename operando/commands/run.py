"""``operando run cycle|dems|xas|rixs``: the protocols of the paper's study."""

from __future__ import annotations

import argparse

from ..instruments import COIN_CELL_AREA_CM2, DEMS_CELL_AREA_CM2
from .options import SCAN_HELP, add_session_options, positive
from .output import print_summary

SAMPLE_HELP = (
    "material:state (state pristine, <V>V or <Vmax>V-<Vmin>V; lnmo:2.0V is 4.8 V then "
    "2.0 V), prepared by the potentiostat and mounted; or a Ru reference ru, rucl3, ruo2"
)


def add_material_options(p: argparse.ArgumentParser) -> None:
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--material", help="material name (built-in: `operando materials`)")
    which.add_argument("--formula", help="chemical formula, e.g. LiNi0.8Mn0.1Co0.1O2")
    p.add_argument("--materials-dir", help="directory of the lab's material TOML files")


def add_temperature_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--temperature-C", type=float, default=None,
        help="cell temperature (C), set on the climate chamber before the run (-20 to 80)",
    )  # fmt: skip


def cmd_cycle(args: argparse.Namespace) -> int:
    from ..analysis.results import CyclingSummary
    from ..studies.cycling import run_cycle

    summary = run_cycle(
        material=args.material, formula=args.formula, materials_dir=args.materials_dir,
        mass_mg=args.mass_mg, area_cm2=args.area_cm2, c_rate=args.c_rate, v_min=args.v_min,
        v_max=args.v_max, cycles=args.cycles, temperature_C=args.temperature_C,
        time_scale=args.time_scale, data=args.data, prefix=args.prefix, ca_port=args.ca_port,
    )  # fmt: skip
    assert isinstance(summary, CyclingSummary)
    print_summary(summary, args.json)
    return 0


def cmd_dems(args: argparse.Namespace) -> int:
    from ..studies.cycling import run_dems

    summary = run_dems(
        material=args.material, formula=args.formula, materials_dir=args.materials_dir,
        mass_mg=args.mass_mg, area_cm2=args.area_cm2, current_mA_g=args.current_mA_g,
        cycles=args.cycles, v_min=args.v_min,
        v_max=args.v_max, rest_h=args.rest_h, sample_interval_s=args.sample_interval_s,
        temperature_C=args.temperature_C,
        time_scale=args.time_scale, data=args.data, prefix=args.prefix, ca_port=args.ca_port,
    )  # fmt: skip
    print_summary(summary, args.json)
    return 0


def cmd_xas(args: argparse.Namespace) -> int:
    from ..studies.electrodes import check_xas_request

    check_xas_request(args.edge, args.sample)  # refuse bad input before anything starts
    positive("--prep-c-rate", args.prep_c_rate)
    positive("--dwell-s", args.dwell_s)
    positive("--time-scale", args.time_scale)
    from ..studies.running import open_session
    from ..studies.xray import run_xas

    with open_session(args.data, args.prefix, args.ca_port, args.time_scale) as session:
        summary = run_xas(
            session, args.edge, args.sample, dwell_s=args.dwell_s,
            prep_c_rate=args.prep_c_rate, scan=args.scan,
        )  # fmt: skip
    print_summary(summary, args.json)
    return 0


def cmd_rixs(args: argparse.Namespace) -> int:
    from ..studies.electrodes import parse_sample

    parse_sample(args.sample)  # refuse bad input before anything starts
    positive("--exposure-s", args.exposure_s)
    positive("--time-scale", args.time_scale)
    from ..studies.running import open_session
    from ..studies.xray import run_rixs

    with open_session(args.data, args.prefix, args.ca_port, args.time_scale) as session:
        summary = run_rixs(session, args.sample, exposure_s=args.exposure_s)
    print_summary(summary, args.json)
    return 0


def register_run(protocols: argparse._SubParsersAction) -> None:
    c = protocols.add_parser("cycle", help="galvanostatic cycling between two cutoffs")
    add_material_options(c)
    c.add_argument("--mass-mg", type=float, required=True, help="active mass (mg)")
    c.add_argument(
        "--area-cm2", type=float, default=COIN_CELL_AREA_CM2, help="electrode area (cm2)"
    )
    c.add_argument("--c-rate", type=float, required=True, help="C-rate (1/h); 1C from the material")
    c.add_argument("--v-min", type=float, required=True, help="lower cutoff (V)")
    c.add_argument("--v-max", type=float, required=True, help="upper cutoff (V)")
    c.add_argument("--cycles", type=int, default=1, help="charge + discharge cycles")
    add_temperature_option(c)
    add_session_options(c)
    c.set_defaults(func=cmd_cycle)

    d = protocols.add_parser(
        "dems", help="OCV rest, then galvanostatic cycling with the evolved gas sampled (DEMS)"
    )
    add_material_options(d)
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
    add_temperature_option(d)
    add_session_options(d)
    d.set_defaults(func=cmd_dems)

    x = protocols.add_parser("xas", help="X-ray absorption of ex situ electrodes")
    x.add_argument(
        "--edge", required=True, help="<element>-<edge> from xraydb: co-k, ni-k, fe-k, ni-l, o-k"
    )
    x.add_argument(
        "--prep-c-rate", type=float, default=0.1, help="C-rate of the ex situ preparation (1/h)"
    )
    x.add_argument("--sample", required=True, action="append", help=SAMPLE_HELP)
    x.add_argument("--dwell-s", type=float, default=1.0, help="counting time per point (s)")
    x.add_argument("--scan", choices=("fly", "step"), default=None, help=SCAN_HELP)
    x.set_defaults(func=cmd_xas)
    r = protocols.add_parser("rixs", help="O K RIXS map of an ex situ electrode")
    r.add_argument("--sample", required=True, help=SAMPLE_HELP)
    r.add_argument("--exposure-s", type=float, default=10.0, help="exposure per spectrum (s)")
    r.set_defaults(func=cmd_rixs)
    for sub_parser in (x, r):
        add_session_options(sub_parser)
