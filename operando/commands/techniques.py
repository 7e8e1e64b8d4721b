"""``operando run cv|gitt|eis``: techniques that probe a cell's transport."""

from __future__ import annotations

import argparse

from ..instruments import COIN_CELL_AREA_CM2
from .options import add_session_options
from .output import print_json
from .run import add_material_options, add_temperature_option


def _print(summary, as_json: bool) -> None:
    if as_json:
        print_json(summary.to_json())
        return
    for key, value in summary.to_json().items():
        if key not in ("cycles", "pulses"):
            print(f"{key}: {value}")


def _cell(args: argparse.Namespace) -> dict:
    return {
        "material": args.material, "formula": args.formula, "materials_dir": args.materials_dir,
        "mass_mg": args.mass_mg, "area_cm2": args.area_cm2, "temperature_C": args.temperature_C,
        "time_scale": args.time_scale, "data": args.data, "prefix": args.prefix,
        "ca_port": args.ca_port,
    }  # fmt: skip


def cmd_cv(args: argparse.Namespace) -> int:
    from ..studies.techniques import run_cv

    summary = run_cv(
        **_cell(args), v_min=args.v_min, v_max=args.v_max, scan_rate_mV_s=args.scan_rate_mV_s,
        cycles=args.cycles, record_dE_V=args.record_dE_V,
    )  # fmt: skip
    _print(summary, args.json)
    return 0


def cmd_gitt(args: argparse.Namespace) -> int:
    from ..studies.techniques import run_gitt

    summary = run_gitt(
        **_cell(args), pulse_c_rate=args.pulse_c_rate, pulse_s=args.pulse_s,
        rest_s=args.rest_s, v_max=args.v_max, particle_radius_um=args.particle_radius_um,
        pulses=args.pulses,
    )  # fmt: skip
    _print(summary, args.json)
    return 0


def cmd_eis(args: argparse.Namespace) -> int:
    from ..studies.techniques import run_eis

    summary = run_eis(
        **_cell(args), state_V=args.state_V, f_min_Hz=args.f_min_Hz, f_max_Hz=args.f_max_Hz,
        per_decade=args.per_decade, hold_h=args.hold_h, rest_s=args.rest_s,
    )  # fmt: skip
    _print(summary, args.json)
    return 0


def _common(p: argparse.ArgumentParser) -> None:
    add_material_options(p)
    p.add_argument("--mass-mg", type=float, required=True, help="active mass (mg)")
    p.add_argument(
        "--area-cm2", type=float, default=COIN_CELL_AREA_CM2, help="electrode area (cm2)"
    )
    add_temperature_option(p)
    add_session_options(p)


def register_run(protocols: argparse._SubParsersAction) -> None:
    c = protocols.add_parser("cv", help="cyclic voltammetry: linear potential sweeps")
    _common(c)
    c.add_argument("--v-min", type=float, required=True, help="lower vertex (V)")
    c.add_argument("--v-max", type=float, required=True, help="upper vertex (V)")
    c.add_argument("--scan-rate-mV-s", type=float, required=True, help="scan rate (mV/s)")
    c.add_argument("--cycles", type=int, default=1, help="cycles (up to 32)")
    c.add_argument("--record-dE-V", type=float, default=0.005, help="a point every dE (V)")
    c.set_defaults(func=cmd_cv)

    g = protocols.add_parser("gitt", help="galvanostatic intermittent titration (charge)")
    _common(g)
    g.add_argument("--pulse-c-rate", type=float, required=True, help="pulse C-rate (1/h)")
    g.add_argument("--pulse-s", type=float, required=True, help="pulse length (s)")
    g.add_argument("--rest-s", type=float, required=True, help="rest after each pulse (s)")
    g.add_argument("--v-max", type=float, required=True, help="upper cutoff (V)")
    g.add_argument(
        "--particle-radius-um", type=float, required=True,
        help="particle radius for the Weppner-Huggins analysis (um, e.g. from SEM)",
    )  # fmt: skip
    g.add_argument("--pulses", type=int, default=None, help="pulses (default: 1C capacity)")
    g.set_defaults(func=cmd_gitt)

    e = protocols.add_parser("eis", help="potentiostatic impedance spectroscopy at a state")
    _common(e)
    e.add_argument("--state-V", type=float, required=True, help="potential held first (V)")
    e.add_argument("--f-min-Hz", type=float, required=True, help="lowest frequency (Hz)")
    e.add_argument("--f-max-Hz", type=float, required=True, help="highest frequency (Hz)")
    e.add_argument("--per-decade", type=int, default=8, help="frequencies per decade")
    e.add_argument("--hold-h", type=float, default=4.0, help="longest hold at --state-V (h)")
    e.add_argument("--rest-s", type=float, default=600.0, help="rest before the spectrum (s)")
    e.set_defaults(func=cmd_eis)
