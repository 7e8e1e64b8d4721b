"""A stored run's streams as tables: CSV (units in the header row) and parquet.

Public API: :func:`stream_table` (the columns of one stream with their units),
:func:`write_csv` and :func:`write_parquet` (one file per stream), :func:`read_parquet_units`.

Columns: ``time`` (the event's wall-clock time, s since the Unix epoch) first, then the
stream's fields in the order of its descriptor. CSV headers are ``name [units]`` (``name``
alone when the field has no units); parquet stores each field's units in the field's own
metadata (``units``) and the run uid and stream name in the schema's metadata.
Fields of more than one value an event (a RIXS spectrum) are parquet list columns; CSV cannot
carry them and leaves them out. Neither carries the configuration values or the start
document (NeXus carries the start document).
"""

from __future__ import annotations

import csv
import pathlib
from dataclasses import dataclass, field

import numpy as np


@dataclass
class StreamTable:
    """One stream of a run: ``columns`` (name -> 1-D array, in order), ``units`` (name ->
    unit text, "" when none, for arrays too), ``arrays`` (fields with more than one value an
    event, e.g. a RIXS spectrum: name -> array of shape (events, ...)) and the fields left
    out (``skipped``: name -> why)."""

    uid: str
    stream: str
    columns: dict[str, np.ndarray]
    units: dict[str, str]
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)


def stream_table(run, stream: str) -> StreamTable:
    """The scalar fields of one stream of a stored run, with their units."""
    node = run[stream]
    keys = node.metadata["data_keys"]
    ds = node.read()
    uid = run.metadata["start"]["uid"]
    columns: dict[str, np.ndarray] = {"time": np.asarray(ds["time"].values, float)}
    units: dict[str, str] = {"time": "s"}
    arrays: dict[str, np.ndarray] = {}
    skipped: dict[str, str] = {}
    for key, desc in keys.items():
        if key not in ds:
            skipped[key] = "not in the stored table"
            continue
        values = np.asarray(ds[key].values)
        units[key] = str(desc.get("units") or "")
        if values.ndim == 1:
            columns[key] = values
        else:
            arrays[key] = values
    return StreamTable(uid, stream, columns, units, arrays, skipped)


def header_name(name: str, units: str) -> str:
    """``Ewe [V]``; the bare name when there are no units."""
    return f"{name} [{units}]" if units else name


def _stem(out: pathlib.Path, table: StreamTable) -> pathlib.Path:
    return out / f"{table.uid[:8]}_{table.stream}"


def write_csv(table: StreamTable, out: pathlib.Path) -> pathlib.Path:
    """``out/<uid8>_<stream>.csv``: a header row of ``name [units]``, then one row per
    event; numbers written with repr precision (they read back to the same float)."""
    path = _stem(out, table).with_suffix(".csv")
    names = list(table.columns)
    cols = [table.columns[n] for n in names]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([header_name(n, table.units[n]) for n in names])
        for row in zip(*cols, strict=True):
            writer.writerow([_cell(v) for v in row])
    return path


def _cell(value) -> str:
    if isinstance(value, np.floating | float):
        return repr(float(value))
    if isinstance(value, np.integer):
        return str(int(value))
    return str(value)


def write_parquet(table: StreamTable, out: pathlib.Path) -> pathlib.Path:
    """``out/<uid8>_<stream>.parquet``: one column per field, its units in the field's
    metadata (``units``); the schema's metadata holds the run uid and the stream name."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields, arrays = [], []
    for name, values in {**table.columns, **table.arrays}.items():
        if values.ndim > 1:  # one list of fixed length an event
            width = int(np.prod(values.shape[1:]))
            flat = pa.array(np.ascontiguousarray(values).reshape(-1))
            array = pa.FixedSizeListArray.from_arrays(flat, width)
        else:
            array = pa.array(values.tolist() if values.dtype.kind == "U" else values)
        fields.append(pa.field(name, array.type, metadata={"units": table.units[name]}))
        arrays.append(array)
    schema = pa.schema(fields, metadata={"uid": table.uid, "stream": table.stream})
    path = _stem(out, table).with_suffix(".parquet")
    pq.write_table(pa.Table.from_arrays(arrays, schema=schema), path)
    return path


def read_parquet_units(path: str | pathlib.Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Columns (name -> array; a list column as (rows, width)) and units (name -> text) of a
    parquet file written here."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    t = pq.read_table(path)
    units = {f.name: (f.metadata or {}).get(b"units", b"").decode() for f in t.schema}
    columns = {}
    for name in t.column_names:
        column = t.column(name)
        if pa.types.is_fixed_size_list(column.type):
            flat = column.combine_chunks().flatten().to_numpy(zero_copy_only=False)
            columns[name] = flat.reshape(len(column), column.type.list_size)
        else:
            columns[name] = column.to_numpy(zero_copy_only=False)
    return columns, units
