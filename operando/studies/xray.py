"""X-ray measurements as the command line and the demo run them: prepare ex situ electrodes
with the potentiostat, mount them, measure, and summarise from storage.

    run_xas(session, "ru-k", ["lnro:pristine", "lnro:4.8V"])   -> XasSummary
    run_rixs(session, "lnmo:4.8V")                              -> RixsSummary
"""

from __future__ import annotations

from ..analysis.results import RixsSummary, XasSummary
from ..analysis.run_kinds import summarize
from ..edges import edge_named
from ..errors import BadRequest
from ..plans.xray import rixs_map, xas_series
from .electrodes import (
    REFERENCE_NAMES,
    REFERENCE_SLOTS,
    REFERENCE_VALENCE,
    check_xas_request,
    parse_sample,
    prepare_electrode,
)


def check_edge(edge: str) -> None:
    """Refuse an edge the beamline cannot scan, before anything starts."""
    edge_named(edge)


def _station(session, edge: str):
    kind = edge_named(edge).station
    station = session.soft_xray if kind == "soft" else session.hard_xray
    if station is None:
        raise BadRequest(f"this beamline has no {kind} X-ray endstation")
    return station


def mount_samples(
    session, samples: list[str], first_slot: int = 1, c_rate: float = 0.1
) -> dict[str, int]:
    """Prepare (at c_rate, 1/h) and mount each ``material:state`` sample; references go to
    their positions. Returns the holder position of each sample, by its name in the holder.
    """
    parsed = [parse_sample(s) for s in samples]  # refuse bad names before anything moves
    slots: dict[str, int] = {}
    slot = first_slot
    for material, state in parsed:
        if state == "reference":
            slots[REFERENCE_NAMES[material]] = REFERENCE_SLOTS[material]
            continue
        slots[prepare_electrode(session, material, state, slot, c_rate)] = slot
        slot += 1
    return slots


def run_xas(
    session,
    edge: str,
    samples: list[str],
    *,
    dwell_s: float = 1.0,
    prep_c_rate: float = 0.1,
    scan: str | None = None,
) -> XasSummary:
    """Measure an edge of the samples in one run (Ru K: with the three Ru references); ex
    situ electrodes are prepared at prep_c_rate (1/h). scan: "fly" or "step" (None: fly
    where the endstation can)."""
    check_xas_request(edge, samples)
    station = _station(session, edge)
    ru_k = edge.strip().lower() == "ru-k"
    if ru_k:
        samples = list(samples) + [r for r in REFERENCE_SLOTS if r not in samples]
    slots = mount_samples(session, samples, c_rate=prep_c_rate)
    md = {"references": REFERENCE_VALENCE} if ru_k else {}
    plan = xas_series(station, edge, list(slots.values()), dwell_s=dwell_s, md=md, scan=scan)
    (uid,) = session.RE(plan)
    return summarize(session.store.run(uid))


def run_rixs(session, sample: str, *, exposure_s: float = 10.0) -> RixsSummary:
    """An O K RIXS map of one sample and its oxidised-oxygen feature intensity."""
    if session.soft_xray is None:
        raise BadRequest("this beamline has no soft X-ray endstation")
    ((name, slot),) = mount_samples(session, [sample]).items()
    (uid,) = session.RE(rixs_map(session.soft_xray, slot, exposure_s=exposure_s))
    summary = summarize(session.store.run(uid))
    summary.sample = name
    return summary
