"""Acquisition throughput and memory: a bare RunEngine against the full session.

The same electrochemistry plan (a long galvanostatic charge recording a point every second
of instrument time) runs on the same simulated IOC in this process twice: once with no
subscribers, once with everything the session subscribes (document log, TiledWriter into
an embedded tiled, live cycling analysis). It prints points per second of each, their
ratio, and the growth of resident memory along each run.

The technique runs on the instrument at a high time scale; the simulator (about 70 us of CPU
per point) shares the machine with the client, so on a 2-core machine both runs are partly
bound by it. Resident memory is traced along both runs, so that growth caused by the
subscribers can be told from growth in the RunEngine and Channel Access layers.

    python benchmarks/acquisition.py [--points 100000]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time

LONG_CHARGE_MASS_MG = 3.85


def rss_mb() -> float:
    """Resident memory of this process now (MB), from /proc (Linux)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def charge_plan(pstat, sample, points: int):
    """A C/200 charge with a point per instrument second, limited to `points` seconds."""
    from operando.plans import galvanostatic

    return galvanostatic(
        pstat, sample, cutoff_V=4.8, c_rate=0.005, max_duration_s=float(points),
        record_dt_s=1.0, record_dE_V=1.0,
    )  # fmt: skip


def measure(RE, session, sample, points: int, memory_trace: list | None = None) -> float:
    """Run the charge; return points acquired per wall second."""
    from operando.sim.ioc.launch import SimulatedBeamline  # noqa: F401  (import cost outside)

    counted = {"n": 0}

    def count(name, doc):
        if name == "event_page":
            counted["n"] += len(doc["seq_num"])
            if memory_trace is not None:
                memory_trace.append((counted["n"], rss_mb()))

    token = RE.subscribe(count)
    session.assemble_sim_cell(sample)
    t0 = time.perf_counter()
    RE(charge_plan(session.potentiostat, sample, points))
    elapsed = time.perf_counter() - t0
    RE.unsubscribe(token)
    return counted["n"] / elapsed, counted["n"], elapsed


def memory_growth(trace: list[tuple[int, float]]) -> str:
    """Growth of resident memory from a quarter of the run to its end (warm-up excluded)."""
    if len(trace) < 4:
        return "too few pages to tell"
    (n0, m0), (n1, m1) = trace[len(trace) // 4], trace[-1]
    per_1e5 = (m1 - m0) / max(n1 - n0, 1) * 1e5
    return (
        f"{m0:.0f} MB at {n0} points, {m1:.0f} MB at {n1} points: {m1 - m0:+.1f} MB "
        f"({per_1e5:+.1f} MB per 100k points)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--time-scale", type=float, default=1e6)
    args = parser.parse_args()

    from bluesky import RunEngine

    from operando.sample import sample_for
    from operando.session import make_session

    sample = sample_for("lnmo", LONG_CHARGE_MASS_MG)
    with tempfile.TemporaryDirectory() as tmp:
        session = make_session(os.path.join(tmp, "data"), time_scale=args.time_scale)
        try:
            bare = RunEngine(context_managers=[])
            trace_bare: list = []
            rate_bare, n_bare, t_bare = measure(bare, session, sample, args.points, trace_bare)
            trace: list = []
            rate_full, n_full, t_full = measure(session.RE, session, sample, args.points, trace)
        finally:
            session.close()

    print(f"points per run: bare {n_bare}, subscribed {n_full}")
    print(f"bare RunEngine:      {rate_bare:10.0f} points/s ({t_bare:.1f} s)")
    print(f"session subscribed:  {rate_full:10.0f} points/s ({t_full:.1f} s)")
    print(f"throughput ratio subscribed/bare: {rate_full / rate_bare:.3f} (target >= 0.90)")
    for label, points in (("bare", trace_bare), ("subscribed", trace)):
        print(f"resident memory, {label}: {memory_growth(points)}")
    print(
        f"peak resident memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3:.0f} MB"
    )


if __name__ == "__main__":
    main()
