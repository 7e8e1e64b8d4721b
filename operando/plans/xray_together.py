"""The soft and hard X-ray endstations measuring at the same time, each its own run.

As at two beamlines run side by side: each endstation has its own series of electrodes
(different electrodes: one cannot sit in two beams), and at each step every endstation
moves its holder to its next electrode and sweeps its edge; the step ends when the slower
sweep has been counted. Both are fly scans (the monochromators sweep while the counters
buffer), so the instrument time of a step is that of the longer sweep, not their sum.

    open a run per endstation (run_key = the endstation's name)
    for each step:
        move every holder that has an electrode left to it
        start every sweep; wait until every sweep is counted
        collect each endstation's rows into its own run
    close the runs

Each run holds exactly what :func:`~operando.plans.xray.xas_series` of that endstation
alone would: the same metadata, streams and data keys, so every analysis reads it alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import bluesky.plan_stubs as bps
import bluesky.preprocessors as bpp
from bluesky.utils import MsgGenerator

from ..devices.flyscan import XasFlyer
from ..devices.xray import HardXrayEndstation, SoftXrayEndstation
from ..errors import BadRequest
from ..instruments import N_SLOTS
from .stubs import plan
from .xray import series_setup


@dataclass(frozen=True)
class EdgeSeries:
    """One endstation's part: an edge of electrodes in holder slots, as in
    :func:`~operando.plans.xray.xas_series` (dwell_s in s; md: extra start metadata)."""

    station: SoftXrayEndstation | HardXrayEndstation
    edge: str
    slots: list[int]
    dwell_s: float = 1.0
    md: dict | None = None


def _check_apart(series: tuple[EdgeSeries, ...]) -> None:
    if not all(isinstance(s, EdgeSeries) for s in series):
        raise BadRequest("give each endstation's part as EdgeSeries(station, edge, slots)")
    if len(series) < 2:
        raise BadRequest("measuring together needs the series of at least two endstations")
    names = [s.station.name for s in series]
    if len(set(names)) != len(names):
        raise BadRequest(f"one series per endstation, got {names}")
    seen: dict[int, str] = {}
    for s in series:
        for slot in s.slots:
            if 1 <= slot <= N_SLOTS and seen.setdefault(slot, s.station.name) != s.station.name:
                raise BadRequest(
                    f"holder slot {slot} is in the series of {seen[slot]} and of "
                    f"{s.station.name}: an electrode is in one beam at a time; measure "
                    "different electrodes together, or one series after the other"
                )


@plan
def xas_series_together(*series: EdgeSeries) -> MsgGenerator[str]:
    """Measure each endstation's series at the same time, each in its own run.

    Parameters are checked when the plan is made, before anything moves: every series as
    :func:`~operando.plans.xray.xas_series` checks it, one series per endstation, fly scans
    at each (BadRequest if an endstation has none), and no ex situ slot (1..16) in two
    series.

    The RunEngine returns the runs' uids in the order of ``series``.
    """
    _check_apart(series)
    setups = [
        series_setup(s.station, s.edge, s.slots, dwell_s=s.dwell_s, md=s.md, scan="fly")
        for s in series
    ]  # each series checked as xas_series checks it (fly: BadRequest without Fly: records)
    keys = [s.station.name for s in series]  # run keys
    flyers = [XasFlyer(s.station) for s in series]
    steps = max(len(setup.slots) for setup in setups)

    def in_run(i: int, msgs: MsgGenerator) -> MsgGenerator:
        return bpp.set_run_key_wrapper(msgs, keys[i])

    def measure() -> MsgGenerator[None]:
        for flyer, setup in zip(flyers, setups, strict=True):
            flyer.program(setup.energies, setup.dwells)
        for step in range(steps):
            active = [i for i, setup in enumerate(setups) if step < len(setup.slots)]
            # A lost beam at either endstation repeats this step's sweeps at both.
            yield from bps.checkpoint()
            moves = []
            for i in active:
                moves += [series[i].station.holder.slot, setups[i].slots[step]]
            yield from bps.mv(*moves)
            for stub in (bps.kickoff, bps.complete):  # every sweep started, then all done
                for i in active:
                    yield from in_run(i, stub(flyers[i], group=stub.__name__, wait=False))
                yield from bps.wait(group=stub.__name__)
            for i in active:
                yield from in_run(i, bps.collect(flyers[i], return_payload=False))
                # A beam lost now repeats only the collections not yet made.
                yield from bps.checkpoint()

    body = measure()
    # Innermost last: the runs open in the order of series, so the RunEngine returns their
    # uids in that order. run_wrapper closes each run (as failed) however the plan ends.
    for key, setup in reversed(list(zip(keys, setups, strict=True))):
        body = bpp.set_run_key_wrapper(bpp.run_wrapper(body, md=setup.md), key)
    return bpp.suspend_wrapper(body, [s.station.beam_suspender() for s in series])
