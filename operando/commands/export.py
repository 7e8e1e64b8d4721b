"""``operando export``: stored runs to CSV, parquet, XDI, Athena or NeXus files."""

from __future__ import annotations

import argparse

from .output import print_json

FORMAT_CHOICES = ("csv", "parquet", "xdi", "athena", "nexus")  # studies.exporting.FORMATS


def cmd_export(args: argparse.Namespace) -> int:
    from ..studies.exporting import export_runs

    paths = export_runs(args.uids, args.data, args.format, args.out)
    if args.json:
        print_json({"files": [str(p) for p in paths]})
    else:
        for path in paths:
            print(path)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="write stored runs as csv or parquet (per stream), xdi (per spectrum), an "
        "athena project or nexus/hdf5",
    )
    p.add_argument("uids", nargs="+", help="run uids (or unique prefixes)")
    p.add_argument("--data", required=True, help="the run store")
    p.add_argument("--format", required=True, choices=FORMAT_CHOICES)
    p.add_argument("--out", required=True, help="directory for the files (made if missing)")
    p.add_argument("--json", action="store_true", help='print {"files": [...]}')
    p.set_defaults(func=cmd_export)
