"""``operando recover``: re-ingest document logs; per run, events in the log vs stored."""

from __future__ import annotations

import argparse
import sys


def register(sub) -> None:
    p = sub.add_parser(
        "recover",
        help="re-ingest document logs into the store (exit 1 unless every event is stored)",
    )
    p.add_argument("logs", nargs="*", help="log files (default: every log of the store)")
    p.add_argument("--data", required=True, help="data directory or tiled URI")
    p.add_argument(
        "--rebuild-catalog",
        action="store_true",
        help="set a damaged catalog aside (kept) and rebuild it from every document log",
    )
    p.set_defaults(func=cmd_recover)


def cmd_recover(args: argparse.Namespace) -> int:
    from ..studies.recover import recover_logs

    results, aside = recover_logs(args.data, args.logs, rebuild_catalog=args.rebuild_catalog)
    if aside is not None:
        print(f"the previous catalog, tables and arrays are kept in {aside}")
    ok = True
    for r in results:
        notes = []
        if r.completed:
            notes.append("incomplete log: completed with a stop document (exit_status fail)")
        if r.appended_in_place:
            notes.append(
                f"partly stored: completed in place, {r.appended_in_place} events appended"
            )
        if r.damaged_lines:
            notes.append(f"damaged lines {r.damaged_lines} skipped")
        if r.orphan_events:
            notes.append(f"{r.orphan_events} events lost with their descriptor")
        status = "ok" if r.ok else "MISMATCH"
        print(
            f"{r.log.name}: run {r.uid}: {r.events_in_log} events in the log, "
            f"{r.events_stored} stored, {status}" + (f" ({'; '.join(notes)})" if notes else "")
        )
        ok = ok and r.ok
    if not ok:
        print("operando: error: some events are not in the store (see above)", file=sys.stderr)
    return 0 if ok else 1
