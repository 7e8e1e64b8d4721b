"""A run rebuilt from its documents, readable like a stored run.

The report functions read ``run.metadata["start"]``, ``run[stream].read()`` (an
xarray Dataset with one variable per data key) and ``run[stream].metadata``
(``configuration``, ``data_keys``). :class:`DocumentRun` offers the same from the documents
of a run as they stream past, so the very functions that report a stored run also compute
the live summary and the summary of a replay: one code path for all three.
"""

from __future__ import annotations

import tempfile
from array import array

import numpy as np
import xarray as xr
from event_model import DocumentRouter


class SpilledColumn:
    """A column of plain numbers kept in an anonymous temporary file, not in memory.

    A live summary needs every point of a run, but only at its end: a week of 1 Hz cycling
    is ~600k points, and the acquiring process's memory must stay flat along the run. The
    values go to the file as C doubles or 64-bit integers; :meth:`values` reads them back.
    """

    def __init__(self, typecode: str):
        self.typecode = typecode  # "d" (float64) or "q" (int64)
        self._file = tempfile.TemporaryFile(prefix="operando-column-")
        self._n = 0

    def extend(self, values) -> None:
        """Append values; TypeError/OverflowError if one is not of this column's type."""
        chunk = array(self.typecode, values)
        self._file.write(chunk.tobytes())
        self._n += len(chunk)

    def __len__(self) -> int:
        return self._n

    def values(self) -> np.ndarray:
        self._file.flush()
        self._file.seek(0)
        out = np.fromfile(self._file, dtype=np.float64 if self.typecode == "d" else np.int64)
        self._file.seek(0, 2)
        return out

    def close(self) -> None:
        self._file.close()


class DocumentStream:
    """One stream of a DocumentRun."""

    def __init__(self, descriptor: dict):
        self.metadata = {
            "data_keys": descriptor["data_keys"],
            "configuration": descriptor.get("configuration", {}),
        }
        self._columns: dict[str, SpilledColumn | list] = {
            key: _column(spec) for key, spec in descriptor["data_keys"].items()
        }
        self._seq = SpilledColumn("q")

    def add(self, data: dict, seq_nums: list[int]) -> None:
        for key, column in self._columns.items():
            try:
                column.extend(data[key])
            except (TypeError, OverflowError):
                # A value the declared dtype does not hold (None, a float in an integer
                # key): keep this column as plain Python objects from here on.
                self._columns[key] = [*_values(column).tolist(), *data[key]]
                column.close()
        self._seq.extend(seq_nums)

    def read(self, variables: list[str] | None = None) -> xr.Dataset:
        """The stream's columns (all, or those named), in seq_num order."""
        seq = self._seq.values()
        order = np.argsort(seq, kind="stable")
        wanted = self._columns.keys() if variables is None else variables
        columns = {key: self._columns[key] for key in wanted if key in self._columns}
        variables = {}
        for key, column in columns.items():
            values = np.asarray(_values(column))[order] if len(seq) else np.empty(0)
            dims = ["time"] + [f"dim_{key}_{n}" for n in range(1, values.ndim)]
            variables[key] = (dims, values)
        return xr.Dataset(variables)

    def close(self) -> None:
        """Release the columns' temporary files."""
        for column in (*self._columns.values(), self._seq):
            if isinstance(column, SpilledColumn):
                column.close()


def _column(data_key: dict) -> SpilledColumn | list:
    """An empty column for a data key: spilled to a file for plain numbers, a list for
    anything else (strings, arrays: spectra are few points, each large)."""
    if data_key.get("shape"):
        return []
    typecode = {"number": "d", "integer": "q"}.get(data_key.get("dtype"))
    return SpilledColumn(typecode) if typecode else []


def _values(column: SpilledColumn | list):
    return column.values() if isinstance(column, SpilledColumn) else np.asarray(column)


class DocumentRun(DocumentRouter):
    """Feed it a run's documents; then read it like a stored run."""

    def __init__(self):
        super().__init__()
        self.metadata: dict = {"start": None, "stop": None}
        self._streams: dict[str, DocumentStream] = {}
        self._by_descriptor: dict[str, DocumentStream] = {}

    def start(self, doc):
        self.close()
        self.metadata = {"start": doc, "stop": None}

    def close(self) -> None:
        """Let go of the streams' columns (their temporary files)."""
        for stream in self._streams.values():
            stream.close()
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
