"""Replay a stored run: its documents, rebuilt from its tables, through callbacks.

tiled's BlueskyRun client can export a run's documents (``run.documents()``), but it emits
one Event document per row, about 1,500 per second: a week of cycling would take longer to
replay than to reanalyse from scratch. The tables hold everything the events held except
their uids, so replay reads each stream's table once (Arrow, column-wise) and emits the run
as TiledWriter's layout stores it (:mod:`operando.storage.layout`): the start document, each
stream's descriptors, event pages of ``page_rows`` rows in time order across streams (real
``seq_num``, ``time``, data and timestamps; event uids ``<descriptor uid>/<seq_num>``, since
the originals are not stored), and the stop document.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from . import layout

PAGE_ROWS = 10_000


def replay(
    run, callbacks: Iterable[Callable[[str, dict], Any]], *, page_rows: int = PAGE_ROWS
) -> None:
    """Push a stored run's documents through callbacks, in the order they were emitted
    (start, descriptors, events in time order, stop)."""
    callbacks = list(callbacks)
    # The tables are read through the BlueskyRun v3 client; a run the client presents
    # otherwise (a legacy layout) replays through tiled's own document export.
    documents = (
        documents_from_tables(run, page_rows=page_rows)
        if type(run).__name__ == "BlueskyRunV3"
        else run.documents()
    )
    for name, doc in documents:
        for cb in callbacks:
            cb(name, doc)


def documents_from_tables(run, *, page_rows: int = PAGE_ROWS) -> Iterator[tuple[str, dict]]:
    """A run's documents rebuilt from its metadata and tables (see the module docstring)."""
    start = run.metadata["start"]
    yield "start", start
    streams = []
    for stream in run:
        node = run[stream].base
        descriptors = _descriptors(node.metadata, stream, start)
        for descriptor in descriptors:
            yield "descriptor", descriptor
        table = layout.stored_table(node)
        if table is not None:
            columns = {c: v.to_numpy() for c, v in table.read().items()}
            for key in layout.array_keys(descriptors[0].get("data_keys", {})):
                if key in node:
                    columns[key] = node[key].read()
            streams.append((descriptors[0], columns))
    # Pages of all streams merged by the time of their first event.
    pages = heapq.merge(
        *(_pages(descriptor, columns, page_rows) for descriptor, columns in streams),
        key=lambda page: page["time"][0],
    )
    for page in pages:
        yield "event_page", page
    if run.metadata.get("stop"):
        yield "stop", run.metadata["stop"]


def _descriptors(metadata: dict, stream: str, start: dict) -> list[dict]:
    """The stream's first descriptor (its metadata) and those recorded as updates."""
    first = {k: v for k, v in metadata.items() if k != "_config_updates"}
    first.update(name=stream, run_start=start["uid"])
    first.setdefault("object_keys", {})
    later = []
    for update in metadata.get("_config_updates", []):
        d = dict(first)
        d.update(update)
        later.append(d)
    return [first, *later]


def _pages(descriptor: dict, columns: dict, page_rows: int) -> Iterator[dict]:
    """Event pages of a stream's columns (numpy arrays, one row per event)."""
    uid = descriptor["uid"]
    data_keys = [k for k in descriptor.get("data_keys", {}) if k in columns]
    n = len(columns["seq_num"])
    for lo in range(0, n, page_rows):
        hi = min(lo + page_rows, n)
        seq = columns["seq_num"][lo:hi].tolist()
        yield {
            "descriptor": uid,
            "uid": [f"{uid}/{s}" for s in seq],
            "seq_num": seq,
            "time": columns["time"][lo:hi].tolist(),
            "data": {k: columns[k][lo:hi].tolist() for k in data_keys},
            "timestamps": {
                k: columns[f"ts_{k}"][lo:hi].tolist() for k in data_keys if f"ts_{k}" in columns
            },
            "filled": {},
        }
