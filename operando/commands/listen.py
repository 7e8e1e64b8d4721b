"""``operando listen``: live analysis of whatever runs, from the document broker."""

from __future__ import annotations

import argparse
import sys


def register(sub) -> None:
    p = sub.add_parser(
        "listen",
        help="run the live analysis (progress, summaries, figures) of the runs a session "
        "publishes, in this process",
    )
    p.add_argument("--nats", help="NATS JetStream server, nats://HOST:PORT (durable)")
    p.add_argument("--zmq", help="bluesky 0MQ proxy output, HOST:PORT (live only)")
    p.add_argument("--name", help="durable consumer name (NATS; default listen-<user>)")
    p.add_argument(
        "--from-start",
        action="store_true",
        help="a new consumer begins with the oldest document the broker holds (NATS)",
    )
    p.add_argument("--figures", help="save each run's live figure in this directory")
    p.add_argument("--runs", type=int, help="exit after this many runs")
    p.add_argument("--idle-exit", type=float, help="exit after this many s without documents")
    p.add_argument("--json", action="store_true", help="each run's summary as one JSON line")
    p.add_argument("--no-progress", action="store_true", help="no progress line")
    p.set_defaults(func=cmd_listen)


def cmd_listen(args: argparse.Namespace) -> int:
    from ..errors import BadRequest
    from ..studies.listen import Listener, choose_broker, listen_nats, listen_zmq
    from .output import print_json, print_summary

    if args.runs is not None and args.runs < 1:
        raise BadRequest(f"--runs {args.runs}: give 1 or more")
    kind, address = choose_broker(args.nats, args.zmq)

    def on_summary(uid, summary, error) -> None:
        if summary is not None:
            print_summary(summary, args.json)
        elif args.json:
            print_json({"uid": uid, "summary": None, "error": error})
        else:
            print(f"run {uid}: no summary ({error or 'not a kind with one'})")
        sys.stdout.flush()

    listener = Listener(on_summary, progress=not args.no_progress, figures=args.figures)
    try:
        if kind == "nats":
            listen_nats(address, listener, name=args.name, from_start=args.from_start,
                        runs=args.runs, idle_exit_s=args.idle_exit)  # fmt: skip
        else:
            listen_zmq(address, listener, runs=args.runs)
    except KeyboardInterrupt:
        pass
    print(f"listened: {listener.runs} runs, {listener.documents} documents", file=sys.stderr)
    return 0
