"""``python -m operando.sim``: serve the simulated beamline (same as ``operando sim``)."""

from __future__ import annotations

import argparse
import os


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--prefix", default="OPSIM:", help="PV prefix of the beamline")
    parser.add_argument("--port", type=int, default=5064, help="Channel Access server port")
    parser.add_argument(
        "--time-scale", type=float, default=1.0, help="instrument seconds per wall-clock second"
    )
    parser.add_argument(
        "--interface",
        default="127.0.0.1",
        help="address to serve on (default loopback only; 0.0.0.0 for every interface)",
    )


def serve(args: argparse.Namespace) -> None:
    """Run the IOC in this process until interrupted."""
    if args.time_scale <= 0:
        raise SystemExit(f"--time-scale must be positive, got {args.time_scale}")
    # The server reads its port from the environment of its own process.
    os.environ["EPICS_CA_SERVER_PORT"] = str(args.port)
    os.environ["EPICS_CAS_INTF_ADDR_LIST"] = args.interface
    from caproto.asyncio.server import run

    from .ioc import build_pvdb
    from .world import World

    world = World(time_scale=args.time_scale)
    run(build_pvdb(args.prefix, world), interfaces=[args.interface])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="operando sim", description=__doc__)
    add_arguments(parser)
    serve(parser.parse_args(argv))


if __name__ == "__main__":
    main()
