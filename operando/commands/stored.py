"""``operando replay|report``: stored runs through the live analysis, and their figures."""

from __future__ import annotations

import argparse
import pathlib

from .output import print_summary


def cmd_replay(args: argparse.Namespace) -> int:
    from ..studies.stored import replay_run

    print_summary(replay_run(args.uid, args.data), args.json)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from ..studies.stored import report_runs

    out = pathlib.Path(args.out)
    for uid, summary in zip(args.uids, report_runs(args.uids, args.data, out), strict=True):
        print(f"{uid}: {summary.kind} run {summary.uid}: summary and figures in {out}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
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
