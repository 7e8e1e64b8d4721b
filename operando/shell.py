"""The interactive session: everything a user types against, built from a config file.

``operando shell`` (IPython), ``ipython --profile-dir=profile`` (the repository's profile,
whose startup file calls :func:`start`) and bluesky-queueserver's worker
(``start-re-manager --startup-dir profile/startup --keep-re``) all load the same namespace.

Configuration: a TOML file, found as ``--config PATH``, else ``$OPERANDO_CONFIG``, else
``./operando.toml``, else built-in defaults (a simulated beamline, data in ``./data``)::

    [store]
    data = "./data"              # a directory (embedded tiled) or a tiled server URI
    api_key = "..."              # a served store's key (or $OPERANDO_API_KEY); chmod 600
    log_dir = "~/.operando/document-log"   # local document logs of served-store runs

    [beamline]                   # leave out prefix to start the simulated beamline
    prefix = "BL7:"              # real IOCs: <prefix>PSTAT:, DEMS:, SXR:, HXR:
    ca_port = 5064               # optional: Channel Access server port
    [beamline.prefixes]          # optional: instruments that do not follow the pattern
    potentiostat = "BL7:BIO1:"
    [beamline.hard_xray]         # optional: the endstation's own records (under its prefix;
    mono = "DCM:Energy"          #   defaults: the simulator's Mono, Holder, Holder:Sample,
    holder = "Stage:X"           #   Scaler, BeamCurrent, LastError)
    scaler = "scaler1"
    [beamline.hard_xray.channels]  # scaler channel names (.NMn) of I0, It, Iref
    i0 = "I0"
    it = "IT"
    iref = "IREF"

    [simulator]
    time_scale = 1000            # instrument seconds per wall second

    [session]
    operator = "jdoe"
    experiment = "..."           # the study's uid shared by its runs (new if absent)

    [beam]                       # when X-ray plans suspend for a lost beam
    suspend_below_mA = 100
    resume_above_mA = 300
    settle_s = 10
"""

from __future__ import annotations

import atexit
import os
import pathlib
import sys
import tomllib
from dataclasses import dataclass, field
from typing import Any

from .errors import BadRequest
from .instruments import COIN_CELL_AREA_CM2

DEFAULT_CONFIG_NAME = "operando.toml"
SHELL_TIME_SCALE = 1000.0  # a 10 h charge in 36 s on the simulator


@dataclass
class ShellConfig:
    """What the session connects to (see the module docstring for the file format)."""

    data: str = "./data"
    prefix: str | None = None  # None: start the simulated beamline
    ca_port: int | None = None
    prefixes: dict[str, str] = field(default_factory=dict)
    time_scale: float = SHELL_TIME_SCALE
    operator: str | None = None
    experiment: str | None = None
    beam: dict[str, float] = field(default_factory=dict)
    xray_pvs: dict[str, dict] = field(default_factory=dict)  # [beamline.soft_xray/hard_xray]
    source: str = "built-in defaults"

    @property
    def simulated(self) -> bool:
        return self.prefix is None


KNOWN_SECTIONS = {
    "store": {"data", "api_key", "log_dir"},  # api_key, log_dir: storage/credentials.py
    "beamline": {"prefix", "ca_port", "prefixes", "soft_xray", "hard_xray"},
    "simulator": {"time_scale"},
    "session": {"operator", "experiment"},
    "beam": {"suspend_below_mA", "resume_above_mA", "settle_s"},
    "broker": {"zmq", "nats"},  # documents on the wire: operando/wire
}


def load_config(path: str | os.PathLike | None = None) -> ShellConfig:
    """Read the configuration (``path``, ``$OPERANDO_CONFIG``, ``./operando.toml``, or
    defaults). Unknown sections or keys are refused with what is allowed."""
    if path is None:
        path = os.environ.get("OPERANDO_CONFIG") or (
            DEFAULT_CONFIG_NAME if pathlib.Path(DEFAULT_CONFIG_NAME).exists() else None
        )
    if path is None:
        return ShellConfig()
    path = pathlib.Path(path).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"configuration file {str(path)!r} does not exist")
    with path.open("rb") as f:
        try:
            raw = tomllib.load(f)
        except tomllib.TOMLDecodeError as exc:
            raise BadRequest(f"{path}: not valid TOML ({exc})") from None
    for section, values in raw.items():
        if section not in KNOWN_SECTIONS:
            raise BadRequest(
                f"{path}: unknown section [{section}]; known: {sorted(KNOWN_SECTIONS)}"
            )
        unknown = set(values) - KNOWN_SECTIONS[section]
        if unknown:
            raise BadRequest(
                f"{path}: unknown keys {sorted(unknown)} in [{section}]; "
                f"known: {sorted(KNOWN_SECTIONS[section])}"
            )
    beamline, store = raw.get("beamline", {}), raw.get("store", {})
    config = ShellConfig(
        data=str(store.get("data", "./data")),
        prefix=beamline.get("prefix"),
        ca_port=beamline.get("ca_port"),
        prefixes=dict(beamline.get("prefixes", {})),
        time_scale=float(raw.get("simulator", {}).get("time_scale", SHELL_TIME_SCALE)),
        operator=raw.get("session", {}).get("operator"),
        experiment=raw.get("session", {}).get("experiment"),
        beam={k: float(v) for k, v in raw.get("beam", {}).items()},
        xray_pvs={k: dict(beamline[k]) for k in ("soft_xray", "hard_xray") if k in beamline},
        source=str(path),
    )
    from .devices.xray import EndstationPVs

    for key, table in config.xray_pvs.items():
        try:
            EndstationPVs.from_config(key.removesuffix("_xray"), table)
        except BadRequest as exc:
            raise BadRequest(f"{path}: [beamline.{key}]: {exc}") from None
    if not config.time_scale > 0:
        raise BadRequest(f"{path}: [simulator] time_scale must be > 0, got {config.time_scale}")
    return config


def start(config: ShellConfig | str | os.PathLike | None = None, *, plots: bool = True) -> dict:
    """Build the session and return the namespace of the shell (see ``BANNER``)."""
    import bluesky.plan_stubs as bps
    import bluesky.plans as bp
    import bluesky.preprocessors as bpp

    from . import plans
    from .devices.xray import BeamPolicy
    from .display import LivePlots
    from .sample import sample_for
    from .session import make_session
    from .storage import GuardedCallback

    if not isinstance(config, ShellConfig):
        config = load_config(config)
    session = make_session(
        config.data, prefix=config.prefix, ca_port=config.ca_port,
        time_scale=config.time_scale, operator=config.operator,
        experiment=config.experiment, prefixes=config.prefixes, xray_pvs=config.xray_pvs,
    )  # fmt: skip
    atexit.register(session.close)  # the private simulator stops with the shell
    for station in (session.soft_xray, session.hard_xray):
        if station is not None:
            station.beam = BeamPolicy(**config.beam)
    live_plots = LivePlots() if plots else None
    if live_plots is not None:
        session.tokens["plots"] = session.RE.subscribe(GuardedCallback(live_plots, "live plots"))

    def new_cell(
        material: str, mass_mg: float, area_cm2: float = COIN_CELL_AREA_CM2, name: str | None = None
    ):
        """A Sample of a known material (mass in mg, area in cm2); on the simulated beamline
        also a fresh, pristine cell of it on the potentiostat."""
        cell = sample_for(material, mass_mg, area_cm2, name=name)
        if session.sim_control is not None:
            session.assemble_sim_cell(cell)
        return cell

    ns: dict[str, Any] = {
        "session": session,
        "RE": session.RE,
        "db": session.db,
        "catalog": session.store.client,
        "potentiostat": session.potentiostat,
        "mass_spectrometer": session.mass_spectrometer,
        "soft_xray": session.soft_xray,
        "hard_xray": session.hard_xray,
        "sim": session.sim_control,
        "run_summary": session.run_summary,
        "progress": session.progress,
        "plots": live_plots,
        "new_cell": new_cell,
        "sample_for": sample_for,
        "EdgeSeries": plans.EdgeSeries,  # one endstation's part of xas_series_together
        "bp": bp,
        "bps": bps,
        "bpp": bpp,
        "config": config,
    }
    ns.update({name: getattr(plans, name) for name in plans.PLANS})
    from .queue_plans import queue_plans

    ns.update(queue_plans(session))  # plain-parameter plans for bluesky-queueserver
    ns["banner"] = banner(ns)
    return ns


def banner(ns: dict) -> str:
    """What is loaded and how to get help, in a few lines."""
    config: ShellConfig = ns["config"]
    session = ns["session"]
    where = (
        f"simulated beamline (time x{config.time_scale:g})"
        if config.simulated
        else f"beamline {config.prefix}"
    )
    devices = [
        n
        for n in ("potentiostat", "mass_spectrometer", "soft_xray", "hard_xray", "sim")
        if ns.get(n) is not None
    ]
    from . import plans

    return "\n".join(
        [
            f"operando: {where}; data in {config.data}; experiment "
            f"{session.RE.md['experiment']} (config: {config.source})",
            f"  devices: {', '.join(devices)}",
            f"  plans:   {', '.join(plans.PLANS)}",
            "  also:    RE, db, catalog, new_cell, run_summary.summary (the last run's",
            "           results, any protocol), plots, progress, bp, bps, EdgeSeries",
            "  try:     cell = new_cell('lnmo', mass_mg=3.85)",
            "           RE(galvanostatic(potentiostat, cell, cutoff_V=4.8, c_rate=0.1))",
            "  help:    galvanostatic?  (every plan's parameters, with units); README: 'The shell'",
        ]
    )


def show_refusals_briefly(ip) -> None:
    """In IPython, a refused request (bad plan parameters, an instrument refusing a put, a
    store that cannot be read: :class:`~operando.errors.OperandoError`) prints its message
    alone, not a traceback: it is an answer, not a crash. Other errors (bugs, analysis
    failures) keep their tracebacks."""
    from .errors import OperandoError

    def refusal(shell, etype, value, tb, tb_offset=None):
        print(f"refused: {value}", file=sys.stderr)

    ip.set_custom_exc((OperandoError,), refusal)


def run_ipython(config: ShellConfig | str | None = None) -> int:
    """Start IPython with the session's namespace (``operando shell``)."""
    from IPython import start_ipython
    from traitlets.config import Config

    ns = start(config)
    ipython_config = Config()
    ipython_config.TerminalInteractiveShell.banner2 = ns["banner"] + "\n"
    ipython_config.InteractiveShellApp.exec_lines = [
        "from operando.shell import show_refusals_briefly as _brief",
        "_brief(get_ipython()); del _brief",
    ]
    start_ipython(argv=[], user_ns=ns, config=ipython_config)
    return 0
