"""Plan stubs: check, configure, run a procedure, open the circuit; sample the gas.

Procedures (steps of techniques) run on the instrument. A stub starts one and then, until
the instrument reports it ended, collects the points the instrument recorded into the
``primary`` stream every ``readout_s`` of wall time. Nothing here sleeps for an
experimental duration: the duration is a limit of a step, kept by the instrument's clock.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import bluesky.plan_stubs as bps
import bluesky.preprocessors as bpp
from bluesky.utils import MsgGenerator

from ..devices.potentiostat import Potentiostat
from ..errors import BadRequest, InstrumentRefused
from ..instruments import TECHNIQUE_CODES, Step
from ..sample import Sample
from .checks import ONE_C_MA_G  # noqa: F401 - where the plans have always found it


def plan(function):
    """Mark a function that checks its parameters, then returns a plan, as a bluesky plan.

    ``bluesky.utils.is_plan`` (which bluesky-queueserver uses to find plans) accepts
    functions with ``_is_plan_``. bluesky's own ``bluesky.utils.plan`` decorator is not used:
    its wrapper prints an AttributeError from ``Plan.__del__`` whenever the function refuses
    its parameters, which is exactly when a user should see only the refusal.
    """
    function._is_plan_ = True
    return function


READOUT_S = 0.5  # wall seconds between buffer read-outs while a technique runs


def check_compliance(
    pstat: Potentiostat,
    *,
    currents_mA: tuple[float, ...] = (),
    voltages_V: tuple[float, ...] = (),
) -> MsgGenerator[None]:
    """Refuse currents or voltages outside the channel's hardware compliance.

    Reads the compliance from the instrument; writes nothing.
    """
    max_current = yield from bps.rd(pstat.compliance.max_current)
    v_min = yield from bps.rd(pstat.compliance.v_min)
    v_max = yield from bps.rd(pstat.compliance.v_max)
    for i in currents_mA:
        if abs(i) > max_current:
            raise BadRequest(
                f"a current of {abs(i):g} mA exceeds the potentiostat's compliance of "
                f"{max_current:g} mA; use a smaller current or C-rate"
            )
    for v in voltages_V:
        if not v_min <= v <= v_max:
            raise BadRequest(
                f"{v:g} V lies outside the potentiostat's voltage window [{v_min:g}, {v_max:g}] V"
            )


def configure_cell(pstat: Potentiostat, sample: Sample) -> MsgGenerator[None]:
    """Record the sample's material, active mass (mg) and area (cm2) on the instrument."""
    yield from bps.mv(
        pstat.cell.material,
        sample.material,
        pstat.cell.active_mass,
        sample.active_mass_mg,
        pstat.cell.area,
        sample.area_cm2,
    )


def collect_points(*instruments: Any) -> MsgGenerator[None]:
    """Emit every point the instruments recorded since the last read-out.

    If emitting one instrument's points fails (a subscriber raised), the others are still
    collected into the run; then the first failure is raised.
    """
    failure: Exception | None = None
    for instrument in instruments:
        try:
            yield from bps.collect(instrument, return_payload=False)
        except Exception as exc:  # noqa: BLE001 - re-raised below, after the others
            failure = failure or exc
    if failure is not None:
        raise failure


def program_procedure(
    pstat: Potentiostat, steps: list[Step], *, record_dt_s: float, record_dE_V: float
) -> MsgGenerator[None]:
    """Load steps and recording intervals (dt in s, dE in V) into the instrument."""
    if not steps:
        raise BadRequest("a procedure needs at least one step")
    unknown = [s.technique for s in steps if s.technique not in TECHNIQUE_CODES]
    if unknown:
        raise BadRequest(f"unknown techniques {unknown}; use one of {list(TECHNIQUE_CODES)}")
    proc = pstat.procedure
    columns = {
        proc.technique: [TECHNIQUE_CODES[s.technique] for s in steps],
        proc.current: [s.current_mA for s in steps],
        proc.voltage: [s.voltage_V for s in steps],
        proc.e_upper: [s.e_upper_V for s in steps],
        proc.e_lower: [s.e_lower_V for s in steps],
        proc.duration: [s.duration_s for s in steps],
        proc.current_floor: [s.current_floor_mA for s in steps],
    }
    if any(s.technique == "SWEEP" for s in steps):  # the column only sweeps use
        columns[proc.scan_rate] = [s.scan_rate_mV_s for s in steps]
    # always written: a goto left on the instrument by an earlier procedure must not apply
    columns[proc.cutoff_goto] = [s.cutoff_goto for s in steps]
    moves: list[Any] = [proc.n_steps, len(steps)]
    for signal, values in columns.items():
        moves += [signal, values]
    moves += [pstat.recording.record_dt, record_dt_s, pstat.recording.record_de, record_dE_V]
    yield from bps.mv(*moves)


def run_procedure(
    pstat: Potentiostat,
    steps: list[Step],
    *,
    record_dt_s: float,
    record_dE_V: float,
    readout_s: float = READOUT_S,
    also_collect: tuple[Any, ...] = (),
    while_running: Callable[[], MsgGenerator[None]] | None = None,
) -> MsgGenerator[str]:
    """Run steps on the instrument, one after another, collecting points as they come.

    The instrument moves from one step to the next by itself, so the record has no gap
    between steps however slow the computer is. The instruments in also_collect (flyers
    already kicked off, such as the mass spectrometer) are read out at the same pace.
    while_running, if given, makes a plan (a measurement) that runs again and again until
    the procedure ends, the points being read out after each; else they are read out every
    readout_s of wall time.

    Returns
    -------
    Why the last step ended, as the instrument says it ("upper cutoff", "duration", ...).
    """
    yield from program_procedure(pstat, steps, record_dt_s=record_dt_s, record_dE_V=record_dE_V)
    yield from bps.kickoff(pstat, wait=True)
    group = f"procedure-{uuid.uuid4()}"
    yield from bps.complete(pstat, group=group, wait=False)
    done = False
    while not done:
        # A pause (Ctrl-C) takes effect here; the procedure goes on on the instrument and
        # the points recorded meanwhile are read out on resume (or by leave_safe on abort).
        yield from bps.checkpoint()
        if while_running is not None:
            yield from while_running()
        timeout = readout_s if while_running is None else 0.01
        done = yield from bps.wait(group=group, timeout=timeout, error_on_timeout=False)
        yield from collect_points(pstat, *also_collect)
    status = yield from bps.rd(pstat.status)
    reason = yield from bps.rd(pstat.end_reason)
    if status == "Fault":
        raise InstrumentRefused(f"the potentiostat faulted: {reason}")
    return reason


def leave_safe(pstat: Potentiostat, ms: Any | None = None) -> MsgGenerator[None]:
    """Open the circuit (the cell rests) and stop gas sampling, then read out the last
    points of both. Instruments are made safe before anything that could fail."""
    yield from bps.mv(pstat.stop_cmd, 1)
    if ms is not None:
        yield from bps.mv(ms.acquire, 0)
    yield from collect_points(pstat, *(() if ms is None else (ms,)))


def safe_run(
    pstat: Potentiostat,
    sample: Sample,
    body: MsgGenerator,
    md: dict,
    *,
    currents_mA: tuple[float, ...] = (),
    voltages_V: tuple[float, ...] = (),
    mass_spectrometer: Any | None = None,
    suspenders: tuple = (),
) -> MsgGenerator:
    """The skeleton of every run on the cell: check the currents (mA) and potentials (V)
    against the instrument's compliance, configure the cell, then run ``body`` in one run
    with start metadata ``md``; however it ends (done, failed, aborted), the circuit is
    opened and gas sampling stopped (:func:`leave_safe`). A lost beam (``suspenders``)
    pauses the run while the instrument goes on with its procedure.

    Returns what ``body`` returns (bluesky's run_wrapper returns the run's uid instead)."""
    yield from check_compliance(pstat, currents_mA=currents_mA, voltages_V=voltages_V)
    yield from configure_cell(pstat, sample)
    safe = leave_safe(pstat, mass_spectrometer)
    returned = []

    def keep_result() -> MsgGenerator:
        returned.append((yield from body))

    run = bpp.run_wrapper(bpp.finalize_wrapper(keep_result(), safe), md=md)
    if suspenders:
        run = bpp.suspend_wrapper(run, list(suspenders))
    yield from run
    return returned[0] if returned else None


def clear_buffer(pstat: Potentiostat) -> MsgGenerator[None]:
    """Empty the instrument's record so that t = 0 at the start of this run."""
    yield from bps.mv(pstat.buffer.clear, 1)


def start_gas_sampling(ms: Any, interval_s: float) -> MsgGenerator[None]:
    """Set the DEMS sampling interval (s), empty its record, purge and start sampling."""
    yield from bps.mv(ms.interval, interval_s)
    yield from bps.mv(ms.buffer.clear, 1)
    yield from bps.kickoff(ms, wait=True)


def finish_gas_sampling(ms: Any) -> MsgGenerator[None]:
    """Let the sample under way cover the gas made until now, stop, and read it out."""
    yield from bps.complete(ms, wait=True)
    yield from collect_points(ms)
