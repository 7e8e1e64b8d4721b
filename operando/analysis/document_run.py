"""A run rebuilt from its documents, readable like a stored run.

The report functions read ``run.metadata["start"]``, ``run[stream].read()`` (an
xarray Dataset with one variable per data key) and ``run[stream].metadata``
(``configuration``, ``data_keys``). :class:`DocumentRun` offers the same from the documents
of a run as they stream past, so the very functions that report a stored run also compute
the live summary and the summary of a replay: one code path for all three.
"""

from __future__ import annotations

from array import array

import numpy as np
import xarray as xr
from event_model import DocumentRouter


class DocumentStream:
    """One stream of a DocumentRun."""

    def __init__(self, descriptor: dict):
        self.metadata = {
            "data_keys": descriptor["data_keys"],
            "configuration": descriptor.get("configuration", {}),
        }
        # Scalar numbers are kept as C doubles (8 bytes a value rather than a Python float's
        # ~32): a week of 1 Hz cycling is ~600k points, and a run's memory must stay flat-ish.
        self._columns: dict[str, array | list] = {
            key: _column(spec) for key, spec in descriptor["data_keys"].items()
        }
        self._seq = array("q")

    def add(self, data: dict, seq_nums: list[int]) -> None:
        for key, column in self._columns.items():
            try:
                column.extend(data[key])
            except (TypeError, OverflowError):
                # A value the declared dtype does not hold (None, a float in an integer
                # key): keep this column as plain Python objects from here on.
                self._columns[key] = [*column, *data[key]]
        self._seq.extend(seq_nums)

    def read(self) -> xr.Dataset:
        seq = np.frombuffer(self._seq, dtype=np.int64) if self._seq else np.empty(0, np.int64)
        order = np.argsort(seq, kind="stable")
        variables = {}
        for key, column in self._columns.items():
            values = np.asarray(column)[order] if len(seq) else np.empty(0)
            dims = ["time"] + [f"dim_{key}_{n}" for n in range(1, values.ndim)]
            variables[key] = (dims, values)
        return xr.Dataset(variables)


def _column(data_key: dict) -> array | list:
    """An empty column for a data key: C doubles or 64-bit integers for plain numbers, a
    list for anything else (strings, arrays)."""
    if data_key.get("shape"):
        return []
    return {"number": array("d"), "integer": array("q")}.get(data_key.get("dtype"), [])


class DocumentRun(DocumentRouter):
    """Feed it a run's documents; then read it like a stored run."""

    def __init__(self):
        super().__init__()
        self.metadata: dict = {"start": None, "stop": None}
        self._streams: dict[str, DocumentStream] = {}
        self._by_descriptor: dict[str, DocumentStream] = {}

    def start(self, doc):
        self.metadata = {"start": doc, "stop": None}
        self._streams.clear()
        self._by_descriptor.clear()

    def descriptor(self, doc):
        name = doc.get("name", "primary")
        stream = self._streams.get(name)
        if stream is None:
            stream = self._streams[name] = DocumentStream(doc)
        self._by_descriptor[doc["uid"]] = stream

    def event_page(self, doc):
        stream = self._by_descriptor.get(doc["descriptor"])
        if stream is not None:
            stream.add(doc["data"], doc["seq_num"])

    def event(self, doc):
        stream = self._by_descriptor.get(doc["descriptor"])
        if stream is not None:
            stream.add({k: [v] for k, v in doc["data"].items()}, [doc["seq_num"]])

    def stop(self, doc):
        self.metadata["stop"] = doc

    def __contains__(self, stream: str) -> bool:
        return stream in self._streams

    def __iter__(self):
        return iter(self._streams)

    def __getitem__(self, stream: str) -> DocumentStream:
        return self._streams[stream]
