"""X-ray measurements as the command line and the demo run them: prepare ex situ electrodes
with the potentiostat, mount them, measure, and summarise from storage.

    run_xas(session, "ru-k", ["lnro:pristine", "lnro:4.8V"])   -> XasSummary
    run_rixs(session, "lnmo:4.8V")                              -> RixsSummary
"""

from __future__ import annotations

from ..analysis.results import RixsSummary, XasSummary
from ..analysis.run_kinds import summarize
from ..errors import BadRequest
from ..plans.xray import EDGES, edge_named, rixs_map, xas_series
from .electrodes import (
    REFERENCE_NAMES,
    REFERENCE_SLOTS,
    REFERENCE_VALENCE,
    parse_sample,
    prepare_electrode,
)


def check_edge(edge: str) -> None:
    """Refuse an edge the beamline cannot scan, before anything starts."""
    edge_named(edge)


def _station(session, edge: str):
    station = session.soft_xray if EDGES[edge].station == "soft" else session.hard_xray
    if station is None:
        raise BadRequest(f"this beamline has no {EDGES[edge].station} X-ray endstation")
    return station


def mount_samples(session, samples: list[str], first_slot: int = 1) -> dict[str, int]:
    """Prepare and mount each ``material:state`` sample; references go to their positions.

    Returns the holder position of each sample, by its name in the holder.
    """
    parsed = [parse_sample(s) for s in samples]  # refuse bad names before anything moves
    slots: dict[str, int] = {}
    slot = first_slot
    for material, state in parsed:
        if state == "reference":
            slots[REFERENCE_NAMES[material]] = REFERENCE_SLOTS[material]
            continue
        slots[prepare_electrode(session, material, state, slot)] = slot
        slot += 1
    return slots


def run_xas(session, edge: str, samples: list[str], *, dwell_s: float = 1.0) -> XasSummary:
    """Measure an edge of the samples in one run (Ru K: with the three Ru references)."""
    check_edge(edge)
    station = _station(session, edge)
    if EDGES[edge].station == "hard":
        samples = list(samples) + [r for r in REFERENCE_SLOTS if r not in samples]
    slots = mount_samples(session, samples)
    md = {"references": REFERENCE_VALENCE} if EDGES[edge].station == "hard" else {}
    (uid,) = session.RE(xas_series(station, edge, list(slots.values()), dwell_s=dwell_s, md=md))
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
