"""``operando demo``: the paper's study on the simulator, stored and reported."""

from __future__ import annotations

import argparse
import pathlib

from .options import SCAN_HELP


def cmd_demo(args: argparse.Namespace) -> int:
    from ..sample import KNOWN_MATERIALS
    from ..studies.demo import run_demo
    from .options import positive

    if args.time_scale is not None:
        positive("--time-scale", args.time_scale)
    summary = run_demo(pathlib.Path(args.out), args.time_scale, scan=args.scan)
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


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="run the paper's study on the simulator and report it")
    p.add_argument("--out", default="demo-out", help="output directory")
    # The default is the study's own (studies.demo.DEMO_TIME_SCALE), resolved when it runs:
    # building the parser must not import the whole study.
    p.add_argument(
        "--time-scale", type=float, default=None,
        help="instrument s per wall s (default: the demo's own, fast enough for minutes)",
    )  # fmt: skip
    p.add_argument("--scan", choices=("fly", "step"), default=None, help=SCAN_HELP)
    p.set_defaults(func=cmd_demo)
