"""X-ray absorption and RIXS plans: edge-aware energy grids, series over electrodes, maps.

As at the beamline: put the electrodes in the holder, then for each one scan the edge
(coarse before it, fine across it, and for a hard X-ray K edge the EXAFS region in constant
steps of photoelectron wavenumber k with the dwell rising with k), reading I0 with the
yields at every point and the name of the electrode in the beam. A lost beam suspends the
plan (see ``devices.xray.BeamPolicy``): the point is repeated when the beam is back. A RIXS
map is an emission spectrum (and its I0) at each excitation energy of a grid across the O K
edge.
"""

from __future__ import annotations

from dataclasses import dataclass

import bluesky.plan_stubs as bps
import bluesky.preprocessors as bpp
import numpy as np
from bluesky.utils import MsgGenerator

from ..devices.flyscan import XasFlyer
from ..devices.xray import HardXrayEndstation, SoftXrayEndstation
from ..edges import EDGES, ETOK, Edge, edge_named, resolve_edge  # noqa: F401  (the plans' edges)
from ..errors import BadRequest
from .stubs import plan


def _station_for(edge: Edge, station) -> None:
    expected = SoftXrayEndstation if edge.station == "soft" else HardXrayEndstation
    if not isinstance(station, expected):
        raise BadRequest(
            f"the {edge.label} edge is measured at the {edge.station} X-ray endstation, "
            f"not with {type(station).__name__}"
        )


def _check_slots(slots) -> list[int]:
    slots = list(slots)
    if not slots or not all(isinstance(s, int) and s >= 0 for s in slots):
        raise BadRequest(f"slots must be holder positions (whole numbers >= 0), got {slots!r}")
    return slots


def _check_energies(mono, energies: np.ndarray) -> None:
    low, high = mono.limits
    if low < high and (energies.min() < low or energies.max() > high):
        raise BadRequest(
            f"the scan needs {energies.min():.1f}-{energies.max():.1f} eV; the "
            f"monochromator covers {low:g}-{high:g} eV"
        )


def scan_edge(
    station: SoftXrayEndstation | HardXrayEndstation,
    energies: np.ndarray,
    dwells: np.ndarray,
    *,
    readings: list,
    stream: str = "primary",
) -> MsgGenerator[None]:
    """Step the monochromator through energies (eV), counting dwells (s) at each, and read
    readings into stream at every point. A checkpoint before each point: a lost beam
    repeats only the point it interrupted."""
    dwell_now = None
    for energy, dwell in zip(energies, dwells, strict=True):
        yield from bps.checkpoint()
        if dwell != dwell_now:
            yield from bps.mv(station.counters.dwell, float(dwell))
            dwell_now = dwell
        yield from bps.mv(station.mono, float(energy))
        yield from bps.trigger_and_read(readings, name=stream)


SCANS = ("fly", "step")


def scan_mode(station, scan: str | None) -> str:
    """The scan mode, "fly" or "step": scan (None: fly where the endstation has them);
    fly at an endstation without them is refused."""
    if scan is None:
        return "step" if getattr(station, "fly", None) is None else "fly"
    if scan not in SCANS:
        raise BadRequest(f"scan must be one of {list(SCANS)}, got {scan!r}")
    if scan == "fly" and getattr(station, "fly", None) is None:
        raise BadRequest("this endstation has no fly scans (Fly: records); use scan='step'")
    return scan


def fly_edge(flyer: XasFlyer) -> MsgGenerator[None]:
    """One sweep of the flyer's trajectory at the holder position in the beam: start it,
    wait until the last point is counted, emit its rows as Event pages. A checkpoint
    before: a lost beam repeats the whole sweep."""
    yield from bps.checkpoint()
    yield from bps.kickoff(flyer, wait=True)
    yield from bps.complete(flyer, wait=True)
    yield from bps.collect(flyer, return_payload=False)


@dataclass(frozen=True)
class SeriesSetup:
    """What a series of one edge needs, checked: the grid (eV) and dwells (s) of each
    spectrum, the scan mode, the holder slots and the run's start metadata."""

    energies: np.ndarray
    dwells: np.ndarray
    mode: str
    slots: list[int]
    md: dict


def series_setup(
    station: SoftXrayEndstation | HardXrayEndstation,
    edge: str,
    slots: list[int],
    *,
    dwell_s: float = 1.0,
    md: dict | None = None,
    edge_overrides: dict | None = None,
    scan: str | None = None,
) -> SeriesSetup:
    """Check a series request (see :func:`xas_series`) and make its grid and metadata;
    BadRequest, before anything moves, if it cannot be measured."""
    e = resolve_edge(edge, edge_overrides)  # the paper's four, or any edge from xraydb
    _station_for(e, station)
    slots = _check_slots(slots)
    if not (isinstance(dwell_s, (int, float)) and 0 < dwell_s <= 600):
        raise BadRequest(f"dwell_s must lie in (0, 600] s, got {dwell_s!r}")
    mode = scan_mode(station, scan)
    energies, dwells = e.grid(dwell_s)
    _check_energies(station.mono, energies)
    _md = {
        "plan_name": "xas_series",
        "edge": {"name": edge, "label": e.label, "e0_eV": e.e0_eV, "station": e.station},
        "slots": slots,
        "protocol": {
            "name": "xas_series",
            "parameters": {"edge": edge, "dwell_s": dwell_s, "scan": mode},
        },  # fmt: skip
        "num_points": len(slots) * energies.size,
        "hints": {"dimensions": [([station.mono.name], "primary")]},
        **(md or {}),
    }
    return SeriesSetup(energies, dwells, mode, slots, _md)


@plan
def xas_series(
    station: SoftXrayEndstation | HardXrayEndstation,
    edge: str,
    slots: list[int],
    *,
    dwell_s: float = 1.0,
    md: dict | None = None,
    edge_overrides: dict | None = None,
    scan: str | None = None,
) -> MsgGenerator[str]:
    """Scan one absorption edge of several electrodes, one after another, in one run.

    Parameters are checked when the plan is made, before anything moves.

    Parameters
    ----------
    station : the soft or hard X-ray endstation (the edge says which).
    edge : "ni-l", "o-k", "mn-l" (soft), "ru-k" (hard), or any edge ``<element>-<edge>``
        xraydb tabulates ("co-k", "ni-k", "fe-l3", ...; see ``operando.edges``).
    slots : holder positions to measure (0: the in situ cell; 17-19 the Ru references).
    dwell_s : counting time per point (s); rises with k in an EXAFS region.
    md : extra start metadata.
    edge_overrides : grid settings replacing the edge's defaults (Edge field -> value).
    scan : "fly" (the monochromator sweeps through the grid while the counters buffer)
        or "step" (move, count, read at each point); None: fly where the endstation can.

    Every point holds the energy (eV), I0 and the yields (counts) and the name of the
    electrode in the beam.
    """
    setup = series_setup(station, edge, slots, dwell_s=dwell_s, md=md,
                         edge_overrides=edge_overrides, scan=scan)  # fmt: skip
    detectors = [station.counters, station.holder, station.mono]
    flyer = XasFlyer(station) if setup.mode == "fly" else None

    @bpp.suspend_decorator([station.beam_suspender()])
    @bpp.run_decorator(md=setup.md)
    def measure() -> MsgGenerator[str]:
        if flyer is not None:
            flyer.program(setup.energies, setup.dwells)
        for slot in setup.slots:
            yield from bps.mv(station.holder.slot, slot)
            if flyer is None:
                yield from scan_edge(station, setup.energies, setup.dwells, readings=detectors)
            else:
                yield from fly_edge(flyer)
        return edge

    return measure()


@plan
def xas_scan(station, edge: str, slot: int, *, dwell_s: float = 1.0, md: dict | None = None,
             scan: str | None = None):  # fmt: skip
    """One electrode's edge (see :func:`xas_series`)."""
    return xas_series(station, edge, [slot], dwell_s=dwell_s, md=md, scan=scan)


DEFAULT_EXCITATION_EV = np.round(np.arange(526.0, 536.0001, 0.25), 3)


@plan
def rixs_map(
    station: SoftXrayEndstation,
    slot: int,
    *,
    excitation_eV: list[float] | None = None,
    exposure_s: float = 10.0,
    md: dict | None = None,
) -> MsgGenerator[str]:
    """An O K RIXS map of one electrode: an emission spectrum at each excitation energy.

    Parameters
    ----------
    station : the soft X-ray endstation.
    slot : holder position of the electrode.
    excitation_eV : excitation energies (eV); None: 526-536 eV in 0.25 eV steps.
    exposure_s : exposure per spectrum (s).

    Each point holds the excitation energy, the spectrum (counts on the spectrograph's
    emission axis, recorded as configuration) and its I0; normalise by I0 in analysis.
    """
    if not isinstance(station, SoftXrayEndstation):
        raise BadRequest("RIXS maps are measured at the soft X-ray endstation")
    _check_slots([slot])
    excitation = np.asarray(
        DEFAULT_EXCITATION_EV if excitation_eV is None else excitation_eV, float
    )
    if excitation.size < 2:
        raise BadRequest("a RIXS map needs at least two excitation energies")
    if not 0 < exposure_s <= 3600:
        raise BadRequest(f"exposure_s must lie in (0, 3600] s, got {exposure_s!r}")
    _check_energies(station.mono, excitation)
    _md = {
        "plan_name": "rixs_map",
        "slots": [slot],
        "protocol": {
            "name": "rixs_map",
            "parameters": {"exposure_s": exposure_s, "excitation_eV": excitation.tolist()},
        },
        "num_points": int(excitation.size),
        "hints": {"dimensions": [([station.mono.name], "primary")]},
        **(md or {}),
    }
    detectors = [station.rixs, station.holder, station.mono]

    @bpp.suspend_decorator([station.beam_suspender()])
    @bpp.run_decorator(md=_md)
    def measure() -> MsgGenerator[str]:
        yield from bps.mv(station.holder.slot, slot, station.rixs.exposure, exposure_s)
        for energy in excitation:
            yield from bps.mv(station.mono, float(energy))
            yield from bps.trigger_and_read(detectors)
            yield from bps.checkpoint()
        return "done"

    return measure()
