"""``python -m benchmarks``: every measurement against a baseline from the same run.

One simulated beamline (a private IOC, as ``operando.session.make_session`` starts it) serves
the acquisition, X-ray and replay measurements; the simulator and reanalysis measurements
need no IOC; the demo (``--demo``) runs in a subprocess. Prints one table, or with ``--json``
one JSON object. ``--quick`` is a smoke run for CI (small sizes; figures are not meaningful).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import sys
import tempfile
import time

from . import acquisition, demo, reanalysis, replay, simulator, xray
from .common import Row, table

FULL = {"points": 100_000, "long_points": 1_000_000, "cycle_points": 20_000, "xray_repeats": 2}
# --quick: 1000 acquisition points already give every figure (the stage is mostly the
# session's start-up); 5000 cost the test suite ~4 s more and showed nothing more.
QUICK = {"points": 1_000, "long_points": 40_000, "cycle_points": 2_000, "xray_repeats": 1}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("--quick", action="store_true", help="small sizes: a smoke run for CI")
    p.add_argument("--json", action="store_true", help="print one JSON object, not a table")
    p.add_argument("--points", type=int, help="points of each acquisition run (default 100000)")
    p.add_argument(
        "--long-points",
        type=int,
        help="points of the stored run that is reanalysed (default 1000000)",
    )
    p.add_argument(
        "--cycle-points",
        type=int,
        help="points of the simulated cycle timed for CPU (default 20000)",
    )
    p.add_argument("--xray-repeats", type=int, help="Ru K scans each way (default 2)")
    p.add_argument(
        "--time-scale",
        type=float,
        default=1e6,
        help="instrument seconds per wall second of the simulated IOC",
    )
    p.add_argument(
        "--demo",
        action="store_true",
        help="also run `operando demo` in a subprocess (takes minutes)",
    )
    args = p.parse_args(argv)  # fmt: skip
    sizes = QUICK if args.quick else FULL
    for key, default in sizes.items():
        value = getattr(args, key)
        if value is None:
            setattr(args, key, default)
        elif value < 1:
            p.error(f"--{key.replace('_', '-')} must be a whole number >= 1, got {value}")
    if args.long_points < 2 * args.cycle_points and not args.quick:
        p.error("--long-points must hold at least two simulated cycles (2 x --cycle-points)")
    if not args.time_scale > 0:
        p.error(f"--time-scale must be positive, got {args.time_scale}")
    return args


def measure(args: argparse.Namespace) -> tuple[list[Row], dict]:
    from operando.session import make_session
    from operando.storage import open_store

    log = (lambda text: None) if args.json else (lambda text: print(text, file=sys.stderr))
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="operando-bench-") as tmp:
        log(f"[bench] acquisition: {args.points} points, bare RunEngine then full session")
        with make_session(os.path.join(tmp, "data"), time_scale=args.time_scale,
                          progress=False) as session:  # fmt: skip
            acq = acquisition.run(session, args.points)
            log(f"[bench] X-ray: {xray.EDGE} x{args.xray_repeats}: fly, step, bare CA step loop")
            xr = xray.run(session, dwell_s=1.0, repeats=args.xray_repeats)
        store = open_store(os.path.join(tmp, "data"))
        log("[bench] replay of the session's run")
        rp = replay.run(store, acq.uid, acq.log_path)
        log(f"[bench] simulator: one cycle at about {args.cycle_points} points")
        sim = simulator.run(args.cycle_points)
        log(f"[bench] reanalysis: storing a {args.long_points}-point run, tiled and parquet")
        re_ = reanalysis.run(store, acq.log_path, sim.columns, args.long_points, tmp)
        dm = None
        if args.demo:
            log("[bench] operando demo (minutes)")
            dm = demo.run(os.path.join(tmp, "demo"))

    rows += acquisition.rows(acq) + xray.rows(xr) + replay.rows(rp)
    rows += reanalysis.rows(re_) + simulator.rows(sim, acq.rate_bare)
    rows += demo.rows(dm) if dm else [Row("operando demo, wall time", None, "s",
                                          target="<= 60 s (run with --demo)")]  # fmt: skip
    result = {
        "quick": args.quick,
        "acquisition_points": acq.points,
        "acquisition_points_per_s": acq.rate_session,
        "acquisition_bare_points_per_s": acq.rate_bare,
        "acquisition_overhead_ratio": acq.overhead_ratio,
        "rss_growth_mb_per_million_points": acq.rss_session_mb_per_million,
        "rss_growth_bare_mb_per_million_points": acq.rss_bare_mb_per_million,
        "xray_points_per_s": xr.plan_points_per_s,
        "xray_step_points_per_s": xr.step_points_per_s,
        "xray_fly_vs_step_ratio": xr.fly_vs_step,
        "xray_bare_ca_points_per_s": xr.bare_points_per_s,
        "xray_ratio_vs_bare_ca": xr.ratio,
        "xray_step_ratio_vs_bare_ca": xr.step_ratio,
        "replay_docs_per_s": rp.docs_per_s,
        "replay_jsonl_docs_per_s": rp.jsonl_docs_per_s,
        "replay_events_per_s": rp.events_per_s,
        "replay_ratio_vs_jsonl": rp.ratio_vs_jsonl,
        "reanalysis_points": re_.points,
        "reanalysis_s": re_.tiled_s,
        "reanalysis_parquet_s": re_.parquet_s,
        "reanalysis_ratio_vs_parquet": re_.ratio,
        "tiled_write_s": re_.tiled_write_s,
        "parquet_write_s": re_.parquet_write_s,
        "sim_cpu_us_per_point": sim.cpu_us_per_point,
        "demo_wall_s": dm.wall_s if dm else None,
        "demo_stages_s": dict(dm.stages) if dm else None,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3,
    }
    return rows, result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    t0 = time.perf_counter()
    rows, result = measure(args)
    result["benchmark_wall_s"] = time.perf_counter() - t0
    if args.json:
        print(json.dumps({k: _finite_or_none(v) for k, v in result.items()}, indent=1))
    else:
        print(table(rows))
        print(f"\npeak resident memory {result['peak_rss_mb']:.0f} MB; "
              f"benchmark took {result['benchmark_wall_s']:.0f} s"
              + (" (--quick: sizes too small for the figures to mean much)" if args.quick
                 else ""))  # fmt: skip
    return 0


def _finite_or_none(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


if __name__ == "__main__":
    sys.exit(main())
