"""The embedded catalog: find runs, detect damage, relocate, rebuild from document logs.

The embedded store is a directory: ``catalog.db`` (tiled's SQL catalog), ``tables.sqlite``
(event tables), ``data/`` (arrays), ``columns/`` (parquet copies of finished streams,
:mod:`operando.storage.column_copy`) and ``document-log/`` (every document of every run, the
record of last resort). tiled writes absolute locations of the tables and arrays into the
catalog; :func:`relocate` rewrites them when the directory was copied or moved, so a store
opens wherever it lies. A damaged catalog is reported, never re-created over the data;
:func:`rebuild` sets the damaged files aside and re-ingests every document log.
"""

from __future__ import annotations

import json
import pathlib
import sqlite3
import time

from ..errors import BadRequest, NotFound, StorageError
from .column_copy import COLUMNS

CATALOG = "catalog.db"
TABLES = "tables.sqlite"
DATA = "data"
LOCATION = "store-location.json"  # where the store was when its catalog was last written
SQLITE_HEADER = b"SQLite format 3\x00"


def find_run(client, uid_or_index: str | int):
    """A run by uid, a unique prefix of its uid, or position (-1 is the latest)."""
    if isinstance(uid_or_index, int) or str(uid_or_index).lstrip("-").isdigit():
        index = int(uid_or_index)
        if isinstance(uid_or_index, int) or len(str(uid_or_index)) < 5:
            return client[index]
    uid = str(uid_or_index)
    if len(uid) < 5:
        raise BadRequest(f"a run uid prefix needs 5 characters or more, got {uid!r}")
    try:
        return client[uid]
    except KeyError:
        pass
    matches = [key for key in client.keys() if key.startswith(uid)]
    if not matches:
        raise NotFound(f"no run whose uid begins with {uid!r}")
    if len(matches) > 1:
        raise BadRequest(f"{len(matches)} runs begin with {uid!r}: {matches[:5]}; give more")
    return client[matches[0]]


def check_catalog(data_dir: pathlib.Path) -> None:
    """Refuse a catalog file that is not a SQLite database (0 bytes, garbage)."""
    path = data_dir / CATALOG
    if not path.exists():
        if (data_dir / TABLES).exists():
            raise StorageError(
                f"{path} is missing but {data_dir} holds runs; rebuild it from the document "
                f"logs with `operando recover --data {data_dir} --rebuild-catalog`"
            )
        return
    with open(path, "rb") as f:
        header = f.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        what = "empty (0 bytes)" if path.stat().st_size == 0 else "not a SQLite database"
        raise StorageError(
            f"the catalog {path} is {what}; the runs are safe in {data_dir / 'document-log'}: "
            f"rebuild the catalog with `operando recover --data {data_dir} --rebuild-catalog`"
        )


def relocate(data_dir: pathlib.Path) -> None:
    """Rewrite the catalog's absolute locations if the store was copied or moved here."""
    marker = data_dir / LOCATION
    here = str(data_dir)
    catalog = data_dir / CATALOG
    old = json.loads(marker.read_text())["path"] if marker.exists() else None
    if old is not None and old != here and catalog.exists():
        with sqlite3.connect(catalog) as db:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "assets" in tables:
                # tiled writes sqlite://localhost//ABS and file://localhost/ABS: replace the
                # directory part only.
                db.execute(
                    "UPDATE assets SET data_uri = replace(data_uri, ?, ?)",
                    (old + "/", here + "/"),
                )
    if old != here:
        marker.write_text(json.dumps({"path": here}))


def rebuild(data_dir: pathlib.Path) -> pathlib.Path:
    """Set the catalog, tables, arrays and column copies aside (nothing is deleted) and
    return where.

    The caller then opens a fresh store and recovers every document log into it.
    """
    aside = data_dir / f"set-aside-{time.strftime('%Y%m%dT%H%M%S')}"
    aside.mkdir()
    for name in (CATALOG, TABLES, DATA, COLUMNS, LOCATION):
        if (data_dir / name).exists():
            (data_dir / name).rename(aside / name)
    _forget_engines(data_dir)
    return aside


def _forget_engines(data_dir: pathlib.Path) -> None:
    """Drop tiled's pooled database engines of this store (they hold the old files open),
    so that a store re-opened in this process gets the new catalog."""
    try:
        from tiled.server import connection_pool
    except ImportError:
        return
    pools = getattr(connection_pool, "_connection_pools", {})
    for key in list(pools):
        if str(data_dir) in str(getattr(key, "uri", key)):
            pools.pop(key, None)
