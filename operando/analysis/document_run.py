"""A run rebuilt from its documents, readable like a stored run.

The report functions read ``run.metadata["start"]``, ``run[stream].read()`` (an
xarray Dataset with one variable per data key) and ``run[stream].metadata``
(``configuration``, ``data_keys``). :class:`DocumentRun` offers the same from the documents
of a run as they stream past, so the very functions that report a stored run also compute
the live summary and the summary of a replay: one code path for all three.
"""

from __future__ import annotations

from collections import defaultdict

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
        self._columns: dict[str, list] = defaultdict(list)
        self._seq: list[int] = []

    def add(self, data: dict, seq_nums: list[int]) -> None:
        for key in self.metadata["data_keys"]:
            self._columns[key].extend(data[key])
        self._seq.extend(seq_nums)

    def read(self) -> xr.Dataset:
        order = np.argsort(np.asarray(self._seq), kind="stable")
        variables = {}
        for key in self.metadata["data_keys"]:
            values = np.asarray(self._columns[key])[order] if self._seq else np.empty(0)
            dims = ["time"] + [f"dim_{key}_{n}" for n in range(1, values.ndim)]
            variables[key] = (dims, values)
        return xr.Dataset(variables)


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
