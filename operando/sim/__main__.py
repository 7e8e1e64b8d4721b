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
    if not 0 < args.time_scale < float("inf"):
        raise SystemExit(f"--time-scale must be finite and positive, got {args.time_scale}")
    if not 1 <= args.port <= 65535:
        raise SystemExit(f"--port must be from 1 to 65535, got {args.port}")
    # The server reads its port from the environment of its own process.
    os.environ["EPICS_CA_SERVER_PORT"] = str(args.port)
    os.environ["EPICS_CAS_INTF_ADDR_LIST"] = args.interface
    from .ioc.launch import beacon_env

    os.environ.update(beacon_env(args.interface))
    from caproto.asyncio.server import run

    from .ioc.beamline import build_pvdb
    from .models.world import World

    world = World(time_scale=args.time_scale)
    if getattr(args, "exit_with_parent", False):
        _exit_with_parent(world)
    run(build_pvdb(args.prefix, world), interfaces=[args.interface])


LINGER_S = 600.0  # wall seconds an orphaned simulator stays up for `operando attach`


def _exit_with_parent(world) -> None:
    """Leave no orphaned IOC behind a killed client, but not before its data can be read.

    When the parent dies, the simulator keeps serving while the potentiostat runs a
    procedure and for LINGER_S after it ends (or after the parent died, if idle), so that
    ``operando attach`` can read the buffer out and open the circuit; then it exits.
    """
    import threading
    import time

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        idle_since = time.monotonic()
        while True:
            if world.potentiostat.status == "Running":
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since > LINGER_S:
                os._exit(0)
            time.sleep(1.0)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="operando sim", description=__doc__)
    add_arguments(parser)
    serve(parser.parse_args(argv))


if __name__ == "__main__":
    main()
