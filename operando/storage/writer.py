"""Write runs into tiled column-wise: event pages are appended as columns, in large batches.

TiledWriter (bluesky-tiled-plugins) unpacks every event page into one dict per event and
builds its tables from the rows; on a long cycling run that costs more CPU than acquiring
the point. :class:`ColumnWriter` keeps each stream's columns as lists, extends them with a
page's columns as they come, and appends ``batch_size`` rows at a time as one Arrow table
(array data keys to their array nodes),
in the same layout (:mod:`operando.storage.layout`), so tiled's BlueskyRun client reads,
exports and replays the runs as it does TiledWriter's. Given a ``columns_dir`` (an embedded
store), it also writes each stream's rows into a parquet copy, finished when the run stops
(:mod:`operando.storage.column_copy`).
"""

from __future__ import annotations

import pyarrow as pa

from ..errors import StorageError
from ..run_routing import RunOfDocument
from . import layout
from .column_copy import remove_copies, start_copy

DEFAULT_BATCH_ROWS = 2000


class _Stream:
    def __init__(self, node, descriptor: dict, copy=None):
        """A stream this writer has just created (no table, no arrays yet); ``copy``: its
        parquet copy (a :class:`~operando.storage.column_copy.StreamCopy`) or None."""
        self.node = node
        self.copy = copy
        self.data_keys = dict(descriptor.get("data_keys", {}))
        self.array_keys = layout.array_keys(self.data_keys)
        self.arrays: dict = {}  # array nodes by data key, made at the first flush
        self.dim_names: dict[int, str] = {}
        self.columns = layout.new_columns()
        self.rows = 0
        self.table = None  # the stream's table, made at the first flush


class _Run:
    def __init__(self, node):
        self.node = node
        self.streams: dict[str, _Stream] = {}  # by stream name
        self.by_descriptor: dict[str, _Stream] = {}


class ColumnWriter:
    """A document callback storing each run in ``client`` (a tiled container). Runs open
    at the same time (two endstations measuring together) are written apart.

    batch_size : rows per stream kept in memory before they are appended (the document log
    holds whatever is not yet stored).
    columns_dir : where the streams' parquet copies go (an embedded store's ``columns``
    directory); None: no copies.
    """

    def __init__(self, client, batch_size: int = DEFAULT_BATCH_ROWS, columns_dir=None):
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.client = client
        self.batch_size = batch_size
        self.columns_dir = columns_dir
        self._run_of = RunOfDocument()
        self._runs: dict[str, _Run] = {}  # open runs by start uid

    def __call__(self, name: str, doc: dict) -> None:
        uid = self._run_of(name, doc)
        if name == "start":
            self._runs[uid] = _Run(layout.create_run(self.client, doc))
            # Copies left under this uid (a run set aside, a directory copied in) are not
            # this run's.
            remove_copies(self.columns_dir, uid)
            return
        run = self._runs.get(uid)
        if run is None:
            return  # documents of a run whose start this writer did not see
        if name == "descriptor":
            self._descriptor(run, doc)
        elif name in ("event", "event_page"):
            stream = run.by_descriptor[doc["descriptor"]]
            before = len(stream.columns["seq_num"])
            layout.add_event_columns(stream.columns, name, doc)
            stream.rows += len(stream.columns["seq_num"]) - before
            if stream.rows >= self.batch_size:
                self._flush(stream)
        elif name == "stop":
            try:
                for stream in run.streams.values():
                    self._flush(stream)
                layout.write_stop(run.node, doc)
                # Only a run stored whole, stop included, has its copies finished.
                for stream in run.streams.values():
                    if stream.copy is not None:
                        stream.copy.finish()
            finally:
                self.discard(uid)
        elif name in ("resource", "datum", "datum_page", "stream_resource", "stream_datum"):
            raise StorageError(
                f"a {name!r} document: the column writer stores internal data only "
                "(operando's devices emit no external files)"
            )

    def close(self) -> None:
        """Let go of every run still open (their unfinished copies are removed; their logs
        hold them)."""
        for uid in list(self._runs):
            self.discard(uid)

    def discard(self, uid: str) -> None:
        """Let go of a run (stopped, or no longer written: its log holds it); copies not
        finished are removed."""
        run = self._runs.pop(uid, None)
        self._run_of.forget(uid)
        for stream in run.streams.values() if run is not None else ():
            if stream.copy is not None:
                stream.copy.abandon()

    def _descriptor(self, run: _Run, doc: dict) -> None:
        stream_name = doc.get("name", "primary")
        # This writer made the run, so a stream it has not seen is new to the store too.
        new = stream_name not in run.streams
        node = layout.stream_node(run.node, stream_name, [doc], new=new)
        if new:
            copy = start_copy(self.columns_dir, doc["run_start"], stream_name)
            run.streams[stream_name] = _Stream(node, doc, copy)
        run.by_descriptor[doc["uid"]] = run.streams[stream_name]

    def _flush(self, stream: _Stream) -> None:
        if not stream.rows:
            return
        for key in stream.array_keys:
            stream.arrays[key] = layout.append_array_rows(
                stream.node, stream.arrays.get(key), key, stream.columns.pop(key, []),
                stream.data_keys[key], stream.dim_names,
            )  # fmt: skip
        table = pa.table(dict(stream.columns))
        stream.table, stored = layout.append_rows(
            stream.node, stream.table, table, stream.data_keys
        )
        if stream.copy is not None:
            stream.copy.append(stored)
        stream.columns = layout.new_columns()
        stream.rows = 0
