"""A parquet copy of every finished stream's table, beside an embedded store.

Why: tiled keeps a stream's events in an appendable SQL table, and reading a long run back
is bound by that table: four columns of a million-row cycling run take about 0.4 s in
SQLite alone, 0.5-0.6 s through tiled, several times the analysis itself
(``benchmarks/reanalysis.py``). A stopped run never changes, so the column writer also
writes each stream's rows, as it appends them to the table, into
``<data>/columns/<run uid>/<stream>.parquet``; the reading side takes the columns from there
(about 40 ms for those four columns).

The copy holds exactly the rows and columns of the stored table (the same Arrow batches,
cast to the table's schema). It takes its final name only once the run's stop document is
stored, after every batch was appended without error; until then it is a ``.partial`` file,
which readers ignore. A run whose write failed, a run stored by completing it in place
(``operando recover``), a served store's runs and runs stored before the copy existed have no
copy, and are read from their table as before. Users may read the files with any parquet
reader (pandas, polars, pyarrow); each file's schema metadata names its run and stream.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pathlib
import weakref
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

logger = logging.getLogger(__name__)

COLUMNS = "columns"  # the copies' directory in an embedded store's data directory
SUFFIX = ".parquet"
PARTIAL = ".partial"
# Rows per parquet row group: the writer's batches (2000 rows) are gathered, since 500 row
# groups of 2000 rows read slower (a million-point run's four cycling columns: ~53 ms; 245
# groups of 4096: ~37 ms; 61 of 16384: ~21 ms). Larger groups cost resident memory held
# through the run: at 16384 rows the session's rose by ~12 MB in a run's first 40k points
# (benchmarks/acquisition.py), at 4096 by none it could tell from noise.
ROW_GROUP_ROWS = 4096

# Where each open embedded store keeps its copies, by its tiled client context (shared by
# every client of that store, runs and streams included); a served store is not listed.
_COPIES_OF: weakref.WeakKeyDictionary[Any, pathlib.Path] = weakref.WeakKeyDictionary()


def register(context: Any, columns_dir: pathlib.Path) -> None:
    """Record that the store reached through ``context`` keeps its copies in ``columns_dir``."""
    _COPIES_OF[context] = pathlib.Path(columns_dir)


def _plain_name(name: str) -> bool:
    return bool(name) and name == pathlib.Path(name).name and not name.startswith(".")


def copy_path(columns_dir: pathlib.Path, uid: str, stream: str) -> pathlib.Path | None:
    """Where a stream's finished copy lies; None when the run uid or the stream name is not
    a plain file name (no copy is kept then)."""
    if not (_plain_name(uid) and _plain_name(stream)):
        return None
    return pathlib.Path(columns_dir) / uid / f"{stream}{SUFFIX}"


class StreamCopy:
    """The copy of one stream being written: batches appended as the table's, the file
    named final by :meth:`finish`, removed by :meth:`abandon`. A copy that cannot be
    written (full disk, permissions) is abandoned with a warning, and never fails the
    table's write: the run is then read from its table."""

    def __init__(self, path: pathlib.Path, uid: str, stream: str):
        self.path = path
        self.partial = path.with_name(path.name + PARTIAL)
        self._metadata = {"operando.run_uid": uid, "operando.stream": stream}
        self._writer = None
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self.failed = False

    def append(self, table: pa.Table) -> None:
        """Add rows (the table's schema must stay that of the first rows)."""
        if self.failed or table.num_rows == 0:
            return
        self._pending.append(table)
        self._pending_rows += table.num_rows
        if self._pending_rows >= ROW_GROUP_ROWS:
            self._guarded(self._write_pending)

    def finish(self) -> None:
        """Write what is pending and give the file its final name."""
        if not self.failed:
            self._guarded(self._finish)

    def _finish(self) -> None:
        self._write_pending()
        if self._writer is None:
            return  # no rows: no copy (the stream has no table either)
        self._writer.close()
        self._writer = None
        # On disk before it is named final: a power cut must not leave a finished name on a
        # short file (the document log and the table are durable at the stop too).
        with open(self.partial, "rb") as f:
            os.fsync(f.fileno())
        os.replace(self.partial, self.path)
        folder = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)

    def _guarded(self, step) -> None:
        try:
            step()
        except Exception:  # noqa: BLE001 - the copy is a convenience, the table is the record
            logger.warning("cannot write %s; read from the table", self.path, exc_info=True)
            self.failed = True
            self.abandon()

    def abandon(self) -> None:
        """Close and remove the unfinished file (the run's table is read instead)."""
        self._pending.clear()
        writer, self._writer = self._writer, None
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.close()
        with contextlib.suppress(OSError):
            self.partial.unlink(missing_ok=True)

    def _write_pending(self) -> None:
        if not self._pending:
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.concat_tables(self._pending)
        self._pending.clear()
        self._pending_rows = 0
        if self._writer is None:
            self.partial.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            schema = table.schema.with_metadata(self._metadata)
            self._writer = pq.ParquetWriter(self.partial, schema, **_encoding(schema))
        self._writer.write_table(table.replace_schema_metadata(self._metadata))


def _encoding(schema: pa.Schema) -> dict:
    """Floating-point columns split by byte then zstd-compressed: a cycling run's columns
    take about a tenth of their size, and read as fast as plain parquet (measured on a
    million-point run, benchmarks/reanalysis.py); other columns as pyarrow's default."""
    import pyarrow as pa

    floats = [f.name for f in schema if pa.types.is_floating(f.type)]
    return {
        "compression": "zstd",
        "use_dictionary": [f.name for f in schema if f.name not in floats],
        "column_encoding": dict.fromkeys(floats, "BYTE_STREAM_SPLIT"),
    }


def start_copy(columns_dir: pathlib.Path | None, uid: str, stream: str) -> StreamCopy | None:
    """A new copy of a stream of a run, or None where no copy is kept."""
    if columns_dir is None:
        return None
    path = copy_path(columns_dir, uid, stream)
    return None if path is None else StreamCopy(path, uid, stream)


def remove_copies(columns_dir: pathlib.Path | None, uid: str, *, finished: bool = True) -> None:
    """Remove a run's unfinished copies (a writer that stopped mid-run left them), and with
    ``finished`` its finished ones too (the run is about to be completed in place): the run
    is read from its table from then on. An unfinished file that cannot be removed is only
    logged; a finished one raises OSError, since it would be stale."""
    if columns_dir is None or not _plain_name(uid):
        return
    folder = pathlib.Path(columns_dir) / uid
    for path in folder.glob(f"*{SUFFIX}{PARTIAL}"):
        try:
            path.unlink(missing_ok=True)
        except OSError:
            logger.warning("cannot remove the unfinished copy %s", path, exc_info=True)
    if finished:
        for path in folder.glob(f"*{SUFFIX}"):
            path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        folder.rmdir()


def read_copy(run, stream: str, keys: list[str]) -> dict[str, np.ndarray] | None:
    """The named columns of a run's stream from its finished copy, as numpy arrays in event
    order; None (read the table then) when there is no copy, the run has no stop, the copy
    lacks one of the keys, names another run or stream, or cannot be read (logged).
    Numeric columns are as the table's; a null in a string column is None here."""
    context = getattr(run, "context", None)
    columns_dir = None if context is None else _COPIES_OF.get(context)
    metadata = getattr(run, "metadata", {})
    uid = (metadata.get("start") or {}).get("uid")
    if columns_dir is None or not uid or not metadata.get("stop"):
        return None
    path = copy_path(columns_dir, uid, stream)
    if path is None or not path.is_file():
        return None
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        with pq.ParquetFile(path) as parquet:
            schema = parquet.schema_arrow
            names = {k.decode(): v.decode() for k, v in (schema.metadata or {}).items()}
            if names.get("operando.run_uid") != uid or names.get("operando.stream") != stream:
                logger.warning("%s names another run or stream; read from the table", path)
                return None
            if not set(keys) <= set(schema.names):
                return None
            table = parquet.read(columns=list(keys))
    except (OSError, pa.ArrowException):
        logger.warning("cannot read %s; read from the table", path, exc_info=True)
        return None
    return {k: table.column(k).to_numpy() for k in keys}
