"""Read back the NeXus files that ``operando export --format nexus`` writes.

Each file holds one NXentry: the run's start and stop documents as JSON under
``documents/``, one NXdata per stream (one dataset per data key, with ``units``; ``time`` is
the events' time) and each stream's device configuration under
``instrument/<stream>_configuration/<device>/<field>``. That is enough to rebuild the run's
documents, so a run exported and imported again gives the same summary.
"""

from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass, field

import numpy as np

from ..errors import BadRequest


@dataclass
class NexusStream:
    """One stream: columns (data key -> values, first axis the events), their units, and the
    descriptor's configuration ({device: {"data", "timestamps", "data_keys"}})."""

    name: str
    columns: dict[str, np.ndarray]
    units: dict[str, str]
    configuration: dict = field(default_factory=dict)


@dataclass
class NexusRun:
    start: dict
    stop: dict
    streams: list[NexusStream]


def read_nexus(path: str | pathlib.Path) -> NexusRun:
    """The run of an ``operando export`` NeXus file (BadRequest naming the file and what is
    wrong: not HDF5, not written by operando export, more than one run)."""
    import h5py

    path = pathlib.Path(path)
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise BadRequest(f"{path}: not an HDF5/NeXus file ({exc})") from None
    with f:
        entries = [g for g in f.values() if _nx_class(g) == "NXentry"]
        if len(entries) != 1 or "documents/start" not in entries[0]:
            raise BadRequest(
                f"{path}: not a NeXus file of operando export (it needs one NXentry with "
                f"documents/start; found {len(entries)} NXentry groups)"
            )
        entry = entries[0]
        start = json.loads(_text(entry["documents/start"][()]))
        stop = json.loads(_text(entry["documents/stop"][()])) if "documents/stop" in entry else {}
        streams = [
            _stream(entry, name, group)
            for name, group in entry.items()
            if _nx_class(group) == "NXdata"
        ]
    if not streams:
        raise BadRequest(f"{path}: its run has no streams (no NXdata in the entry)")
    return NexusRun(start=start, stop=stop, streams=streams)


def _stream(entry, name: str, group) -> NexusStream:
    columns, units = {}, {}
    for key, ds in group.items():
        if key == "time" or not hasattr(ds, "dtype"):
            continue  # the events' time is tiled's column, not a data key
        values = ds[()]
        if ds.dtype.kind in "OS":
            values = np.asarray([_text(v) for v in np.ravel(values)]).reshape(np.shape(values))
        columns[key] = np.asarray(values)
        units[key] = _text(ds.attrs.get("units", ""))
    return NexusStream(name, columns, units, _configuration(entry, name))


def _configuration(entry, stream: str) -> dict:
    """The descriptor configuration of a stream, as bluesky records it."""
    group = entry.get(f"instrument/{stream}_configuration")
    if group is None:
        return {}
    out = {}
    for device, fields in group.items():
        data, keys = {}, {}
        for key, ds in fields.items():
            value = ds[()]
            if isinstance(value, bytes):
                value = value.decode()
            elif isinstance(value, np.ndarray):
                value = value.tolist()
            elif isinstance(value, np.generic):
                value = value.item()
            data[key] = value
            keys[key] = {
                "source": "nexus",
                "dtype": _dtype_of(value),
                "shape": list(np.shape(value)),
                "units": _text(ds.attrs.get("units", "")),
            }
        out[device] = {"data": data, "timestamps": {k: 0.0 for k in data}, "data_keys": keys}
    return out


def _dtype_of(value) -> str:
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, bool | int):
        return "integer"
    return "number"


def _nx_class(group) -> str:
    return _text(getattr(group, "attrs", {}).get("NX_class", ""))


def _text(value) -> str:
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, np.ndarray) and value.shape == ():
        return _text(value.item())
    return str(value)
