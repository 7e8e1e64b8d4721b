"""The served store: tiled's HTTP server over a PostgreSQL (or SQLite) catalog, API key only.

``operando serve`` builds the same tiled app as the embedded store (BlueskyRun json-seq
exporter registered, so ``replay`` works against it) with a single-user API key and no
anonymous access, and runs it with uvicorn on loopback unless told otherwise. Files it
creates (SQLite catalog, tables, arrays) are readable by their owner only.

Catalogs:
- ``postgresql://user:password@host:port/db``: the catalog and the event tables live in
  PostgreSQL; arrays in files under ``arrays_dir``.
- a directory: the embedded store's layout (``catalog.db``, ``tables.sqlite``, ``data/``), so
  a directory acquired on one machine can be served as is.
"""

from __future__ import annotations

import logging
import os
import pathlib
import re

from ..errors import BadRequest, StorageError

API_KEY_PATTERN = re.compile(r"[A-Za-z0-9]{16,}")
POSTGRES_SCHEMES = ("postgresql://", "postgres://", "postgresql+asyncpg://")


def check_api_key(key: str | None, where: str = "OPERANDO_API_KEY") -> str:
    """The key if it is acceptable (letters and digits, 16 or more); refuse otherwise.

    The message never repeats the key.
    """
    if not key:
        raise BadRequest(
            f"no API key: set {where} (or [store] api_key in the configuration file); "
            "a served store is never open to anonymous clients"
        )
    if not API_KEY_PATTERN.fullmatch(key):
        raise BadRequest(
            f"the API key from {where} is not allowed: it must be 16 or more letters and digits"
        )
    return key


def describe_catalog(catalog: str) -> str:
    """The catalog for a log line, with any password removed."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", catalog)


def build_served_app(catalog: str, api_key: str, arrays_dir: str | os.PathLike | None = None):
    """A tiled app over the catalog that answers only requests with the API key.

    catalog : a PostgreSQL URI, or a directory (an embedded-layout store).
    arrays_dir : where arrays are written for a PostgreSQL catalog (default
        ``./served-arrays``); ignored for a directory (its ``data/``).
    """
    from bluesky_tiled_plugins.exporters import json_seq_exporter
    from tiled.catalog import from_uri as catalog_from_uri
    from tiled.config import Authentication
    from tiled.media_type_registration import default_serialization_registry
    from tiled.server.app import build_app

    from . import _init_catalog
    from .catalog import check_catalog, relocate

    os.umask(0o077)  # everything this server creates: owner-only
    if catalog.startswith(POSTGRES_SCHEMES):
        plain = catalog.replace("postgresql+asyncpg://", "postgresql://", 1)
        plain = plain.replace("postgres://", "postgresql://", 1)
        arrays = pathlib.Path(arrays_dir or "served-arrays").expanduser().resolve()
        arrays.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            initialized = _init_catalog(plain)
        except OSError as exc:
            raise StorageError(
                f"the catalog {describe_catalog(catalog)} does not answer: {exc}"
            ) from None
        writable = [str(arrays), plain]
        uri = plain
    else:
        data_dir = pathlib.Path(catalog).expanduser().resolve()
        if data_dir.exists() and not data_dir.is_dir():
            raise BadRequest(f"--catalog {data_dir} is a file; name a directory or a URI")
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        check_catalog(data_dir)
        (data_dir / "data").mkdir(exist_ok=True)
        uri = f"sqlite:///{data_dir / 'catalog.db'}"
        initialized = _init_catalog(uri)
        relocate(data_dir)
        writable = [str(data_dir / "data"), f"sqlite:///{data_dir / 'tables.sqlite'}"]
    tree = catalog_from_uri(
        uri,
        writable_storage=writable,
        init_if_not_exists=not initialized,
        specs=[{"name": "CatalogOfBlueskyRuns", "version": "3.0"}],
    )
    registry = default_serialization_registry  # as the embedded store: tiled's own + json-seq
    registry.register("BlueskyRun", "application/json-seq", json_seq_exporter)
    auth = Authentication(allow_anonymous_access=False, single_user_api_key=api_key)
    return build_app(tree, auth, serialization_registry=registry)


def serve(
    catalog: str,
    *,
    api_key: str,
    port: int = 8000,
    public: bool = False,
    arrays_dir: str | None = None,
    ready_file: str | None = None,
) -> None:
    """Run the served store until interrupted (SIGINT/SIGTERM).

    Binds 127.0.0.1 unless public (all interfaces). No access log: request lines are noise
    at acquisition rates, and the key never appears in them or anywhere else we print.
    """
    import uvicorn

    app = build_served_app(catalog, check_api_key(api_key), arrays_dir)
    host = "0.0.0.0" if public else "127.0.0.1"
    logging.getLogger("tiled.server.app").setLevel(logging.WARNING)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    if ready_file:
        _announce_when_started(server, ready_file, host, port)
    print(
        f"operando serve: the store {describe_catalog(catalog)} on http://{host}:{port} "
        "(API key required)",
        flush=True,
    )
    server.run()


def _announce_when_started(server, ready_file: str, host: str, port: int) -> None:
    """Write ready_file once uvicorn listens (tests and scripts wait on it)."""
    import threading
    import time

    def watch() -> None:
        while not server.started:
            time.sleep(0.05)
        pathlib.Path(ready_file).write_text(f"http://{host}:{port}\n")

    threading.Thread(target=watch, daemon=True).start()
