"""``operando import``: EC-Lab, Zilien EC-MS and XAS files become runs of the catalog."""

from __future__ import annotations

import argparse
import json


def cmd_import(args: argparse.Namespace) -> int:
    from ..errors import BadRequest
    from ..studies.importing import SampleOptions, import_files
    from ..validation import check_data_dir

    if args.material and args.formula:
        raise BadRequest("give --material or --formula, not both")
    check_data_dir(args.data)
    options = SampleOptions(
        name=args.sample, material=args.material, formula=args.formula,
        mass_mg=args.mass_mg, area_cm2=args.area_cm2, materials_dir=args.materials_dir,
    )  # fmt: skip
    runs = import_files(args.files, args.data, options, args.calibration, again=args.again)
    if args.json:
        print(json.dumps({"runs": runs}))
    else:
        for run in runs:
            if run.get("already_imported"):
                print(f"{run['file']}: already in the catalog as {run['kind']} run {run['uid']} "
                      "(same contents, by sha256); --again imports it as a new run")  # fmt: skip
            else:
                print(f"{run['file']}: {run['kind']} run {run['uid']}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import",
        help="store instrument files as runs (EC-Lab .mpr/.mpt, Zilien .tsv, XDI, Athena .prj)",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="files to import (one run each)")
    p.add_argument("--data", required=True, help="data directory or tiled URI")
    p.add_argument("--sample", help="sample name (default: the file's name)")
    p.add_argument("--material", help="a known material (lnmo, lco, ...): its formula")
    p.add_argument("--formula", help="the active material's formula (e.g. LiNi0.5Mn1.5O4)")
    p.add_argument("--materials-dir", help="a directory of material TOML files")
    p.add_argument("--mass-mg", type=float, help="active mass (mg) where the file has none")
    p.add_argument("--area-cm2", type=float, help="electrode area (cm2) where the file has none")
    p.add_argument(
        "--calibration",
        help="EC-MS: the mass spectrometer's calibration table (TOML: [GAS] m/z = A per mol/s); "
        "the summary then gives each gas's rate and amount",
    )
    p.add_argument(
        "--again",
        action="store_true",
        help="import files whose contents (sha256) are already in the catalog as new runs "
        "(e.g. with corrected sample metadata); by default they are named, not stored twice",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help='print {"runs": [{uid, kind, file}]}; a file already in the catalog gives the '
        'stored run\'s uid and "already_imported": true',
    )
    p.set_defaults(func=cmd_import)
