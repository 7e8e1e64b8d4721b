"""Compare a stored run with its document log, document for document.

The store rebuilds documents on export (tiled keeps the data, not the identity of each
Event), so the comparison is of what a document says: the start and stop documents whole;
each descriptor (by uid) except ``object_keys``; and, per descriptor, every event's
``seq_num``, ``time``, ``data`` and ``timestamps`` in order, Events and EventPages unpacked
alike. Event uids and ``filled`` are not kept by the store and are not compared.
"""

from __future__ import annotations

import math
import pathlib
from collections.abc import Iterable

from .recover import read_log_checked

DESCRIPTOR_IGNORED = {"object_keys"}


def _events(docs: Iterable[tuple[str, dict]]) -> dict[str, list[tuple]]:
    """Per descriptor uid, the (seq_num, time, data, timestamps) of each event in order."""
    out: dict[str, list[tuple]] = {}
    for name, doc in docs:
        if name == "event":
            out.setdefault(doc["descriptor"], []).append(
                (doc["seq_num"], doc["time"], doc["data"], doc["timestamps"])
            )
        elif name == "event_page":
            keys = list(doc["data"])
            for i, seq in enumerate(doc["seq_num"]):
                out.setdefault(doc["descriptor"], []).append((
                    seq, doc["time"][i],
                    {k: doc["data"][k][i] for k in keys},
                    {k: doc["timestamps"][k][i] for k in doc["timestamps"]},
                ))  # fmt: skip
    return out


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return float(a) == float(b) or (math.isnan(float(a)) and math.isnan(float(b)))
        except (TypeError, ValueError):
            return False
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def differences(stored: list[tuple[str, dict]], logged: list[tuple[str, dict]]) -> list[str]:
    """What differs between a run's exported documents and its logged ones (empty: equal)."""
    diffs = []
    for which in ("start", "stop"):
        s = [d for n, d in stored if n == which]
        g = [d for n, d in logged if n == which]
        if len(s) != 1 or len(g) != 1 or not _same(s[0], g[0]):
            diffs.append(f"{which} documents differ")
    s_desc = {d["uid"]: d for n, d in stored if n == "descriptor"}
    g_desc = {d["uid"]: d for n, d in logged if n == "descriptor"}
    if s_desc.keys() != g_desc.keys():
        diffs.append(f"descriptors {sorted(s_desc)} stored, {sorted(g_desc)} logged")
    for uid in s_desc.keys() & g_desc.keys():
        a = {k: v for k, v in s_desc[uid].items() if k not in DESCRIPTOR_IGNORED}
        b = {k: v for k, v in g_desc[uid].items() if k not in DESCRIPTOR_IGNORED}
        if not _same(a, b):
            keys = sorted(k for k in a if not _same(a.get(k), b.get(k)))
            diffs.append(f"descriptor {uid} differs in {keys}")
    s_ev, g_ev = _events(stored), _events(logged)
    for uid in g_desc:
        a, b = s_ev.get(uid, []), g_ev.get(uid, [])
        if len(a) != len(b):
            diffs.append(
                f"stream {g_desc[uid].get('name')}: {len(a)} events stored, {len(b)} logged"
            )
        elif not _same(a, b):
            first = next(i for i, (x, y) in enumerate(zip(a, b, strict=True)) if not _same(x, y))
            diffs.append(f"stream {g_desc[uid].get('name')}: event {first} differs")
    return diffs


def compare_with_log(run, log_path: str | pathlib.Path) -> list[str]:
    """Differences between a stored run (its exported documents) and its document log."""
    contents = read_log_checked(log_path)
    diffs = [f"damaged log lines {contents.damaged_lines}"] if contents.damaged_lines else []
    return diffs + differences(list(run.documents()), contents.docs)


def count_logged_events(log_path: str | pathlib.Path) -> int:
    """Events (all streams) in a document log."""
    from .recover import count_events

    return sum(count_events(read_log_checked(log_path).docs).values())
