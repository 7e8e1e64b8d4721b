"""Charge to a set of cutoffs and measure at each: the operando protocol of a notebook.

    charge (or discharge) at constant current to the next cutoff
    hold at the cutoff (CV) and/or rest at open circuit, if asked
    measure the cell where it stands: XAS at the chosen edges (soft: TEY and FY; hard:
        transmission), an O K RIXS map, a DEMS sample of the headspace
    continue to the next cutoff

One run. The potentiostat's points are in ``primary`` with no gap: while the X-rays
measure, the cell rests at open circuit and the instrument records its relaxation. Each
measurement has its own stream (``xas_ni_l``, ``xas_o_k``, ``xas_ru_k``, ``rixs``, ``gas``),
and every one of its points carries the cell state (Ewe V, Q mAh, I mA) and the cutoff it
belongs to (``cutoff``, V).
"""

from __future__ import annotations

import bluesky.plan_stubs as bps
import numpy as np
from bluesky.utils import MsgGenerator
from ophyd import Signal

from ..devices.dems import MassSpectrometer
from ..devices.potentiostat import Potentiostat
from ..devices.xray import HardXrayEndstation, SoftXrayEndstation
from ..errors import BadRequest
from ..sample import Sample
from .electrochem import (
    DEFAULT_RECORD_DE_V,
    DEFAULT_RECORD_DT_S,
    applied_current_mA,
    check_recording,
    check_sample,
)
from .in_situ import IN_SITU_POSITION, xanes_grid
from .stubs import (
    ONE_C_MA_G,
    Step,
    clear_buffer,
    collect_points,
    plan,
    program_procedure,
    run_procedure,
    safe_run,
)
from .xray import DEFAULT_EXCITATION_EV, EDGES, edge_named, scan_edge

MAX_CUTOFFS = 20
# While the X-rays measure, the cell rests at open circuit and the instrument records it,
# for at most this long (s, instrument time); the plan ends the rest when measuring is done.
MEASURING_REST_MAX_S = 30 * 86400.0


def _check_measurements(
    soft_xray, hard_xray, mass_spectrometer, soft_edges, hard_edges, rixs, gas_sample
) -> None:
    for edge in soft_edges:
        edge_named(edge, "soft")
    for edge in hard_edges:
        edge_named(edge, "hard")
    if (soft_edges or rixs) and not isinstance(soft_xray, SoftXrayEndstation):
        raise BadRequest("soft X-ray edges and RIXS need the soft X-ray endstation (soft_xray=...)")
    if hard_edges and not isinstance(hard_xray, HardXrayEndstation):
        raise BadRequest("hard X-ray edges need the hard X-ray endstation (hard_xray=...)")
    if gas_sample and not isinstance(mass_spectrometer, MassSpectrometer):
        raise BadRequest("a gas sample needs the mass spectrometer (mass_spectrometer=...)")
    if not (soft_edges or hard_edges or rixs or gas_sample):
        raise BadRequest(
            "nothing to measure at the cutoffs: give soft_edges, hard_edges, rixs=True or "
            "gas_sample=True (or use galvanostatic for a charge alone)"
        )


@plan
def charge_and_measure(
    pstat: Potentiostat,
    sample: Sample,
    cutoffs_V: list[float],
    *,
    c_rate: float | None = None,
    current_mA_g: float | None = None,
    current_mA: float | None = None,
    hold_s: float = 0.0,
    rest_s: float = 0.0,
    soft_xray: SoftXrayEndstation | None = None,
    hard_xray: HardXrayEndstation | None = None,
    mass_spectrometer: MassSpectrometer | None = None,
    soft_edges: tuple[str, ...] = (),
    hard_edges: tuple[str, ...] = (),
    rixs: bool = False,
    gas_sample: bool = False,
    dwell_s: float = 1.0,
    exposure_s: float = 10.0,
    record_dt_s: float = DEFAULT_RECORD_DT_S,
    record_dE_V: float = DEFAULT_RECORD_DE_V,
    md: dict | None = None,
) -> MsgGenerator[list[str]]:
    """Charge or discharge to each cutoff in turn and measure the cell at each.

    Parameters
    ----------
    pstat : the potentiostat with the cell (the cell sits at holder position 0 of the
        X-ray endstations).
    sample : the electrode.
    cutoffs_V : potentials to go to, in order (V vs Li/Li+), e.g. [4.5, 4.8, 2.0]; each
        leg charges if its cutoff lies above the cell's potential, else discharges.
    c_rate, current_mA_g, current_mA : the current magnitude, exactly one of them (C-rate
        in 1/h with 1C = 250 mA/g; mA per g of active material; mA).
    hold_s : hold the cutoff potential (CV) this long (s, instrument time) before measuring.
    rest_s : then rest at open circuit this long (s) before measuring.
    soft_xray, hard_xray, mass_spectrometer : the soft and hard X-ray endstations and the
        mass spectrometer, as the measurements need them.
    soft_edges : soft X-ray edges to scan at each cutoff ("ni-l", "o-k", "mn-l"; TEY and FY).
    hard_edges : hard X-ray edges ("ru-k": XANES in transmission).
    rixs : take an O K RIXS map at each cutoff.
    gas_sample : take one DEMS sample of the headspace at each cutoff.
    dwell_s : XAS counting time per point (s); exposure_s : RIXS exposure per spectrum (s).
    record_dt_s, record_dE_V : the potentiostat records a point every dt (s) or dE (V).
    md : extra start metadata.

    Returns
    -------
    Why each leg ended, as the instrument says it ("upper cutoff", "lower cutoff", ...).
    """
    check_sample(sample)
    cutoffs = [float(v) for v in cutoffs_V]
    if not 1 <= len(cutoffs) <= MAX_CUTOFFS:
        raise BadRequest(f"give 1 to {MAX_CUTOFFS} cutoffs (V), got {len(cutoffs)}")
    if not all(np.isfinite(v) and 0.0 < v < 6.0 for v in cutoffs):
        raise BadRequest(f"cutoffs must lie between 0 and 6 V vs Li/Li+, got {cutoffs}")
    if any(a == b for a, b in zip(cutoffs, cutoffs[1:], strict=False)):
        raise BadRequest(f"consecutive cutoffs must differ, got {cutoffs}")
    for name, value in (("hold_s", hold_s), ("rest_s", rest_s)):
        if not (np.isfinite(value) and value >= 0):
            raise BadRequest(f"{name} must be a duration >= 0 s, got {value!r}")
    if not 0 < dwell_s <= 600:
        raise BadRequest(f"dwell_s must lie in (0, 600] s, got {dwell_s!r}")
    if not 0 < exposure_s <= 3600:
        raise BadRequest(f"exposure_s must lie in (0, 3600] s, got {exposure_s!r}")
    check_recording(record_dt_s, record_dE_V)
    soft_edges, hard_edges = tuple(soft_edges), tuple(hard_edges)
    _check_measurements(
        soft_xray, hard_xray, mass_spectrometer, soft_edges, hard_edges, rixs, gas_sample
    )
    i = applied_current_mA(sample, current_mA=current_mA, current_mA_g=current_mA_g,
                           c_rate=c_rate, one_c_mA_g=ONE_C_MA_G)  # fmt: skip

    cutoff = Signal(name="cutoff", value=0.0, kind="normal")
    cell_state = [pstat.ewe, pstat.charge, pstat.current, cutoff]
    grids = {edge: EDGES[edge].grid(dwell_s) for edge in soft_edges}
    grids.update({edge: (g := xanes_grid(edge), np.full(g.size, dwell_s)) for edge in hard_edges})
    _md = {
        "plan_name": "charge_and_measure",
        "sample": sample.as_metadata(),
        "protocol": {
            "name": "charge_and_measure",
            "parameters": {
                "cutoffs_V": cutoffs,
                "current_mA": i,
                "c_rate": c_rate,
                "current_mA_g": current_mA_g,
                "hold_s": hold_s,
                "rest_s": rest_s,
                "soft_edges": list(soft_edges),
                "hard_edges": list(hard_edges),
                "rixs": rixs,
                "gas_sample": gas_sample,
                "dwell_s": dwell_s,
                "exposure_s": exposure_s,
                "record_dt_s": record_dt_s,
                "record_dE_V": record_dE_V,
            },
        },  # fmt: skip
        "hints": {"dimensions": [(["t"], "primary")]},
        **(md or {}),
    }

    def leg(target: float) -> MsgGenerator[str]:
        ewe = yield from bps.rd(pstat.ewe)
        signed = i if target > ewe else -i
        upper, lower = (
            (target, min(0.5, target / 2)) if signed > 0 else (max(5.0, target + 0.5), target)
        )
        steps = [Step("CC", current_mA=signed, e_upper_V=upper, e_lower_V=lower)]
        if hold_s:
            steps.append(Step("CV", voltage_V=target, duration_s=hold_s))
        if rest_s:
            steps.append(Step("OCV", duration_s=rest_s))
        return (yield from run_procedure(pstat, steps, record_dt_s=record_dt_s,
                                         record_dE_V=record_dE_V))  # fmt: skip

    def at_open_circuit(measurements: MsgGenerator[None]) -> MsgGenerator[None]:
        """Rest the cell, recorded by the instrument, while measurements run."""
        rest = [Step("OCV", duration_s=MEASURING_REST_MAX_S)]
        yield from program_procedure(pstat, rest, record_dt_s=record_dt_s,
                                     record_dE_V=record_dE_V)  # fmt: skip
        yield from bps.kickoff(pstat, wait=True)
        yield from measurements
        yield from bps.mv(pstat.stop_cmd, 1)
        yield from collect_points(pstat)

    def measure_here() -> MsgGenerator[None]:
        # The potentiostat's points are read out after each measurement.
        for station, edges in ((soft_xray, soft_edges), (hard_xray, hard_edges)):
            for edge in edges:
                energies, dwells = grids[edge]
                yield from bps.mv(station.holder.slot, IN_SITU_POSITION)
                readings = [station.counters, station.mono, station.holder, *cell_state]
                stream = "xas_" + edge.replace("-", "_")
                yield from scan_edge(station, energies, dwells, readings=readings, stream=stream)
                yield from collect_points(pstat)
        if rixs:
            yield from bps.mv(
                soft_xray.holder.slot, IN_SITU_POSITION, soft_xray.rixs.exposure, exposure_s
            )
            for energy in DEFAULT_EXCITATION_EV:
                yield from bps.checkpoint()
                yield from bps.mv(soft_xray.mono, float(energy))
                yield from bps.trigger_and_read(
                    [soft_xray.rixs, soft_xray.mono, *cell_state], name="rixs"
                )
            yield from collect_points(pstat)
        if gas_sample:
            yield from bps.trigger_and_read([mass_spectrometer, *cell_state], name="gas")

    def body() -> MsgGenerator[list[str]]:
        yield from clear_buffer(pstat)
        reasons = []
        for target in cutoffs:
            reasons.append((yield from leg(target)))
            yield from bps.mv(cutoff, target)
            yield from at_open_circuit(measure_here())
        return reasons

    x_rays = soft_edges or hard_edges or rixs
    suspenders = [s.beam_suspender() for s in (soft_xray, hard_xray) if s is not None and x_rays]
    return safe_run(
        pstat, sample, body(), _md, currents_mA=(i,), voltages_V=tuple(cutoffs),
        suspenders=tuple(suspenders),
    )  # fmt: skip
