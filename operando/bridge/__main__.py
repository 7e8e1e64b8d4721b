"""``python -m operando.bridge``: serve a potentiostat driver as the contract's PVs.

    python -m operando.bridge --prefix BL7: --port 5064 \
        --driver mylab.drivers:VendorPotentiostat

``--driver MODULE:CLASS`` names a :class:`~operando.bridge.driver.PotentiostatDriver`
subclass made with no arguments (default: the in-memory linear cell, whose clock runs
``--time-scale`` x the wall clock); ``--ms-driver`` a
:class:`~operando.bridge.driver.MassSpectrometerDriver` (``DEMS:`` PVs; none by default;
``operando.bridge.memory:InMemoryMassSpectrometer`` for the in-memory one).
"""

from __future__ import annotations

import argparse
import importlib
import os

DEFAULT_DRIVER = "operando.bridge.memory:InMemoryPotentiostat"
IN_MEMORY = (DEFAULT_DRIVER, "operando.bridge.memory:InMemoryMassSpectrometer")


def make_driver(spec: str, time_scale: float):
    module_name, _, class_name = spec.partition(":")
    if not class_name:
        raise SystemExit(f"a driver is MODULE:CLASS, got {spec!r}")
    cls = getattr(importlib.import_module(module_name), class_name)
    return cls(time_scale=time_scale) if spec in IN_MEMORY else cls()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m operando.bridge",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--prefix", default="BRIDGE:", help="PV prefix (PVs: <prefix>PSTAT:...)")
    parser.add_argument("--port", type=int, default=5064, help="Channel Access server port")
    parser.add_argument("--interface", default="127.0.0.1", help="address to serve on")
    parser.add_argument("--driver", default=DEFAULT_DRIVER, help="MODULE:CLASS of the driver")
    parser.add_argument(
        "--ms-driver",
        default=None,
        help="MODULE:CLASS of a mass-spectrometer driver (PVs <prefix>DEMS:...)",
    )
    parser.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="in-memory driver only: instrument seconds per wall second",
    )
    args = parser.parse_args(argv)
    if not 0 < args.time_scale < float("inf"):
        raise SystemExit(f"--time-scale must be finite and positive, got {args.time_scale}")
    os.environ["EPICS_CA_SERVER_PORT"] = str(args.port)
    os.environ["EPICS_CAS_INTF_ADDR_LIST"] = args.interface
    from ..sim.ioc.launch import beacon_env

    os.environ.update(beacon_env(args.interface))
    from caproto.asyncio.server import run

    from .ioc import build_bridge_pvdb

    ms = None if not args.ms_driver else make_driver(args.ms_driver, args.time_scale)
    run(build_bridge_pvdb(args.prefix, make_driver(args.driver, args.time_scale), ms),
        interfaces=[args.interface])  # fmt: skip


if __name__ == "__main__":
    main()
