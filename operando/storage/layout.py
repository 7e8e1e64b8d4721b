"""How a run is laid out in tiled: the BlueskyRun v3 layout that TiledWriter writes.

One place for it, used by the column-wise writer (:mod:`operando.storage.writer`) and by
the in-place completion of partly stored runs (:mod:`operando.storage.complete`), so that
``bluesky_tiled_plugins``' BlueskyRun client reads (and replays) every run alike:

- a container keyed by the start document's uid, spec ``BlueskyRun`` 3.0, metadata
  ``{"start": ..., "stop": ...}``;
- per stream a container (specs ``BlueskyEventStream`` 3.0 and ``composite``) whose metadata
  is its first descriptor (without name, object_keys, run_start); later descriptors of the
  stream are listed in ``_config_updates``;
- the stream's events in an appendable table ``internal``, one row per event: ``seq_num``,
  ``time``, each scalar data key, ``ts_<key>`` per timestamp; the table's metadata holds the
  data keys it stores;
- each array data key (``dtype: "array"``, a fixed shape) in an array node of its own named
  for the key, its first dimension ``time`` (one row per event, in table order), the others
  ``dim_int_<n>`` shared by equal sizes within the stream.

Only internal data: operando's devices emit no external resources (and no ragged arrays).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np
import pyarrow as pa

from ..errors import StorageError

RUN_SPEC = ("BlueskyRun", "3.0")
STREAM_SPECS = (("BlueskyEventStream", "3.0"), ("composite", None))
TABLE_KEY = "internal"


def _specs(pairs):
    from tiled.structures.core import Spec

    return [Spec(name, version=version) for name, version in pairs]


def _jsonable(metadata: dict) -> dict:
    """Metadata with integers JSON cannot hold as strings (as TiledWriter stores them)."""
    from bluesky_tiled_plugins.utils import truncate_json_overflow

    return truncate_json_overflow(metadata)


def create_run(client, start: dict):
    """The run's container for a start document."""
    start = {k: v for k, v in start.items() if k != "tiled_access_tags"}
    return client.create_container(
        key=start["uid"], metadata={"start": _jsonable(start)}, specs=_specs([RUN_SPEC])
    )


def stream_node(run, stream: str, descriptors: Iterable[dict], *, new: bool = False):
    """The stream's container (created if the run lacks it, from the first of
    ``descriptors``, all of this stream); descriptors it has not recorded yet are added to
    ``_config_updates``. Returns the plain container (the composite's ``.base``).

    new : the caller knows the run lacks the stream (a run it created and has not written
    the stream of): the look-up is skipped (four requests: the BlueskyRun client also
    tries the layouts of older versions)."""
    descriptors = list(descriptors)
    if not new and stream in run:
        node = run[stream].base
    else:
        first = descriptors[0]
        metadata = {k: v for k, v in first.items() if k not in {"name", "object_keys", "run_start"}}
        node = run.create_container(
            key=stream, metadata=_jsonable(metadata), specs=_specs(STREAM_SPECS)
        ).base
    updates = list(node.metadata.get("_config_updates", []))
    known = {node.metadata.get("uid")} | {u["uid"] for u in updates}
    unrecorded = [
        {"uid": d["uid"], "time": d["time"]}
        | ({"configuration": d["configuration"]} if d.get("configuration") else {})
        for d in descriptors
        if d["uid"] not in known
    ]
    if unrecorded:
        node.update_metadata(
            metadata={"_config_updates": _jsonable(updates + unrecorded)}, drop_revision=True
        )
    return node


def add_event_columns(columns: dict[str, list], name: str, doc: dict) -> None:
    """Extend a stream's columns with an event or an event page (column-wise, no per-row
    unpacking)."""
    page = name == "event_page"
    for key in ("seq_num", "time"):
        columns[key].extend(doc[key] if page else [doc[key]])
    for key, values in doc["data"].items():
        columns[key].extend(values if page else [values])
    for key, values in doc["timestamps"].items():
        columns[f"ts_{key}"].extend(values if page else [values])


def new_columns() -> dict[str, list]:
    return defaultdict(list)


def stored_table(node):
    """The stream's table client, or None if none has been written yet (one request:
    ``key in node`` would fetch the node too, then ``node[key]`` again)."""
    try:
        return node[TABLE_KEY]
    except KeyError:
        return None


def _run_stream_table(run, stream: str):
    """The stream's table straight from its run, in one request; None if the run has no
    such table in this layout."""
    try:
        node = run[stream, TABLE_KEY]
    except KeyError:
        return None
    return node if getattr(node, "structure_family", None) == "table" else None


def _table_columns(table, keys: list[str]) -> dict[str, np.ndarray]:
    frame = table.read(columns=list(keys))
    return {k: frame[k].to_numpy() for k in keys}


def read_columns(stream, keys: list[str]) -> dict[str, np.ndarray]:
    """The named scalar columns of a stored stream as numpy arrays, in event order.

    Read straight from the stream's table (only those columns: about half the time of the
    composite's xarray read, which goes through dask); a stream the client presents in
    another layout is read through its own ``read(variables=...)``."""
    base = getattr(stream, "base", None)
    table = stored_table(base) if base is not None else None
    if table is not None and set(keys) <= set(table.structure().columns):
        return _table_columns(table, keys)
    ds = stream.read(variables=list(keys))
    return {k: np.asarray(ds[k].values) for k in keys}


def read_run_columns(run, stream: str, keys: Iterable[str]) -> dict[str, np.ndarray]:
    """The columns of a run's stream among ``keys`` (those its data keys hold), as
    :func:`read_columns` reads them. From the stream's parquet copy when it has one
    (:mod:`operando.storage.column_copy`); else, when the stream's table holds every key,
    it is taken from the run in one request (the stream, then its table, would be three)."""
    from .column_copy import read_copy

    keys = list(keys)
    copied = read_copy(run, stream, keys)
    if copied is not None:
        return copied
    table = _run_stream_table(run, stream)
    if table is not None and set(keys) <= set(table.structure().columns):
        return _table_columns(table, keys)
    node = run[stream]
    return read_columns(node, [k for k in keys if k in node.metadata["data_keys"]])


def append_rows(node, table_client, table: pa.Table, data_keys: dict):
    """Append a table of rows to the stream's table (created on first use, null columns as
    strings, data keys as metadata; rows cast to the stored schema). Returns the table's
    client and the rows as stored."""
    if table.num_rows == 0:
        return table_client, table
    if table_client is None:
        schema = table.schema
        for i, f in enumerate(schema):
            if pa.types.is_null(f.type):
                schema = schema.set(i, f.with_type(pa.string()))
        table_client = node.create_appendable_table(
            schema=schema,
            key=TABLE_KEY,
            metadata=_jsonable({k: v for k, v in data_keys.items() if k in schema.names}),
        )
    schema = table_client.structure().arrow_schema_decoded
    stored = table.select(schema.names).cast(schema)
    table_client.append_partition(0, stored)
    return table_client, stored


def write_stop(run, stop: dict) -> None:
    run.update_metadata(metadata={"stop": _jsonable(stop)}, drop_revision=True)


def array_keys(data_keys: dict) -> list[str]:
    """The data keys stored as array nodes rather than table columns."""
    keys = []
    for key, spec in data_keys.items():
        if spec.get("dtype") != "array" or "external" in spec:
            continue
        if None in (spec.get("shape") or ()):
            raise StorageError(
                f"data key {key!r} is a ragged array (shape {spec.get('shape')}); "
                "operando stores arrays of fixed shape only"
            )
        keys.append(key)
    return keys


def array_dims(shape: tuple[int, ...], names: dict[int, str]) -> tuple[str, ...]:
    """Dimension names of an array node: ``time``, then ``dim_int_<n>`` per size (a size
    met again in the stream reuses its name, so equal dimensions align)."""
    dims = ["time"]
    for size in shape[1:]:
        names.setdefault(size, f"dim_int_{len(names) + 1}")
        dims.append(names[size])
    return tuple(dims)


def append_array_rows(node, client, key: str, rows: list, data_key: dict, names: dict):
    """Append rows (one array per event) to the key's array node (created on first use).
    Returns the node's client."""
    if not rows:
        return client
    array = np.asarray(rows)
    if client is None:
        metadata = dict(data_key)
        metadata["dtype_numpy"] = str(array.dtype)
        return node.write_array(
            array, key=key, metadata=_jsonable(metadata), dims=array_dims(array.shape, names)
        )
    client.patch(array.astype(client.dtype, copy=False), offset=client.shape[:1], extend=True)
    return client
