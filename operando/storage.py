"""Storage: an embedded tiled server, the TiledWriter, a local document log, and replay.

Every document the RunEngine emits is first appended to a local, line-buffered JSON
document log (one file per run) and only then handed to tiled's TiledWriter. If the tiled
write fails (storage outage, full disk on the server), acquisition goes on and the run can
be re-ingested later from its log with :func:`recover`.

The default store is embedded: a tiled app built in this process over a SQLite catalog and
a data directory, with the BlueskyRun json-seq exporter registered so that
``run.documents()`` replays. :func:`open_store` also accepts the URI of a standalone
``tiled serve`` (PostgreSQL catalog, API key) for labs that outgrow one machine.
"""

from __future__ import annotations

import json
import logging
import pathlib
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import NotFound

logger = logging.getLogger(__name__)

LOG_DIRNAME = "document-log"
WRITER_BATCH_SIZE = 2000  # rows per table write; the document log covers what is not yet flushed


@dataclass
class Store:
    """A tiled client over the operando catalog, plus where its local document logs live."""

    client: Any
    data_dir: pathlib.Path | None

    @property
    def log_dir(self) -> pathlib.Path | None:
        return None if self.data_dir is None else self.data_dir / LOG_DIRNAME

    def run(self, uid_or_index: str | int):
        """A stored run by uid, by a unique uid prefix (5 characters or more), or by
        position (-1 is the latest run)."""
        try:
            return self.client[uid_or_index]
        except (KeyError, IndexError):
            where = self.data_dir or "the store"
            raise NotFound(f"no run {uid_or_index!r} in {where}") from None


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

    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "data").mkdir(exist_ok=True)
    uri = f"sqlite:///{data_dir / 'catalog.db'}"
    initialized = _init_catalog(uri)
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

    from tiled.client import Context, from_context, from_uri

    text = str(data)
    if text.startswith(("http://", "https://")):
        return Store(client=from_uri(text, api_key=api_key), data_dir=None)
    data_dir = pathlib.Path(text).expanduser().resolve()
    app = _build_embedded_app(data_dir)
    # The embedded server's start-up banner ("Tiled version ...") is noise in a command
    # (tiled sets this logger to INFO when its app module is imported, just above).
    logging.getLogger("tiled.server.app").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        # tiled's in-process client goes through starlette's test client; its deprecation
        # warning is about tiled's internals, not something a user can act on.
        warnings.filterwarnings("ignore", message=".*starlette.testclient.*")
        context = Context.from_app(app)
    return Store(client=from_context(context), data_dir=data_dir)


class DocumentLog:
    """Append every document of each run to ``<log_dir>/<start uid>.jsonl`` before storage.

    Each line is ``{"name": ..., "doc": ...}``, flushed to the operating system as it is
    written (a crash of this process loses nothing) and fsynced at the end of the run.
    """

    def __init__(self, log_dir: pathlib.Path):
        self.log_dir = pathlib.Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._file = None
        self.path: pathlib.Path | None = None

    def __call__(self, name: str, doc: dict) -> None:
        if name == "start":
            self._close()
            self.path = self.log_dir / f"{doc['uid']}.jsonl"
            self._file = open(self.path, "a", buffering=1, encoding="utf-8")
        if self._file is None:
            return
        self._file.write(json.dumps({"name": name, "doc": doc}, default=_to_json) + "\n")
        if name == "stop":
            self._close()

    def _close(self) -> None:
        if self._file is not None:
            import os

            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._file = None


def _to_json(obj: Any) -> Any:
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"cannot write {type(obj).__name__} to the document log")


def read_log(path: str | pathlib.Path) -> Iterator[tuple[str, dict]]:
    """Yield ``(name, doc)`` pairs from a document log; a torn last line is skipped."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                logger.warning("skipping an incomplete line at the end of %s", path)
                continue
            yield item["name"], item["doc"]


class GuardedCallback:
    """Run a callback; on failure log it and stop forwarding that run instead of
    aborting acquisition. The document log still holds the run for :func:`recover`."""

    def __init__(self, callback: Callable[[str, dict], Any], label: str):
        self.callback = callback
        self.label = label
        self.failed_runs: list[str] = []
        self._failed = False
        self._uid: str | None = None

    def __call__(self, name: str, doc: dict) -> None:
        if name == "start":
            self._failed = False
            self._uid = doc["uid"]
        if self._failed:
            return
        try:
            self.callback(name, doc)
        except Exception:
            self._failed = True
            self.failed_runs.append(self._uid or "?")
            logger.exception(
                "%s failed on a %r document of run %s; acquisition goes on and the run "
                "stays in the document log (operando recover)",
                self.label,
                name,
                self._uid,
            )


class BackgroundWriter:
    """Run a slow callback (storage) in a worker thread, so acquisition does not wait on it.

    Documents are handed over in order through a queue. At each run's stop document the
    caller waits until everything of the run has been written, so a run is complete in
    storage when the RunEngine returns. Wrap a :class:`GuardedCallback`: an exception in
    the worker would otherwise only be logged.
    """

    def __init__(self, callback: Callable[[str, dict], Any], name: str = "storage-writer"):
        self.callback = callback
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._work, daemon=True, name=name)
        self._thread.start()

    def __call__(self, name: str, doc: dict) -> None:
        self._queue.put((name, doc))
        if name == "stop":
            self._queue.join()

    def _work(self) -> None:
        while True:
            name, doc = self._queue.get()
            try:
                self.callback(name, doc)
            except Exception:
                logger.exception("storage callback failed on a %r document", name)
            finally:
                self._queue.task_done()


def make_writer(store: Store):
    """A TiledWriter into the store's catalog.

    Without the normaliser: it exists to upgrade documents of older schemas, and it
    re-validates every Event of every page against the JSON schema, which costs more than
    acquiring the point. Documents from this RunEngine are current and already validated.
    """
    from bluesky_tiled_plugins import TiledWriter

    return TiledWriter(store.client, normalizer=None, batch_size=WRITER_BATCH_SIZE)


def recover(store: Store, log_path: str | pathlib.Path) -> str:
    """Re-ingest one document log into the store; returns the run uid.

    A run that is already complete in the store is left as it is.
    """
    docs = list(read_log(log_path))
    if not docs or docs[0][0] != "start":
        raise ValueError(f"{log_path} does not begin with a start document")
    uid = docs[0][1]["uid"]
    if uid in store.client:
        if store.client[uid].metadata.get("stop"):
            return uid
        raise RuntimeError(
            f"run {uid} is partly stored; delete it from the catalog "
            f"(client.delete_contents({uid!r}, recursive=True, external_only=False)) "
            "before recovering it from the log"
        )
    writer = make_writer(store)
    for name, doc in docs:
        writer(name, doc)
    return uid


def replay(run, callbacks: Iterable[Callable[[str, dict], Any]]) -> None:
    """Push a stored run's documents through callbacks, in the order they were emitted."""
    callbacks = list(callbacks)
    for name, doc in run.documents():
        for cb in callbacks:
            cb(name, doc)
