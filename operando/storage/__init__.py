"""Storage: an embedded tiled server, a column-wise writer, a local document log, replay.

Every document the RunEngine emits is first appended to a local, line-buffered JSON
document log (one file per run) and only then handed to the writer (``storage/writer.py``,
TiledWriter's layout written column-wise). If the tiled write fails (storage outage, full
disk on the server), acquisition goes on and the run can be re-ingested later from its log
with :func:`recover`.

The default store is embedded: a tiled app built in this process over a SQLite catalog and
a data directory, with the BlueskyRun json-seq exporter registered so that
``run.documents()`` replays. :func:`open_store` also accepts the URI of a standalone
``tiled serve`` (PostgreSQL catalog, API key) for labs that outgrow one machine.
"""

from __future__ import annotations

import json
import logging
import pathlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import NotFound, StorageError
from ..run_routing import RunOfDocument
from .background_writer import BackgroundWriter  # noqa: F401 - re-exported
from .catch_up import CatchUp  # noqa: F401 - re-exported
from .recover import RecoveryResult, recover  # noqa: F401 - re-exported
from .replay import documents_from_tables, replay  # noqa: F401 - re-exported

logger = logging.getLogger(__name__)


class IncompleteRun(StorageError):
    """A stored run lacks part of its documents: its analysis would be wrong."""


LOG_DIRNAME = "document-log"
WRITER_BATCH_SIZE = 2000  # rows per table write; the document log covers what is not yet flushed


@dataclass
class Store:
    """A tiled client over the operando catalog, plus where its local document logs live."""

    client: Any
    data_dir: pathlib.Path | None
    # A served store's local document logs (credentials.log_dir_for); None: the data dir's
    served_log_dir: pathlib.Path | None = None

    @property
    def log_dir(self) -> pathlib.Path | None:
        if self.data_dir is None:
            return self.served_log_dir
        return self.data_dir / LOG_DIRNAME

    @property
    def columns_dir(self) -> pathlib.Path | None:
        """Where the parquet copies of finished streams lie (an embedded store's
        ``columns``; :mod:`operando.storage.column_copy`); None for a served store."""
        from .column_copy import COLUMNS

        return None if self.data_dir is None else self.data_dir / COLUMNS

    def run(self, uid_or_index: str | int):
        """A stored run by uid, by a unique uid prefix (5 characters or more), or by
        position (-1 is the latest run)."""
        from .catalog import find_run

        return find_run(self.client, uid_or_index)

    def close(self) -> None:
        """Stop the embedded server's threads (its event loop, its catalog's database
        connection); the store is not usable afterwards. A served store's client only
        closes its connections. Closing twice does nothing."""
        http_client = self.client.context.http_client
        self.client.context.close()
        # tiled registers the embedded server's exit with threading's own atexit list, which
        # would hold the closed app (~8 MB) until the process ends.
        atexits = getattr(threading, "_threading_atexits", None)
        if atexits is not None and self.data_dir is not None:
            for func in list(atexits):  # remove, not rebuild: others may register meanwhile
                if _bound_to(func) is http_client:
                    atexits.remove(func)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def complete_run(self, uid_or_index: str | int):
        """Like :meth:`run`, but refuse (one line) a run that is incomplete."""
        from .recover import incomplete_reason

        run = self.run(uid_or_index)
        why = incomplete_reason(run)
        if why is not None:
            uid = run.metadata["start"]["uid"]
            raise IncompleteRun(f"run {uid} is incomplete: {why}; its numbers would be wrong")
        return run


def _bound_to(func) -> Any:
    """The object a (partial of a) bound method is bound to, else None."""
    return getattr(getattr(func, "func", func), "__self__", None)


def _init_catalog(uri: str) -> bool:
    """Create (if new) and stamp the SQLite catalog in this process, as tiled's own
    ``tiled catalog init`` does: ~0.1 s once tiled is imported, where ``from_uri``'s
    ``init_if_not_exists`` starts a Python subprocess every time (~3 s). False if it cannot
    run here (an event loop already runs in this thread); tiled's subprocess does it then."""
    import asyncio

    from sqlalchemy.ext.asyncio import create_async_engine
    from tiled.alembic_utils import UninitializedDatabase, check_database, stamp_head
    from tiled.catalog.alembic_constants import ALEMBIC_DIR, ALEMBIC_INI_TEMPLATE_PATH
    from tiled.catalog.core import ALL_REVISIONS, REQUIRED_REVISION, initialize_database
    from tiled.utils import ensure_specified_sql_driver

    uri = ensure_specified_sql_driver(uri)

    try:
        asyncio.get_running_loop()
        return False
    except RuntimeError:
        pass  # no running loop: asyncio.run is allowed

    async def create_if_new() -> bool:
        engine = create_async_engine(uri)
        try:
            await check_database(engine, REQUIRED_REVISION, ALL_REVISIONS)
            return False
        except UninitializedDatabase:
            await initialize_database(engine)
            return True
        finally:
            await engine.dispose()

    if asyncio.run(create_if_new()):
        stamp_head(ALEMBIC_INI_TEMPLATE_PATH, ALEMBIC_DIR, uri)
    return True


def _build_embedded_app(data_dir: pathlib.Path):
    from bluesky_tiled_plugins.exporters import json_seq_exporter
    from tiled.catalog import from_uri as catalog_from_uri
    from tiled.media_type_registration import default_serialization_registry
    from tiled.server.app import build_app

    from .catalog import check_catalog, relocate

    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # a new store: owner-only
    check_catalog(data_dir)  # a damaged catalog is reported, never re-created over the data
    (data_dir / "data").mkdir(exist_ok=True)
    uri = f"sqlite:///{data_dir / 'catalog.db'}"
    new = not (data_dir / "catalog.db").exists()
    initialized = _init_catalog(uri)
    relocate(data_dir)  # a copied or moved store: its catalog's locations follow it
    if new and (data_dir / "catalog.db").exists():
        (data_dir / "catalog.db").chmod(0o600)  # the catalog: readable by its owner only
    catalog = catalog_from_uri(
        uri,
        # Arrays go to files under data/, event tables to SQLite (half the resident-memory
        # growth of duckdb along a long run, at the same speed; benchmarks/acquisition.py).
        writable_storage=[
            str(data_dir / "data"),
            f"sqlite:///{data_dir / 'tables.sqlite'}",
        ],
        init_if_not_exists=not initialized,
        # This spec makes clients use bluesky-tiled-plugins' CatalogOfBlueskyRuns, which
        # indexes runs by scan_id and by position (catalog[-1] is the latest run).
        specs=[{"name": "CatalogOfBlueskyRuns", "version": "3.0"}],
    )
    registry = default_serialization_registry
    registry.register("BlueskyRun", "application/json-seq", json_seq_exporter)
    return build_app(catalog, serialization_registry=registry)


def open_store(data: str | pathlib.Path, api_key: str | None = None) -> Store:
    """Open the run store.

    Parameters
    ----------
    data :
        A directory (embedded store, created if missing) or the ``http(s)://`` URI of a
        standalone tiled server.
    api_key :
        API key for a standalone server; unused for the embedded store.
    """
    import warnings

    from tiled.client import Context, from_context

    from .column_copy import register as register_copies
    from .run_clients import structure_clients

    text = str(data)
    if text.startswith(("http://", "https://")):
        return _open_served(text, api_key)
    data_dir = pathlib.Path(text).expanduser().resolve()
    app = _build_embedded_app(data_dir)
    # The embedded server's start-up banner ("Tiled version ...") is noise in a command
    # (tiled sets this logger to INFO when its app module is imported, just above).
    logging.getLogger("tiled.server.app").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        # tiled's in-process client goes through starlette's test client; its deprecation
        # warning is about tiled's internals, not something a user can act on.
        warnings.filterwarnings("ignore", message=".*starlette.testclient.*")
        # In process, compressing responses only costs CPU (blosc2 took ~0.15 s of a
        # ~0.6 s read of a 1M-row table; benchmarks/reanalysis.py): ask for them as is.
        context = Context.from_app(app, headers={"accept-encoding": "identity"})
    client = from_context(context, structure_clients=structure_clients())
    store = Store(client=client, data_dir=data_dir)
    register_copies(context, store.columns_dir)
    return store


def open_existing_store(data: str | pathlib.Path, api_key: str | None = None) -> Store:
    """:func:`open_store` for reading: a directory that holds no store is refused
    (NotFound, one line) instead of being made into a new, empty one."""
    from .catalog import CATALOG, TABLES

    text = str(data)
    if not text.startswith(("http://", "https://")):
        path = pathlib.Path(text).expanduser()
        if not ((path / CATALOG).is_file() or (path / TABLES).is_file()):
            raise NotFound(f"--data {text}: no run store there (no {CATALOG})")
    return open_store(data, api_key)


def _open_served(uri: str, api_key: str | None) -> Store:
    """A client of a served store; the key from the caller, the environment or the
    configuration file. Refusals are one line and never contain the key."""
    import httpx
    from tiled.client import from_uri

    from .credentials import api_key as configured_key
    from .credentials import log_dir_for
    from .run_clients import structure_clients
    from .server import check_api_key

    key = check_api_key(api_key or configured_key())
    try:
        client = from_uri(uri, api_key=key, structure_clients=structure_clients())
    except httpx.HTTPStatusError as exc:
        code = exc.response.status_code
        if code in (401, 403):
            raise StorageError(f"the store at {uri} refused the API key (HTTP {code})") from None
        raise StorageError(f"the store at {uri} answered HTTP {code}") from None
    except httpx.TransportError as exc:
        raise StorageError(f"the store at {uri} does not answer ({exc})") from None
    return Store(client=client, data_dir=None, served_log_dir=log_dir_for(uri))


class DocumentLog:
    """Append every document of each run to ``<log_dir>/<start uid>.jsonl`` before storage.

    Each line is ``{"name": ..., "doc": ...}``, flushed to the operating system as it is
    written (a crash of this process loses nothing) and fsynced at the end of the run.
    Runs open at the same time (the soft and hard endstations measuring together) each
    have their own file.
    """

    def __init__(self, log_dir: pathlib.Path):
        self.log_dir = pathlib.Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # owner-only
        self._files: dict[str, Any] = {}  # run uid -> its open log file
        self._run_of = RunOfDocument()
        self.path: pathlib.Path | None = None  # the log of the run started last

    def __call__(self, name: str, doc: dict) -> None:
        run = self._run_of(name, doc)
        if name == "start":
            import os

            self.path = self.log_dir / f"{doc['uid']}.jsonl"
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            self._files[run] = open(fd, "a", buffering=1, encoding="utf-8")
        file = self._files.get(run)
        if file is None:
            return
        file.write(json.dumps({"name": name, "doc": doc}, default=_to_json) + "\n")
        if name == "stop":
            self._close(run)

    def _close(self, run: str) -> None:
        import os

        file = self._files.pop(run)
        self._run_of.forget(run)
        file.flush()
        os.fsync(file.fileno())
        file.close()


def _to_json(obj: Any) -> Any:
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"cannot write {type(obj).__name__} to the document log")


def read_log(path: str | pathlib.Path) -> Iterator[tuple[str, dict]]:
    """Yield the intact ``(name, doc)`` pairs of a document log; damaged lines are
    skipped with a warning naming them by line number."""
    from .recover import read_log_checked

    contents = read_log_checked(path)
    if contents.damaged_lines:
        logger.warning("skipping damaged lines %s of %s", contents.damaged_lines, path)
    yield from contents.docs


class GuardedCallback:
    """Run a callback; on failure log it and stop forwarding that run instead of
    aborting acquisition (other runs open at the same time go on being forwarded). The
    document log still holds the run for :func:`recover`."""

    def __init__(self, callback: Callable[[str, dict], Any], label: str):
        self.callback = callback
        self.label = label
        self.failed_runs: list[str] = []
        self._run_of = RunOfDocument()
        self._failed: set[str | None] = set()  # open runs no longer forwarded

    def __call__(self, name: str, doc: dict) -> None:
        run = self._run_of(name, doc)
        if run not in self._failed:
            try:
                self.callback(name, doc)
            except Exception:
                self._failed.add(run)
                self.failed_runs.append(run or "?")
                logger.exception(
                    "%s failed on a %r document of run %s; acquisition goes on and the run "
                    "stays in the document log (operando recover)",
                    self.label,
                    name,
                    run,
                )
        if name == "stop":
            if run in self._failed:  # the callback never sees this stop: let it drop the run
                discard = getattr(self.callback, "discard", None)
                if discard is not None:
                    discard(run)
            self._run_of.forget(run)
            self._failed.discard(run)


def make_writer(store: Store):
    """The writer of runs into the store's catalog: column-wise, in batches of
    ``WRITER_BATCH_SIZE`` rows per stream (:class:`operando.storage.writer.ColumnWriter`, in
    TiledWriter's layout; TiledWriter unpacks every page into per-event rows, which cost
    twice the CPU on long runs). An embedded store's runs also get their streams' parquet
    copies (:mod:`operando.storage.column_copy`)."""
    from .writer import ColumnWriter

    return ColumnWriter(store.client, batch_size=WRITER_BATCH_SIZE, columns_dir=store.columns_dir)
