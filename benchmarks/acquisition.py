"""Acquisition throughput and memory: a bare RunEngine against the full session.

The same electrochemistry plan (a long galvanostatic charge recording a point every second
of instrument time) runs on the same simulated IOC in this process twice: once on a bare
RunEngine (no subscribers, no baseline readings), once on the session's RunEngine with
everything it subscribes (document log, the column writer into the embedded tiled, live run
summary). Points per wall second of each give the overhead ratio; resident memory, traced at
every event page of each run, gives the growth per million points.

The simulator (its CPU per point is measured by :mod:`benchmarks.simulator`) shares the
machine with the client, so on a 2-core machine both runs are partly bound by it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from .common import Row, growth_per_million, rss_mb

LONG_CHARGE_MASS_MG = 3.85  # an LNMO electrode whose C/200 charge outlasts any run here


@dataclass
class AcquisitionResult:
    points: int  # points of the session's run
    rate_bare: float  # points per wall second, bare RunEngine
    rate_session: float  # points per wall second, full session
    rss_bare_mb_per_million: float | None
    rss_session_mb_per_million: float | None
    uid: str  # the session's run (stored; replayed and used as a template)
    log_path: str  # its JSONL document log

    @property
    def overhead_ratio(self) -> float:
        """Session throughput over bare throughput (1.0: subscribers cost nothing)."""
        return self.rate_session / self.rate_bare


def charge_plan(pstat, sample, points: int):
    """A C/200 charge with a point per instrument second, limited to `points` seconds."""
    from operando.plans import galvanostatic

    return galvanostatic(
        pstat, sample, cutoff_V=4.8, c_rate=0.005, max_duration_s=float(points),
        record_dt_s=1.0, record_dE_V=1.0,
    )  # fmt: skip


def measure(RE, session, sample, points: int, trace: list) -> tuple[float, int, str]:
    """Run the charge on RE; return (points per wall second, points, run uid). Resident
    memory is appended to trace as (points so far, MB) at every event page."""
    counted = {"n": 0}

    def count(name, doc):
        if name == "event_page" and "Ewe" in doc["data"]:
            counted["n"] += len(doc["seq_num"])
            trace.append((counted["n"], rss_mb()))

    token = RE.subscribe(count)
    session.assemble_sim_cell(sample)
    t0 = time.perf_counter()
    try:
        (uid,) = RE(charge_plan(session.potentiostat, sample, points))
    finally:
        RE.unsubscribe(token)
    elapsed = time.perf_counter() - t0
    return counted["n"] / elapsed, counted["n"], uid


def run(session, points: int) -> AcquisitionResult:
    """Bare RunEngine first, then the session's, on the session's simulated IOC."""
    from bluesky import RunEngine

    from operando.sample import sample_for

    sample = sample_for("lnmo", LONG_CHARGE_MASS_MG)
    bare = RunEngine(context_managers=[])
    trace_bare: list = []
    rate_bare, _, _ = measure(bare, session, sample, points, trace_bare)
    trace: list = []
    rate_session, n, uid = measure(session.RE, session, sample, points, trace)
    return AcquisitionResult(
        points=n,
        rate_bare=rate_bare,
        rate_session=rate_session,
        rss_bare_mb_per_million=growth_per_million(trace_bare),
        rss_session_mb_per_million=growth_per_million(trace),
        uid=uid,
        log_path=str(session.document_log.path),
    )


def rows(r: AcquisitionResult) -> list[Row]:
    return [
        Row("acquisition, full session", r.rate_session, "points/s", r.rate_bare,
            "points/s bare RunEngine", r.overhead_ratio, "ratio >= 0.90"),
        Row("RSS growth, full session", r.rss_session_mb_per_million, "MB per 1M points",
            r.rss_bare_mb_per_million, "MB per 1M bare",
            _ratio(r.rss_session_mb_per_million, r.rss_bare_mb_per_million),
            "<= 50 MB per 1M points"),
    ]  # fmt: skip


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b <= 0:
        return None
    return a / b
