"""Command-line checks made before anything starts: no simulator, no file, no PV write.

Each check raises :class:`operando.errors.BadRequest` with one line saying what was wrong
and what is allowed; ``operando.cli.main`` prints it and exits 2. The plans check their own
parameters again (they are also used from the shell); these checks add what only the
command line knows: its options, the data directory, the Channel Access server it names.
"""

from __future__ import annotations

import argparse
import math
import os
import pathlib

from .errors import BadRequest
from .instruments import CELL_TEMPERATURE_RANGE_C

PROBE_TIMEOUT_S = 3.0  # how long a named beamline has to answer before the command gives up
PORT_RANGE = (1, 65535)


def check_args(args: argparse.Namespace) -> None:
    """Every check that applies to the parsed command line ``args``."""
    _check_finite(args)
    command = getattr(args, "command", None)
    if command in ("run", "sim", "demo") and getattr(args, "time_scale", None) is not None:
        check_time_scale(args.time_scale)
    if command == "sim":
        check_port("--port", args.port)
    if getattr(args, "ca_port", None) is not None:
        check_port("--ca-port", args.ca_port)
    data = getattr(args, "data", None)
    if data is not None and command in ("run", "attach", "recover"):
        check_data_dir(data)
    if command == "demo":
        check_data_dir(pathlib.Path(args.out) / "data")
    protocol = getattr(args, "protocol", None)
    own_simulator = getattr(args, "prefix", None) is None
    if command == "run" and protocol in ("cycle", "dems"):
        _check_electrochem(args, own_simulator)
    if command == "run" and protocol in ("cv", "gitt", "eis") and own_simulator:
        _check_technique_window(args)
    if command == "run" and not own_simulator:
        check_beamline(args.prefix, args.ca_port, take_over=getattr(args, "take_over", False))


def _check_finite(args: argparse.Namespace) -> None:
    for name, value in vars(args).items():
        if isinstance(value, float) and not math.isfinite(value):
            flag = "--" + name.replace("_", "-")
            raise BadRequest(f"{flag} must be a finite number, got {value}")


def check_time_scale(value: float) -> None:
    """Instrument seconds per wall second: finite and positive."""
    if not (math.isfinite(value) and value > 0):
        raise BadRequest(
            f"--time-scale must be a finite positive number (instrument s per wall s), got {value}"
        )


def check_port(flag: str, port: int) -> None:
    lo, hi = PORT_RANGE
    if not lo <= port <= hi:
        raise BadRequest(f"{flag} must be a TCP/UDP port from {lo} to {hi}, got {port}")


def check_data_dir(data: str | os.PathLike) -> None:
    """A data directory must be a directory this process can write, or creatable as one.

    A tiled URI (``http(s)://``) is left to the server.
    """
    text = str(data)
    if text.startswith(("http://", "https://")):
        return
    path = pathlib.Path(text).expanduser().absolute()
    if path.exists() and not path.is_dir():
        raise BadRequest(f"--data {text}: is a file, not a directory; name a directory")
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise BadRequest(f"--data {text}: {existing} is a file; name a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise BadRequest(f"--data {text}: {existing} is not writable; name a writable directory")
    try:  # os.access does not see every refusal (read-only mounts for root, ACLs): try
        import tempfile

        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        raise BadRequest(
            f"--data {text}: cannot write in {existing} ({exc.strerror}); name a writable directory"
        ) from None


def _check_electrochem(args: argparse.Namespace, own_simulator: bool) -> None:
    """The protocol's own checks, plus the private simulator's compliance."""
    from .plans.checks import check_cycle_parameters
    from .studies.samples import study_sample

    sample, one_c = study_sample(
        material=args.material, formula=args.formula, mass_mg=args.mass_mg,
        area_cm2=args.area_cm2, materials_dir=args.materials_dir, simulated=own_simulator,
    )  # fmt: skip
    if args.protocol == "cycle":
        current = check_cycle_parameters(
            sample,
            v_min=args.v_min,
            v_max=args.v_max,
            cycles=args.cycles,
            c_rate=args.c_rate,
            one_c_mA_g=one_c,
        )
    else:
        from .plans.checks import check_dems_parameters

        current = check_dems_parameters(
            sample, rest_s=args.rest_h * 3600.0, current_mA_g=args.current_mA_g,
            v_min=args.v_min, v_max=args.v_max, cycles=args.cycles,
            sample_interval_s=args.sample_interval_s,
        )  # fmt: skip
    if getattr(args, "temperature_C", None) is not None:
        from .plans.checks import check_temperature

        try:
            check_temperature(args.temperature_C)
        except BadRequest:
            lo, hi = CELL_TEMPERATURE_RANGE_C
            raise BadRequest(
                f"--temperature-C {args.temperature_C:g}: the cell's climate chamber holds "
                f"{lo:g} to {hi:g} C"
            ) from None
    if own_simulator:
        from .sim.models.compliance import Compliance

        comp = Compliance()
        if current > comp.max_current_mA:
            raise BadRequest(
                f"a current of {current:.4g} mA exceeds the potentiostat's compliance of "
                f"{comp.max_current_mA:g} mA; use a smaller mass, current or C-rate"
            )
        for flag, volts in (("--v-min", args.v_min), ("--v-max", args.v_max)):
            if not comp.v_min_V <= volts <= comp.v_max_V:
                raise BadRequest(
                    f"{flag} {volts:g} V lies outside the potentiostat's voltage window "
                    f"[{comp.v_min_V:g}, {comp.v_max_V:g}] V"
                )


def _check_technique_window(args: argparse.Namespace) -> None:
    """The potentials of a CV, GITT or EIS against the private simulator's voltage window."""
    from .sim.models.compliance import Compliance

    comp = Compliance()
    for flag in ("--v-min", "--v-max", "--state-V"):
        volts = getattr(args, flag[2:].replace("-", "_"), None)
        if volts is not None and not comp.v_min_V <= volts <= comp.v_max_V:
            raise BadRequest(
                f"{flag} {volts:g} V lies outside the potentiostat's voltage window "
                f"[{comp.v_min_V:g}, {comp.v_max_V:g}] V"
            )


def check_beamline(prefix: str, ca_port: int | None, *, take_over: bool = False) -> None:
    """The beamline named by prefix answers within seconds and its channel is not busy."""
    status = read_pv(f"{prefix}PSTAT:Status", ca_port)
    if status is None:
        where = f"port {ca_port}" if ca_port else "the EPICS_CA_ADDR_LIST servers"
        raise BadRequest(
            f"no IOC answers for prefix {prefix!r} ({prefix}PSTAT:Status on {where}) within "
            f"{PROBE_TIMEOUT_S:g} s; start one with `operando sim --prefix {prefix}` or check "
            "--prefix and --ca-port"
        )
    if status in (1, "Running", b"Running") and not take_over:  # STATUSES[1] == "Running"
        raise BadRequest(
            f"the potentiostat {prefix}PSTAT: is Running a procedure; read it out with "
            f"`operando attach`, or pass --take-over to stop it and start a new run"
        )


def read_pv(pv: str, ca_port: int | None, timeout: float = PROBE_TIMEOUT_S):
    """The value of one PV (a scalar), or None if nothing answers within timeout."""
    from caproto.sync.client import read

    from .sim.ioc.launch import ca_client_env

    saved = dict(os.environ)
    if ca_port is not None:
        os.environ.update(ca_client_env(ca_port))
    try:
        response = read(pv, timeout=timeout, repeater=False)
    except Exception:  # noqa: BLE001 - any failure to answer means "nothing answers"
        return None
    finally:
        os.environ.clear()
        os.environ.update(saved)
    data = response.data
    return data[0] if len(data) == 1 else data


def lost_instrument_message(exc: BaseException, data: str | None) -> str | None:
    """One line for an instrument that stopped answering mid-command, else None.

    Looks through the exception's chain for a Channel Access timeout or disconnection.
    """
    seen = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        name = type(cause).__name__
        text = str(cause).splitlines()[0] if str(cause) else name
        if isinstance(cause, TimeoutError) or name in (
            "DisconnectedError", "ReadTimeoutError", "CaprotoTimeoutError", "WaitTimeoutError",
        ):  # fmt: skip
            where = f" in {data}" if data else ""
            return (
                f"an instrument stopped answering ({text[:160]}); what was acquired is in "
                f"the document log{where}: `operando recover --data {data or 'DIR'}` stores it, "
                "`operando attach` reads the rest once the instrument is back"
            )
        cause = cause.__cause__ or cause.__context__
    return None
