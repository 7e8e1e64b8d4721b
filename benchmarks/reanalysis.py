"""Reanalysis of a stored long cycling run: tiled against parquet + the same numpy code.

The run: the simulator's cycle (:mod:`benchmarks.simulator`) repeated, cycle after cycle,
until it holds the requested number of potentiostat points (about a million by default), in
the documents of a real run: the start document, descriptors and baseline readings of the
session's acquisition run, with the primary stream's event pages replaced by the long one.
It is written through the session's writer (``operando.storage.make_writer``) into the
embedded tiled (its table and its parquet copy), and the same columns into a parquet file
(pyarrow); both writes are timed.

Reanalysis (capacities, CE, dQ/dV of every cycle) is timed both ways:
- stored: ``operando.analysis.run_kinds.summarize`` of ``store.run(uid)`` (finds the run in
  tiled, reads the primary stream's columns from its parquet copy beside the store,
  ``operando/storage/column_copy.py``, then ``summarize_cycling``);
- baseline: ``pyarrow.parquet.read_table`` of the four columns it needs, then
  ``operando.analysis.electrochem.summarize_cycling`` on them.
Each way is timed REPEATS times, alternating, and the medians compared (the first call of
either pays one-time imports and caches). The two must agree on the number of cycles and
the first cycle's capacities.
"""

from __future__ import annotations

import math
import pathlib
import time
import uuid
from dataclasses import dataclass

import numpy as np

from .common import Row

PAGE_POINTS = 5000  # points per event page of the stored run (the potentiostat sends pages)
# The stored run's primary keys and the simulator buffer's column of each.
COLUMN_OF_KEY = {"clock": "ts", "t": "t", "Ewe": "ewe", "I": "i", "Q": "q", "step": "step"}


@dataclass
class ReanalysisResult:
    points: int
    cycles: int
    tiled_write_s: float
    parquet_write_s: float
    tiled_s: float
    parquet_s: float

    @property
    def ratio(self) -> float:
        """Stored-run reanalysis time over the parquet + numpy time (1.0: no overhead)."""
        return self.tiled_s / self.parquet_s


def repeat_cycles(cycle: dict[str, np.ndarray], points: int) -> dict[str, np.ndarray]:
    """The cycle's columns repeated end to end until `points` points: time, charge and the
    technique-step counter run on from one repetition to the next."""
    n = cycle["ts"].size
    reps = math.ceil(points / n)
    dt = float(np.median(np.diff(cycle["ts"]))) if n > 1 else 1.0
    span = cycle["ts"][-1] - cycle["ts"][0] + dt
    k = np.repeat(np.arange(reps), n)[:points]
    idx = np.tile(np.arange(n), reps)[:points]
    steps = cycle["step"].max() - cycle["step"].min() + 1
    out = {
        "ts": cycle["ts"][idx] + k * span,
        "t": cycle["t"][idx] + k * span,
        "ewe": cycle["ewe"][idx],
        "i": cycle["i"][idx],
        "q": cycle["q"][idx] + k * cycle["q"][-1],
        "step": cycle["step"][idx] + k * steps,
    }
    return out


def documents(template: list[tuple[str, dict]], columns: dict[str, np.ndarray]):
    """Yield the long run's documents: the template run's, its primary event pages replaced
    by pages of `columns` (named as the simulator's buffer names them)."""
    run_uid = str(uuid.uuid4())
    descriptor_uids: dict[str, str] = {}
    primary = None
    points = columns["ts"].size
    for name, doc in template:
        if name == "start":
            yield name, {**doc, "uid": run_uid, "time": time.time(), "benchmark": True}
        elif name == "descriptor":
            descriptor_uids[doc["uid"]] = new = str(uuid.uuid4())
            if doc["name"] == "primary":
                primary = {**doc, "uid": new, "run_start": run_uid}
                yield name, primary
                yield from _pages(primary, columns)
            else:
                yield name, {**doc, "uid": new, "run_start": run_uid}
        elif name in ("event", "event_page"):
            if primary is not None and descriptor_uids.get(doc["descriptor"]) == primary["uid"]:
                continue  # replaced by the long run's pages
            uid = str(uuid.uuid4()) if name == "event" else [str(uuid.uuid4()) for _ in doc["uid"]]
            yield name, {**doc, "uid": uid, "descriptor": descriptor_uids[doc["descriptor"]]}
        elif name == "stop":
            num_events = {**doc.get("num_events", {}), "primary": points}
            yield name, {
                **doc, "uid": str(uuid.uuid4()), "run_start": run_uid, "num_events": num_events,
            }  # fmt: skip


def _pages(descriptor: dict, columns: dict[str, np.ndarray]):
    keys = list(descriptor["data_keys"])
    missing = set(keys) - set(COLUMN_OF_KEY)
    if missing:
        raise RuntimeError(f"the primary stream has keys the benchmark cannot fill: {missing}")
    integer = {k for k in keys if descriptor["data_keys"][k].get("dtype") == "integer"}
    n = columns["ts"].size
    for start in range(0, n, PAGE_POINTS):
        sl = slice(start, min(start + PAGE_POINTS, n))
        ts = columns["ts"][sl].tolist()
        data = {}
        for k in keys:
            col = columns[COLUMN_OF_KEY[k]][sl]
            data[k] = (col.astype(np.int64) if k in integer else col).tolist()
        yield (
            "event_page",
            {
                "descriptor": descriptor["uid"],
                "uid": [str(uuid.uuid4()) for _ in ts],
                "seq_num": list(range(sl.start + 1, sl.stop + 1)),
                "time": ts,
                "data": data,
                "timestamps": {k: ts for k in keys},
                "filled": {},
            },
        )


REPEATS = 3  # timings of each way of reanalysing, alternating


def run(store, template_log: str, cycle: dict[str, np.ndarray], points: int, tmp: str):
    """Store the long run both ways, then time its reanalysis both ways."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from operando.analysis.electrochem import summarize_cycling
    from operando.analysis.run_kinds import summarize
    from operando.storage import make_writer, read_log

    template = list(read_log(template_log))
    start_doc = template[0][1]
    columns = repeat_cycles(cycle, points)
    docs = list(documents(template, columns))
    uid = docs[0][1]["uid"]
    writer = make_writer(store)
    t0 = time.perf_counter()
    for name, doc in docs:
        writer(name, doc)
    tiled_write_s = time.perf_counter() - t0
    del docs

    path = pathlib.Path(tmp) / "long_run.parquet"
    t0 = time.perf_counter()
    pq.write_table(pa.table({k: columns[c] for k, c in COLUMN_OF_KEY.items()}), path)
    parquet_write_s = time.perf_counter() - t0

    def from_store():
        return summarize(store.run(uid))

    def from_parquet():
        sample = start_doc["sample"]
        table = pq.read_table(path, columns=["t", "Ewe", "I", "step"])
        col = {k: table.column(k).to_numpy() for k in ("t", "Ewe", "I", "step")}
        return summarize_cycling(
            col["t"], col["Ewe"], col["I"], step=col["step"],
            active_mass_mg=sample["active_mass_mg"], formula=sample["formula"],
        )  # fmt: skip

    # Alternating, medians of REPEATS: the first call of either pays one-time costs
    # (imports, caches) the other would then be spared.
    times: dict = {from_store: [], from_parquet: []}
    for _ in range(REPEATS):
        for way in times:
            t0 = time.perf_counter()
            result = way()
            times[way].append(time.perf_counter() - t0)
            if way is from_store:
                stored = result
            else:
                baseline = result
    tiled_s, parquet_s = (float(np.median(t)) for t in times.values())

    _check_same(len(stored.cycles), stored.to_json(), baseline)
    return ReanalysisResult(
        points, len(baseline["cycles"]), tiled_write_s, parquet_write_s, tiled_s, parquet_s
    )


def _check_same(n_cycles: int, stored: dict, baseline: dict) -> None:
    """The stored-run summary and the baseline's must describe the same cycles."""
    if n_cycles != len(baseline["cycles"]):
        raise RuntimeError(f"stored run gives {n_cycles} cycles, parquet {len(baseline['cycles'])}")
    for key in ("charge_capacity_mAh_g", "discharge_capacity_mAh_g"):
        a, b = stored[key], baseline[key]
        if (a is None) != (b is None) or (a is not None and not math.isclose(a, b, rel_tol=1e-3)):
            raise RuntimeError(f"{key}: stored run {a}, parquet {b}")


def rows(r: ReanalysisResult) -> list[Row]:
    return [
        Row(f"reanalysis, stored run ({r.points:,} pts, {r.cycles} cycles)", r.tiled_s, "s",
            r.parquet_s, "s parquet+numpy", r.ratio, "ratio <= 2"),
        Row("  writing that run: column writer", r.tiled_write_s, "s", r.parquet_write_s,
            "s pyarrow parquet", r.tiled_write_s / r.parquet_write_s, "(informative)"),
    ]  # fmt: skip
