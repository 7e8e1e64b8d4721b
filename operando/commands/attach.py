"""``operando attach``: read a lost client's procedure from the instrument into its run."""

from __future__ import annotations

import argparse


def register(sub) -> None:
    p = sub.add_parser(
        "attach",
        help="re-attach to the instrument running a procedure this store started "
        "(its client was lost) and store its whole record",
    )
    p.add_argument("--data", required=True, help="data directory of the lost run")
    p.add_argument("--uid", help="the run (uid or prefix; default: the latest unfinished one)")
    p.add_argument("--prefix", help="PV prefix (default: from the run's start document)")
    p.add_argument("--ca-port", type=int, help="Channel Access port (default: from the run)")
    p.add_argument(
        "--open-circuit",
        action="store_true",
        help="stop the procedure (open the circuit) before reading the record out",
    )
    p.set_defaults(func=cmd_attach)


def cmd_attach(args: argparse.Namespace) -> int:
    from ..studies.attach import attach

    r = attach(
        args.data, uid=args.uid, prefix=args.prefix, ca_port=args.ca_port,
        open_circuit=args.open_circuit,
    )  # fmt: skip
    rec = r.recovery
    print(
        f"run {r.uid}: the lost client had logged {r.events_in_log_before} points, the "
        f"instrument recorded {r.instrument_points} ({r.status_before} when attached"
        f"{', circuit opened' if r.opened_circuit else ''}); {r.primary_stored} primary points "
        f"stored ({rec.events_stored} events of all streams)"
    )
    for stream, (logged, recorded) in r.streams.items():
        if stream != "primary":
            print(
                f"  {stream}: {logged} logged, {recorded} recorded, "
                f"{r.stored.get(stream, 0)} stored"
            )
    complete = all(r.stored.get(s, 0) == n for s, (_, n) in r.streams.items())
    return 0 if complete and rec.ok else 1
