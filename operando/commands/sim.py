"""``operando sim``: serve the simulated beamline (one caproto IOC) until interrupted."""

from __future__ import annotations

import argparse


def cmd_sim(args: argparse.Namespace) -> int:
    from ..sim.__main__ import serve

    if getattr(args, "list_pvs", False):
        from ..sim.ioc.pvlist import format_pvs

        print(format_pvs(args.prefix))
        return 0
    print(
        f"simulated beamline: prefix {args.prefix}, Channel Access on {args.interface}:"
        f"{args.port}, time scale {args.time_scale:g}\n"
        f"clients: EPICS_CA_ADDR_LIST={args.interface}:{args.port} "
        "EPICS_CA_AUTO_ADDR_LIST=NO",
        flush=True,
    )
    try:
        serve(args)
    except KeyboardInterrupt:
        pass
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from ..sim.__main__ import add_arguments

    p = sub.add_parser("sim", help="serve the simulated beamline (one caproto IOC)")
    add_arguments(p)
    p.set_defaults(func=cmd_sim)
