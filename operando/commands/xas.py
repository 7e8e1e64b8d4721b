"""``operando xas valence|normalize``: oxidation state and normalisation of XAS files."""

from __future__ import annotations

import argparse
import json


def _reference(text: str) -> tuple[str, float]:
    from ..errors import BadRequest

    path, sep, valence = text.rpartition("=")
    try:
        if not sep or not path:
            raise ValueError
        return path, float(valence)
    except ValueError:
        raise BadRequest(f"--reference {text!r}: expected FILE=VALENCE (e.g. FeO.xdi=2)") from None


def cmd_valence(args: argparse.Namespace) -> int:
    from ..studies.xas_files import valence_of_files

    result = valence_of_files(
        [_reference(r) for r in args.reference], args.sample, mode=args.mode, method=args.method,
        data=args.data,
    )  # fmt: skip
    if args.json:
        print(json.dumps(result))
        return 0
    cal = result["calibration"]
    print(
        f"method {result['method']}: edge = {cal['offset_eV']:.2f} eV + "
        f"{cal['slope_eV_per_valence']:.2f} eV x valence (scatter {cal['scatter_eV']:.2f} eV)"
    )
    if not cal["linearity_checked"]:
        print(
            "  (references of two valences: their line is not checked; uncertainties omit scatter)"
        )
    for s in result["samples"]:
        flag = "  (extrapolated)" if s["extrapolated"] else ""
        print(
            f"{s['file']}: valence {s['valence']:.2f} +/- {s['uncertainty']:.2f}, "
            f"edge {s['edge_eV']:.2f} eV{flag}"
        )
    return 0


def cmd_normalize(args: argparse.Namespace) -> int:
    from ..studies.xas_files import normalize_file

    print(normalize_file(args.file, args.out, mode=args.mode))
    return 0


def register(sub) -> None:
    from ..analysis.xas_valence import DEFAULT_METHOD, METHODS
    from ..io.xas_files import MODES

    x = sub.add_parser("xas", help="XAS of measured files (XDI, Athena .prj, named columns)")
    actions = x.add_subparsers(dest="xas_action", required=True)
    v = actions.add_parser("valence", help="oxidation state against reference compounds")
    v.add_argument("--reference", action="append", required=True, metavar="FILE=VALENCE",
                   help="a file, or run:UID/SAMPLE of a stored run (with --data)")  # fmt: skip
    v.add_argument("--sample", action="append", required=True, metavar="FILE",
                   help="a file, or run:UID/SAMPLE of a stored run (with --data)")  # fmt: skip
    v.add_argument("--mode", choices=MODES, help="detection (default: transmission if present)")
    v.add_argument("--method", choices=METHODS, default=DEFAULT_METHOD,
                   help=f"edge-position estimator (default {DEFAULT_METHOD})")  # fmt: skip
    v.add_argument("--json", action="store_true", help="print one JSON object")
    v.add_argument("--data", help="the store of runs named run:UID/SAMPLE (instead of a file)")
    v.set_defaults(func=cmd_valence)
    n = actions.add_parser("normalize", help="write the normalised spectrum as XDI")
    n.add_argument("file")
    n.add_argument("--out", required=True, help="output directory")
    n.add_argument("--mode", choices=MODES)
    n.set_defaults(func=cmd_normalize)
