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
    parser.add_argument(
        "--list-pvs",
        action="store_true",
        help="print every PV served (name, record type, units, description) and exit",
    )
    parser.add_argument(
        "--exit-with-parent",
        action="store_true",
        help="exit when the process that started this one ends (used by test fixtures)",
    )


def serve(args: argparse.Namespace) -> None:
    """Run the IOC in this process until interrupted."""
    if args.time_scale <= 0:
        raise SystemExit(f"--time-scale must be positive, got {args.time_scale}")
    # The server reads its port from the environment of its own process.
    os.environ["EPICS_CA_SERVER_PORT"] = str(args.port)
    os.environ["EPICS_CAS_INTF_ADDR_LIST"] = args.interface
    from caproto.asyncio.server import run

    from .ioc.beamline import build_pvdb
    from .models.world import World

    if getattr(args, "exit_with_parent", False):
        _exit_with_parent()
    world = World(time_scale=args.time_scale)
    run(build_pvdb(args.prefix, world), interfaces=[args.interface])


def _exit_with_parent() -> None:
    """Leave no orphaned IOC behind a client that was killed."""
    import threading
    import time

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="operando sim", description=__doc__)
    add_arguments(parser)
    serve(parser.parse_args(argv))


if __name__ == "__main__":
    main()
