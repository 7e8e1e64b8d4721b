"""Options shared by several commands."""

from __future__ import annotations

import argparse


def add_session_options(p: argparse.ArgumentParser) -> None:
    """Where to acquire and store, shared by every ``run`` protocol."""
    p.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="instrument seconds per wall second of the command's own simulator",
    )
    p.add_argument("--data", required=True, help="data directory or tiled URI")
    p.add_argument("--prefix", help="PV prefix of a running beamline (default: own simulator)")
    p.add_argument("--ca-port", type=int, help="Channel Access port of that beamline's server")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--take-over",
        action="store_true",
        help="start even if the potentiostat is Running a procedure (it is stopped)",
    )


def positive(flag: str, value: float) -> None:
    """Refuse a non-positive (or NaN) option value."""
    from ..errors import BadRequest

    if not value > 0:
        raise BadRequest(f"{flag} must be positive, got {value}")


SCAN_HELP = (
    "X-ray spectra as fly scans (the monochromator sweeps while the counters buffer) or "
    "step scans (default: fly where the endstation has it)"
)
