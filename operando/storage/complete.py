"""Complete a partly stored run in place: append what the store lacks, never delete.

A run is partly stored when the writer had sent some batches before a crash, a storage
outage or a killed client: its container, some streams and a prefix of their rows exist,
the stop document does not. :func:`complete_in_place` brings such a run up to its document
log without removing anything already stored (layout: :mod:`operando.storage.layout`):

- streams the store lacks are created; descriptors it has not recorded are added;
- rows whose ``seq_num`` the stream's table lacks are appended, column-wise, in the stored
  table's own schema;
- the stop document is written last, so a run has a stop only when its events are all in
  (a stored stop is replaced when events were appended after it).

Each step is idempotent: a crash part-way leaves a run that is still a prefix of its log and
still without a stop (``report``/``replay`` say "incomplete"); running recover again appends
only what is still missing. Nothing stored is ever deleted or rewritten.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa

from . import layout

APPEND_BATCH_ROWS = 50_000


def complete_in_place(run, docs: Iterable[tuple[str, dict]]) -> int:
    """Append to a stored run (a tiled BlueskyRun client) every event of ``docs`` (a whole
    run's documents, start to stop) it lacks, create missing streams, and write the stop
    document (see the module docstring). Returns the number of events appended."""
    docs = list(docs)
    descriptors = {d["uid"]: d for n, d in docs if n == "descriptor"}
    by_stream: dict[str, list[dict]] = {}
    for d in descriptors.values():
        by_stream.setdefault(d.get("name", "primary"), []).append(d)
    columns: dict[str, dict[str, list]] = {}
    for name, doc in docs:
        if name in ("event", "event_page") and doc.get("descriptor") in descriptors:
            stream = descriptors[doc["descriptor"]].get("name", "primary")
            layout.add_event_columns(columns.setdefault(stream, layout.new_columns()), name, doc)
    appended = 0
    for stream, stream_descriptors in by_stream.items():
        node = layout.stream_node(run, stream, stream_descriptors)
        cols = columns.get(stream)
        if cols:
            appended += _append_missing_rows(node, stream_descriptors[0], cols)
    stop = next((d for n, d in reversed(docs) if n == "stop"), None)
    if stop is not None and (appended or not run.metadata.get("stop")):
        layout.write_stop(run, stop)
    return appended


def _append_missing_rows(node, descriptor: dict, cols: dict[str, list]) -> int:
    """Append the rows whose seq_num the stream's table lacks (and, for array data keys,
    the events past those their array node holds, in log order); returns how many."""
    data_keys = descriptor.get("data_keys", {})
    names: dict[int, str] = {}
    for key in layout.array_keys(data_keys):
        rows = cols.pop(key, [])
        client = node[key] if key in node else None
        done = 0 if client is None else client.shape[0]
        for lo in range(done, len(rows), APPEND_BATCH_ROWS):
            client = layout.append_array_rows(
                node, client, key, rows[lo : lo + APPEND_BATCH_ROWS], data_keys[key], names
            )
    client = layout.stored_table(node)
    stored = set() if client is None else set(client.read(columns=["seq_num"])["seq_num"])
    missing = [i for i, s in enumerate(cols["seq_num"]) if s not in stored]
    table = pa.table(dict(cols)).take(pa.array(missing, type=pa.int64()))
    for lo in range(0, table.num_rows, APPEND_BATCH_ROWS):
        client, _ = layout.append_rows(node, client, table.slice(lo, APPEND_BATCH_ROWS), data_keys)
    return len(missing)
