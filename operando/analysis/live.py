"""Gather a stream's columns from a run's documents, live or in replay (figures, progress)."""

from __future__ import annotations

import numpy as np
from event_model import DocumentRouter


class ColumnGatherer(DocumentRouter):
    """Collect the columns of one stream of the current run, ordered by seq_num.

    keys : the data keys to keep; None keeps every numeric key of the stream. The
    stream's configuration (from its descriptor) is kept in ``configuration``.
    """

    def __init__(self, stream: str, keys: tuple[str, ...] | None):
        super().__init__()
        self.stream = stream
        self._wanted = keys
        self.keys: tuple[str, ...] = keys or ()
        self.start_doc: dict | None = None
        self.configuration: dict = {}
        self._descriptors: set[str] = set()
        self._chunks: list[dict[str, np.ndarray]] = []

    def start(self, doc):
        self.start_doc = doc
        self.keys = self._wanted or ()
        self.configuration = {}
        self._descriptors.clear()
        self._chunks.clear()

    def descriptor(self, doc):
        # A stream of this name without the wanted keys (a scan's primary) is not ours.
        missing = set(self._wanted or ()) - set(doc["data_keys"])
        if doc.get("name") == self.stream and not missing:
            self._descriptors.add(doc["uid"])
            self.configuration = doc.get("configuration", {})
            if self._wanted is None:
                self.keys = tuple(
                    k for k, v in doc["data_keys"].items() if v["dtype"] in ("number", "integer")
                )

    @property
    def found(self) -> bool:
        """Whether the current run has this stream with the wanted keys."""
        return bool(self._descriptors)

    def event_page(self, doc):
        if doc["descriptor"] not in self._descriptors:
            return
        chunk = {k: np.asarray(doc["data"][k], dtype=float) for k in self.keys}
        chunk["seq_num"] = np.asarray(doc["seq_num"], dtype=float)
        self._chunks.append(chunk)

    def event(self, doc):
        # Single events (replay may deliver them one by one) join as one-row pages.
        if doc["descriptor"] in self._descriptors:
            self.event_page(
                {
                    "descriptor": doc["descriptor"],
                    "data": {k: [doc["data"][k]] for k in self.keys},
                    "seq_num": [doc["seq_num"]],
                }
            )

    def columns(self) -> dict[str, np.ndarray]:
        """The stream's columns so far, sorted by seq_num."""
        if not self._chunks:
            return {k: np.empty(0) for k in self.keys}
        if len(self._chunks) > 1:  # consolidate so that repeated calls stay cheap
            merged = {k: np.concatenate([c[k] for c in self._chunks]) for k in self._chunks[0]}
            self._chunks[:] = [merged]
        cols = self._chunks[0]
        order = np.argsort(cols["seq_num"], kind="stable")
        return {k: cols[k][order] for k in self.keys}
