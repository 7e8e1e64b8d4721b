"""Plan stubs for the potentiostat: check, configure, run a technique, open the circuit.

Techniques run on the instrument. A stub starts one and then, until the instrument reports
it ended, collects the points the instrument recorded into the ``primary`` stream every
``readout_s`` of wall time. Nothing here sleeps for an experimental duration: the duration
is a limit of the technique, kept by the instrument's clock.
"""

from __future__ import annotations

import uuid
from typing import Any

import bluesky.plan_stubs as bps
from bluesky.utils import MsgGenerator

from ..devices.potentiostat import Potentiostat
from ..sample import Sample

READOUT_S = 0.5  # wall seconds between buffer read-outs while a technique runs
ONE_C_MA_G = 250.0  # the field's convention for Li-rich oxides: 1C = 250 mA/g


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
            raise ValueError(
                f"a current of {abs(i):g} mA exceeds the potentiostat's compliance of "
                f"{max_current:g} mA; use a smaller current or C-rate"
            )
    for v in voltages_V:
        if not v_min <= v <= v_max:
            raise ValueError(
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


def collect_points(pstat: Potentiostat) -> MsgGenerator[None]:
    """Emit every point the instrument recorded since the last read-out."""
    yield from bps.collect(pstat, return_payload=False)


def run_technique(
    pstat: Potentiostat,
    technique: str,
    *,
    readout_s: float = READOUT_S,
    **settings: float,
) -> MsgGenerator[str]:
    """Run one technique on the instrument to its end, collecting points as they come.

    Parameters
    ----------
    pstat : the potentiostat.
    technique : "OCV", "CC" or "CV".
    readout_s : wall seconds between read-outs of the instrument's buffer.
    **settings : values for ``pstat.settings`` components (current in mA, voltage,
        e_upper, e_lower in V, duration in s, current_floor in mA, record_dt in s,
        record_de in V).

    Returns
    -------
    Why the technique ended, as the instrument says it ("upper cutoff", "duration", ...).
    """
    moves: list[Any] = [pstat.technique, technique]
    for name, value in settings.items():
        moves += [getattr(pstat.settings, name), value]
    yield from bps.mv(*moves)
    yield from bps.kickoff(pstat, wait=True)
    group = f"technique-{uuid.uuid4()}"
    yield from bps.complete(pstat, group=group, wait=False)
    done = False
    while not done:
        done = yield from bps.wait(group=group, timeout=readout_s, error_on_timeout=False)
        yield from collect_points(pstat)
    status = yield from bps.rd(pstat.status)
    reason = yield from bps.rd(pstat.end_reason)
    if status == "Fault":
        raise RuntimeError(f"the potentiostat faulted: {reason}")
    return reason


def open_circuit(pstat: Potentiostat) -> MsgGenerator[None]:
    """Stop any technique (the cell rests at open circuit), then read out the last points."""
    yield from bps.mv(pstat.stop_cmd, 1)
    yield from collect_points(pstat)


def clear_buffer(pstat: Potentiostat) -> MsgGenerator[None]:
    """Empty the instrument's record so that t = 0 at the start of this run."""
    yield from bps.mv(pstat.buffer.clear, 1)
