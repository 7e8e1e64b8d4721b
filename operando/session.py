"""A working session: RunEngine, storage, devices and live analysis, wired together.

Used by the command line, the IPython profile and the tests, so that all of them acquire
the same way. Documents flow, in this order, to: the local document log (nothing is lost
if storage fails), tiled through the column writer (guarded: a storage outage does not stop
acquisition), and the live analysis callbacks.
"""

from __future__ import annotations

import functools
import getpass
import logging
import os
import uuid
from dataclasses import dataclass, field
from typing import Any

from .errors import BadRequest
from .sim.ioc.launch import SimulatedBeamline, ca_client_env
from .storage import (
    BackgroundWriter,
    CatchUp,
    DocumentLog,
    GuardedCallback,
    Store,
    make_writer,
    open_store,
)

# Each instrument's PVs are <prefix><suffix> unless the configuration names its prefix.
INSTRUMENT_SUFFIXES = {
    "potentiostat": "PSTAT:",
    "mass_spectrometer": "DEMS:",
    "soft_xray": "SXR:",
    "hard_xray": "HXR:",
    "sim": "SIM:",
}

logger = logging.getLogger(__name__)


@dataclass
class Session:
    """Everything a user or a command needs to run and store experiments."""

    RE: Any
    store: Store
    potentiostat: Any
    mass_spectrometer: Any | None  # devices.MassSpectrometer; None if the beamline has none
    soft_xray: Any | None  # devices.xray.SoftXrayEndstation; None if the beamline has none
    hard_xray: Any | None  # devices.xray.HardXrayEndstation
    sim_control: Any | None
    progress: Any  # display.ProgressDisplay, subscribed (None if progress=False)
    run_summary: Any  # analysis.run_summary.RunSummary: ``.summary`` of the last run
    writer: GuardedCallback
    document_log: DocumentLog
    simulator: SimulatedBeamline | None = None
    tokens: dict[str, int] = field(default_factory=dict)  # RE subscription tokens by role
    publishers: dict[str, Any] = field(default_factory=dict)  # documents on the wire (wire/)
    catch_up: Any = None  # storage.catch_up.CatchUp: runs the store missed, re-ingested
    background_writer: Any = None  # storage.BackgroundWriter: the writer's thread
    closed: bool = False

    @functools.cached_property
    def db(self):
        """databroker's (v1) API over the same catalog: ``db[-1]`` is the latest run."""
        from databroker import Broker
        from tiled.client import from_context

        from .storage.run_clients import structure_clients

        # A client of its own: databroker switches its client map to v2 runs (run_clients).
        client = from_context(self.store.client.context, structure_clients=structure_clients())
        return Broker(client)

    def assemble_sim_cell(self, sample) -> None:
        """Simulator only: put a pristine cell of the sample's material on the channel."""
        from .plans.ex_situ import assemble_cell

        if self.sim_control is None:
            raise BadRequest("a real beamline has no simulated cell to assemble")
        self.RE(assemble_cell(self.potentiostat, self.sim_control, sample))

    def close(self) -> None:
        """Release everything the session holds: brokers, storage threads, devices' Channel
        Access callbacks, the RunEngine's event loop, the store, a private simulator.

        A process that makes sessions one after another (a test suite, a shell that
        reconnects) would otherwise keep every earlier session's threads and callbacks
        (caproto re-runs all of a shared PV's callbacks for each new one). A run left
        paused is aborted first (its stop document stored); a plan still running is
        refused. Closing twice does nothing; the session is not usable afterwards.
        """
        if self.closed:
            return
        state = getattr(self.RE, "state", "idle")
        if state == "running":
            raise BadRequest(
                "a plan is running in this session: stop it (RE.stop() or RE.abort()) first"
            )
        self.closed = True
        try:
            if state == "paused":
                self.RE.abort(reason="the session was closed while the run was paused")
            for token in self.tokens.values():
                self.RE.unsubscribe(token)  # no document reaches a closed callback
            for step in (self._close_publishers, self._finish_storage, self._release_devices,
                         self._stop_run_engine_loop, self.store.close):  # fmt: skip
                try:
                    step()
                except Exception:  # noqa: BLE001 - the other steps and the simulator still run
                    logger.exception("closing the session: %s failed", step.__name__)
        finally:
            if self.simulator is not None:
                self.simulator.stop()
                self.simulator = None

    def _close_publishers(self) -> None:
        for publisher in self.publishers.values():
            if hasattr(publisher, "close"):
                publisher.close()  # the durable broker: what is queued is sent first
        self.publishers = {}

    def _finish_storage(self) -> None:
        """Write what is queued, then let catch-up finish (it is fed by the writer)."""
        ended = self.background_writer is None or self.background_writer.close()
        if ended:  # runs left open (no stop): their unfinished column copies go
            self.writer.callback.close()
        if self.catch_up is not None:
            if not self.catch_up.wait(5.0):
                logger.warning(
                    "runs %s are not yet in the store (it does not answer); they are in the "
                    "document log %s: `operando recover` stores them",
                    sorted(self.catch_up.pending), self.document_log.log_dir,
                )  # fmt: skip
            self.catch_up.close()

    def _release_devices(self) -> None:
        from .devices.instrument import destroy_instrument

        for device in (self.potentiostat, self.mass_spectrometer, self.sim_control):
            if device is not None:
                destroy_instrument(device)
        for station in (self.soft_xray, self.hard_xray):
            if station is not None:
                station.destroy()

    def _stop_run_engine_loop(self) -> None:
        loop = getattr(self.RE, "loop", None)
        if loop is None:
            return
        if loop.is_running():
            loop.call_soon_threadsafe(loop.stop)
        thread = getattr(self.RE, "_th", None)  # bluesky's thread running the loop
        if thread is not None:
            thread.join(5.0)
        if not loop.is_running():
            loop.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def point_ca_client_at(port: int, host: str = "127.0.0.1") -> None:
    """Make this process's Channel Access client search one server only (before devices)."""
    os.environ.update(ca_client_env(port, host))


def make_session(
    data: str,
    *,
    prefix: str | None = None,
    ca_port: int | None = None,
    time_scale: float = 1.0,
    operator: str | None = None,
    experiment: str | None = None,
    connect_timeout: float = 10.0,
    prefixes: dict[str, str] | None = None,
    progress: bool = True,
    control_layer: str = "caproto",
    read_timeout_s: float = 10.0,
    xray_pvs: dict[str, dict] | None = None,
    brokers: dict[str, str] | None = None,
) -> Session:
    """Build a session.

    Parameters
    ----------
    data : the store: a data directory (embedded tiled) or a tiled server URI.
    prefix : PV prefix of a running beamline (e.g. ``"BL7:"``). None starts a simulated
        beamline in a subprocess, private to this session.
    ca_port : Channel Access port of that beamline's server (for a simulator started with
        ``operando sim --port``); None keeps the process's EPICS environment.
    time_scale : instrument seconds per wall second of the private simulator.
    operator, experiment : start metadata for every run (experiment: a new uid if None).
    prefixes : PV prefix of individual instruments ("potentiostat", "mass_spectrometer",
        "soft_xray", "hard_xray", "sim") where they do not follow
        ``<prefix><PSTAT:|DEMS:|SXR:|HXR:|SIM:>``.
    progress : show a progress line of long techniques on stderr.
    brokers : where every document is also published ({"zmq": "host:port", "nats":
        "nats://host:port"}); None: from the configuration (:mod:`operando.wire`).
    control_layer, read_timeout_s : ophyd's Channel Access layer ("caproto" or "pyepics")
        and read timeout (s), set for the process when the first session is made.
    xray_pvs : where each X-ray endstation's records are ("soft_xray", "hard_xray" ->
        ``devices.xray.EndstationPVs`` fields: mono, holder, holder_sample, scaler,
        beam_current, last_error, channels); None or missing keys: the simulator's names.
    """
    xray_pvs = dict(xray_pvs or {})
    if set(xray_pvs) - {"soft_xray", "hard_xray"}:
        raise BadRequest(
            f"unknown X-ray endstations {sorted(set(xray_pvs) - {'soft_xray', 'hard_xray'})}; "
            "known: ['hard_xray', 'soft_xray']"
        )
    from .devices.xray import EndstationPVs

    soft_pvs = EndstationPVs.from_config("soft", xray_pvs.get("soft_xray"))
    hard_pvs = EndstationPVs.from_config("hard", xray_pvs.get("hard_xray"))
    unknown = set(prefixes or {}) - set(INSTRUMENT_SUFFIXES)
    if unknown:
        raise BadRequest(
            f"unknown instruments {sorted(unknown)} in prefixes; "
            f"known: {sorted(INSTRUMENT_SUFFIXES)}"
        )
    from bluesky.preprocessors import SupplementalData

    from .run_engine import SessionRunEngine

    simulator = None
    if prefix is None:
        simulator = SimulatedBeamline(time_scale=time_scale)
        prefix, ca_port = simulator.prefix, simulator.port
    if ca_port is not None:
        point_ca_client_at(ca_port)
    if simulator is not None:
        # The IOC starts in its own process while this one builds the store (~1 s saved).
        simulator.start(wait=False)
        try:
            store = open_store(data)
        except BaseException:
            simulator.stop()
            raise
        simulator.wait_ready()
    else:
        store = open_store(data)

    from .analysis.run_summary import RunSummary
    from .devices.control_layer import configure_control_layer

    configure_control_layer(control_layer, read_timeout_s)
    from .devices import MassSpectrometer, Potentiostat, SimControl
    from .devices.xray import HardXrayEndstation, SoftXrayEndstation
    from .display.progress import ProgressDisplay

    pv = {role: f"{prefix}{suffix}" for role, suffix in INSTRUMENT_SUFFIXES.items()}
    pv.update(prefixes or {})
    # Every device is made (its PVs searched for) before any is waited for, so the waits
    # overlap: an optional instrument's short wait comes after the others' searches.
    potentiostat = Potentiostat(pv["potentiostat"], name="potentiostat")
    mass_spectrometer = MassSpectrometer(pv["mass_spectrometer"], name="dems")
    sim_control = SimControl(pv["sim"], name="sim")
    soft_station = SoftXrayEndstation.at(pv["soft_xray"], soft_pvs)
    hard_station = HardXrayEndstation.at(pv["hard_xray"], hard_pvs)
    potentiostat.wait_for_connection(timeout=connect_timeout)
    mass_spectrometer = _optional(mass_spectrometer, connect_timeout)
    soft_xray = _optional_station(soft_station, connect_timeout)
    hard_xray = _optional_station(hard_station, connect_timeout)
    sim_control = _optional(sim_control, min(connect_timeout, 2.0))

    RE = SessionRunEngine()  # event pages validated on their first row (run_engine.py)
    # The instrument's state (status, Ewe, I, Q, cell, compliance) at the start and end of
    # every run.
    # (Its signals, not the device: the device itself is the flyer of the primary stream.)
    p = potentiostat
    baseline = [p.status, p.ewe, p.current, p.charge, p.elapsed, p.clock, p.cell, p.compliance]
    if mass_spectrometer is not None:
        baseline += [mass_spectrometer.pressure, mass_spectrometer.acquiring]
    RE.preprocessors.append(SupplementalData(baseline=baseline))
    RE.md.update(
        operator=operator or getpass.getuser(),
        experiment=experiment or str(uuid.uuid4()),
        simulated=sim_control is not None,
        # Where the instruments answer: `operando attach` re-connects to a run from here.
        beamline={
            "prefix": prefix,
            "ca_port": ca_port,
            "simulator_pid": None if simulator is None else simulator.process.pid,
        },
    )
    log = DocumentLog(store.log_dir) if store.log_dir else DocumentLog(_default_log_dir())
    writer = GuardedCallback(make_writer(store), "tiled writer")
    # A run the writer could not finish (the store stopped answering) is re-ingested from
    # its log in the background once the store answers again.
    catch_up = CatchUp(store, writer.failed_runs, log.log_dir)

    def write_then_catch_up(name: str, doc: dict) -> None:
        writer(name, doc)
        catch_up(name, doc)

    # Storage writes happen beside acquisition, not in its way (the log is written first).
    background_writer = BackgroundWriter(write_then_catch_up)
    run_summary = RunSummary()
    progress_display = ProgressDisplay() if progress else None
    tokens = {
        role: RE.subscribe(callback)
        for role, callback in (
            ("document_log", log),
            ("writer", background_writer),
            # A failing analysis must not stop acquisition; it is logged instead.
            ("run_summary", GuardedCallback(run_summary, "live run summary")),
        )
    }
    from .wire import make_publishers

    publishers = make_publishers(brokers)
    for kind, publisher in publishers.items():
        # A broker that fails must not stop acquisition (the document log has the run).
        tokens[f"broker_{kind}"] = RE.subscribe(GuardedCallback(publisher, f"{kind} broker"))
    if progress_display is not None:
        tokens["progress"] = RE.subscribe(GuardedCallback(progress_display, "progress display"))
    return Session(
        tokens=tokens,
        RE=RE,
        store=store,
        potentiostat=potentiostat,
        mass_spectrometer=mass_spectrometer,
        soft_xray=soft_xray,
        hard_xray=hard_xray,
        sim_control=sim_control,
        progress=progress_display,
        run_summary=run_summary,
        writer=writer,
        document_log=log,
        simulator=simulator,
        publishers=publishers,
        catch_up=catch_up,
        background_writer=background_writer,
    )


def _optional(device, timeout: float):
    """The device if its instrument answers, else None (a beamline without it)."""
    if _answers([device], timeout):
        return device
    from .devices.instrument import destroy_instrument

    destroy_instrument(device)  # its PVs' callbacks would outlive it
    return None


def _optional_station(station, timeout: float):
    """The endstation if all its devices answer (its scaler channels then found by name),
    else None."""
    try:
        station.connect(timeout)
    except TimeoutError:
        station.destroy()
        return None
    return station


def _answers(devices, timeout: float) -> bool:
    try:
        for device in devices:
            device.wait_for_connection(timeout=timeout)
    except TimeoutError:
        return False
    return True


def _default_log_dir():
    import pathlib

    return pathlib.Path.home() / ".operando" / "document-log"
