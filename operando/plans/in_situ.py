"""In situ XAS during cycling: XANES scans one after another while the cell cycles.

As at the beamline: measure the Ru references once, put the cell in the beam, start the
galvanostatic cycle on the potentiostat, and scan the edge again and again until the cycle
ends. The cycle runs on the instrument, so however long a scan takes the cell keeps to its
procedure and the potentiostat keeps recording; its points are read out into ``primary``
after every scan. Every spectrum point (stream ``xas``) carries the cell state read at that
moment: Ewe (V), Q (mAh) and I (mA), with the scan number and the sample in the beam.
"""

from __future__ import annotations

import bluesky.plan_stubs as bps
import numpy as np
from bluesky.utils import MsgGenerator
from ophyd import Signal

from ..devices.flyscan import XasFlyer
from ..devices.potentiostat import Potentiostat
from ..devices.xray import HardXrayEndstation
from ..errors import BadRequest
from ..sample import Sample
from .electrochem import DEFAULT_RECORD_DE_V, DEFAULT_RECORD_DT_S, check_cycle_parameters
from .stubs import (
    Step,
    clear_buffer,
    plan,
    run_procedure,
    safe_run,
)
from .xray import EDGES, edge_named, fly_edge, scan_edge, scan_mode

IN_SITU_POSITION = 0


def xanes_grid(edge: str, step_eV: float = 0.5, above_eV: float = 40.0) -> np.ndarray:
    """The XANES part of an edge's grid: coarse pre-edge, then step_eV to above_eV past E0."""
    e = EDGES[edge]
    pre = np.arange(e.start_eV, e.fine_from_eV, e.coarse_step_eV)
    fine = np.arange(e.fine_from_eV, e.e0_eV + above_eV + 1e-9, step_eV)
    return np.concatenate([pre, fine])


@plan
def in_situ_xas_cycling(
    pstat: Potentiostat,
    station: HardXrayEndstation,
    sample: Sample,
    *,
    c_rate: float,
    v_min: float = 2.0,
    v_max: float = 4.8,
    cycles: int = 1,
    edge: str = "ru-k",
    reference_slots: dict[str, int] | None = None,
    dwell_s: float = 1.0,
    exafs: bool = False,
    record_dt_s: float = DEFAULT_RECORD_DT_S,
    record_dE_V: float = DEFAULT_RECORD_DE_V,
    md: dict | None = None,
    scan: str | None = None,
) -> MsgGenerator[str]:
    """Cycle the cell galvanostatically while scanning an edge of it again and again.

    Parameters
    ----------
    pstat : the potentiostat with the in situ cell (holder position 0 of the station).
    station : the hard X-ray endstation.
    sample : the electrode in the cell.
    c_rate : current as a C-rate (1/h, 1C = 250 mA/g).
    v_min, v_max : cutoffs (V vs Li/Li+); cycles : number of cycles.
    edge : the edge to scan ("ru-k").
    reference_slots : reference name -> holder position, measured first in the same run
        (their formal valences go in the start metadata as ``references``).
    dwell_s : counting time per point (s).
    exafs : scan the EXAFS region too (to k = 14 1/A, dwell rising with k); else XANES only.
    record_dt_s, record_dE_V : potentiostat recording intervals (s, V).
    scan : "fly" (each spectrum one sweep of the monochromator; the rows carry the cell's
        Ewe, Q, I interpolated over the sweep) or "step"; None: fly where the endstation can.
    """
    edge_named(edge, "hard")  # in situ XAS scans a hard X-ray edge
    if not isinstance(station, HardXrayEndstation):
        raise BadRequest("in situ XAS needs the hard X-ray endstation")
    current = check_cycle_parameters(
        sample, v_min=v_min, v_max=v_max, cycles=cycles, c_rate=c_rate,
        record_dt_s=record_dt_s, record_dE_V=record_dE_V,
    )  # fmt: skip
    if not 0 < dwell_s <= 600:
        raise BadRequest(f"dwell_s must lie in (0, 600] s, got {dwell_s!r}")
    mode = scan_mode(station, scan)
    if exafs:
        energies, dwells = EDGES[edge].grid(dwell_s)
    else:
        energies = xanes_grid(edge)
        dwells = np.full(energies.size, dwell_s)
    refs = dict(reference_slots or {})
    steps = []
    for _ in range(cycles):
        steps.append(Step("CC", current_mA=current, e_upper_V=v_max, e_lower_V=v_min))
        steps.append(Step("CC", current_mA=-current, e_upper_V=v_max, e_lower_V=v_min))
    scan_number = Signal(name="scan", value=0, kind="normal")
    _md = {
        "plan_name": "in_situ_xas_cycling",
        "sample": sample.as_metadata(),
        "edge": {
            "name": edge,
            "label": EDGES[edge].label,
            "e0_eV": EDGES[edge].e0_eV,
            "station": "hard",
        },  # fmt: skip
        "protocol": {
            "name": "in_situ_xas_cycling",
            "parameters": {
                "c_rate": c_rate,
                "current_mA": current,
                "v_min": v_min,
                "v_max": v_max,
                "cycles": cycles,
                "dwell_s": dwell_s,
                "exafs": exafs,
                "record_dt_s": record_dt_s,
                "record_dE_V": record_dE_V,
                "scan": mode,
            },
        },  # fmt: skip
        "hints": {"dimensions": [(["t"], "primary")]},
        **(md or {}),
    }
    readings = [station.counters, station.mono, station.holder, scan_number,
                pstat.ewe, pstat.charge, pstat.current]  # fmt: skip

    flyer = None
    if mode == "fly":
        flyer = XasFlyer(station, "xas", cell=pstat, extra=[scan_number])
        flyer.program(energies, dwells)
    scans = 0

    def next_scan() -> MsgGenerator[None]:
        nonlocal scans
        yield from bps.mv(scan_number, scans)
        if flyer is None:
            yield from scan_edge(station, energies, dwells, readings=readings, stream="xas")
        else:
            yield from fly_edge(flyer)
        scans += 1

    def measure() -> MsgGenerator[str]:
        for slot in refs.values():  # references first, while the cell rests
            yield from bps.mv(station.holder.slot, slot)
            yield from next_scan()
        yield from bps.mv(station.holder.slot, IN_SITU_POSITION)
        yield from clear_buffer(pstat)
        # The cycle runs on the instrument; scans follow one another until it ends.
        return (yield from run_procedure(pstat, steps, record_dt_s=record_dt_s,
                                         record_dE_V=record_dE_V,
                                         while_running=next_scan))  # fmt: skip

    # A lost beam pauses the scans; the cycle goes on on the instrument meanwhile.
    return safe_run(
        pstat, sample, measure(), _md, currents_mA=(current,), voltages_V=(v_min, v_max),
        suspenders=(station.beam_suspender(),),
    )  # fmt: skip
