"""Complete a partly stored run in place: append what the store lacks, never delete.

A run is partly stored when the writer had sent some batches before a crash, a storage
outage or a killed client: its container, some streams and a prefix of their rows exist,
the stop document does not. :func:`complete_in_place` brings such a run up to its document
log without removing anything already stored:

- streams the store lacks are created (the layout TiledWriter gives a BlueskyRun v3: a
  ``composite`` container per stream, its descriptor as metadata, the events in an appendable
  table ``internal`` with one row per event: seq_num, time, the data keys, ``ts_<key>``);
- rows whose ``seq_num`` the stream's table lacks are appended, column-wise, in one
  partition append per batch, in the stored table's own schema;
- the stop document is written last, so a run has a stop only when its events are all in
  (a stored stop is replaced when events were appended after it).

Each step is idempotent: a crash part-way leaves a run that is still a prefix of its log and
still without a stop (``report``/``replay`` say "incomplete"); running recover again appends
only what is still missing. Nothing stored is ever deleted or rewritten.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyarrow as pa

BLUESKY_STREAM_SPECS = (("BlueskyEventStream", "3.0"), ("composite", None))
TABLE_KEY = "internal"  # TiledWriter's table of a stream's internal (non-external) data
APPEND_BATCH_ROWS = 50_000


def complete_in_place(run, docs: Iterable[tuple[str, dict]]) -> int:
    """Append to a stored run (a tiled BlueskyRun client) every event of ``docs`` (a whole
    run's documents, start to stop) it lacks, create missing streams, and write the stop
    document if the run has none. Returns the number of events appended."""
    docs = list(docs)
    descriptors = {d["uid"]: d for n, d in docs if n == "descriptor"}
    stop = next((d for n, d in reversed(docs) if n == "stop"), None)
    columns = _event_columns(docs, descriptors)
    appended = 0
    for stream, descriptor in _first_descriptor_per_stream(descriptors.values()).items():
        node = _stream_node(run, stream, descriptor, descriptors.values())
        cols = columns.get(stream)
        if cols is None or not cols["seq_num"]:
            continue
        appended += _append_missing_rows(node, descriptor, cols)
    # The stop goes last; a stored stop is superseded when the log held more events than it
    # described (e.g. a run recovered from a crash, then re-attached to its instrument).
    if stop is not None and (appended or not run.metadata.get("stop")):
        run.update_metadata(metadata={"stop": stop}, drop_revision=True)
    return appended


def _first_descriptor_per_stream(descriptors: Iterable[dict]) -> dict[str, dict]:
    first: dict[str, dict] = {}
    for d in descriptors:
        first.setdefault(d.get("name", "primary"), d)
    return first


def _event_columns(docs: list[tuple[str, dict]], descriptors: dict[str, dict]) -> dict:
    """Per stream: seq_num, time, data and ts_ columns of every event (pages unpacked
    column-wise, not row by row)."""
    out: dict[str, dict[str, list]] = {}
    for name, doc in docs:
        if name not in ("event", "event_page") or doc.get("descriptor") not in descriptors:
            continue
        stream = descriptors[doc["descriptor"]].get("name", "primary")
        cols = out.setdefault(stream, defaultdict(list))
        page = name == "event_page"
        for key in ("seq_num", "time"):
            cols[key].extend(doc[key] if page else [doc[key]])
        for key, values in doc["data"].items():
            cols[key].extend(values if page else [values])
        for key, values in doc["timestamps"].items():
            cols[f"ts_{key}"].extend(values if page else [values])
    return out


def _stream_node(run, stream: str, descriptor: dict, all_descriptors: Iterable[dict]):
    """The stream's container, created as TiledWriter lays it out if the store lacks it;
    descriptors of the stream the store has not seen are recorded as configuration
    updates (as TiledWriter records a second descriptor of a stream)."""
    from tiled.structures.core import Spec

    if stream in run:
        node = run[stream].base
    else:
        metadata = {
            k: v for k, v in descriptor.items() if k not in {"name", "object_keys", "run_start"}
        }
        node = run.create_container(
            key=stream,
            metadata=metadata,
            specs=[Spec(name, version=version) for name, version in BLUESKY_STREAM_SPECS],
        ).base
    known = {node.metadata.get("uid")} | {
        u["uid"] for u in node.metadata.get("_config_updates", [])
    }
    updates = [
        {
            "uid": d["uid"],
            "time": d["time"],
            **({"configuration": d["configuration"]} if d.get("configuration") else {}),
        }
        for d in all_descriptors
        if d.get("name", "primary") == stream and d["uid"] not in known
    ]
    if updates:
        previous = list(node.metadata.get("_config_updates", []))
        node.update_metadata(metadata={"_config_updates": previous + updates}, drop_revision=True)
    return node


def _append_missing_rows(node, descriptor: dict, cols: dict[str, list]) -> int:
    """Append the rows whose seq_num the stream's table lacks; returns how many."""
    table = pa.table(dict(cols))
    if TABLE_KEY in node:
        client = node[TABLE_KEY]
        stored = set(client.read(columns=["seq_num"])["seq_num"].tolist())
        schema = client.structure().arrow_schema_decoded
    else:
        client, stored, schema = None, set(), _schema_of(table)
    missing = [i for i, s in enumerate(cols["seq_num"]) if s not in stored]
    if not missing:
        return 0
    table = table.take(pa.array(missing)).select(schema.names).cast(schema)
    if client is None:
        data_keys = descriptor.get("data_keys", {})
        client = node.create_appendable_table(
            schema=schema,
            key=TABLE_KEY,
            metadata={k: v for k, v in data_keys.items() if k in schema.names},
        )
    for lo in range(0, table.num_rows, APPEND_BATCH_ROWS):
        client.append_partition(table.slice(lo, APPEND_BATCH_ROWS), 0)
    return len(missing)


def _schema_of(table: pa.Table) -> pa.Schema:
    """The table's schema with null-typed columns as strings (as TiledWriter stores them)."""
    schema = table.schema
    for i, f in enumerate(schema):
        if pa.types.is_null(f.type):
            schema = schema.set(i, f.with_type(pa.string()))
    return schema
