"""Replay speed: a stored run's documents through the live summary, against reading the
run's JSONL document log with ``json``.

The run is the session's acquisition run (:mod:`benchmarks.acquisition`). Replay reads it
back from tiled (``operando.storage.replay``) and pushes every document through a fresh
:class:`~operando.analysis.run_summary.RunSummary`, as ``operando replay`` does. The baseline
parses every line of the same run's document log (``json.loads``) and does nothing else.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from .common import Row


@dataclass
class ReplayResult:
    replay_docs: int
    replay_s: float
    jsonl_docs: int
    jsonl_s: float
    points: int

    @property
    def docs_per_s(self) -> float:
        return self.replay_docs / self.replay_s

    @property
    def jsonl_docs_per_s(self) -> float:
        return self.jsonl_docs / self.jsonl_s

    @property
    def events_per_s(self) -> float:
        """Events delivered per second, the pages unpacked: each is one event document's
        worth, which is how a document count compares with a log of single events."""
        return self.points / self.replay_s

    @property
    def jsonl_events_per_s(self) -> float:
        return self.points / self.jsonl_s

    @property
    def ratio_vs_jsonl(self) -> float:
        """Speed of replay relative to parsing the log of the same run (time over time, so
        that the two sides' different pagination does not enter)."""
        return self.jsonl_s / self.replay_s


def run(store, uid: str, log_path: str) -> ReplayResult:
    from operando.analysis.run_summary import RunSummary
    from operando.storage import replay

    counted = {"docs": 0, "points": 0}

    def count(name, doc):
        counted["docs"] += 1
        if name == "event_page" and "Ewe" in doc["data"]:
            counted["points"] += len(doc["seq_num"])

    summary = RunSummary()
    t0 = time.perf_counter()
    replay(store.run(uid), [summary, count])
    replay_s = time.perf_counter() - t0
    if summary.summary is None:
        raise RuntimeError(f"replay of {uid} gave no summary: {summary.error}")

    t0 = time.perf_counter()
    with open(log_path, encoding="utf-8") as f:
        jsonl_docs = sum(1 for line in f if json.loads(line))
    jsonl_s = time.perf_counter() - t0
    return ReplayResult(counted["docs"], replay_s, jsonl_docs, jsonl_s, counted["points"])


def rows(r: ReplayResult) -> list[Row]:
    return [
        Row(f"replay ({r.points} pts) -> RunSummary", r.docs_per_s, "docs/s",
            r.jsonl_docs_per_s, "docs/s json.loads of its log", r.ratio_vs_jsonl,
            ">= 100,000 docs/s or ratio >= 0.5"),
        Row("  the same, as events (pages unpacked)", r.events_per_s, "events/s",
            r.jsonl_events_per_s, "events/s from its log", r.ratio_vs_jsonl,
            "(the documents are pages of events)"),
    ]  # fmt: skip
