"""Recover runs from document logs into a store; rebuild a damaged catalog."""

from __future__ import annotations

import pathlib

from ..errors import BadRequest
from ..storage import open_store
from ..storage.recover import RecoveryResult, recover


def recover_logs(
    data: str, logs: list[str] | None = None, *, rebuild_catalog: bool = False
) -> tuple[list[RecoveryResult], pathlib.Path | None]:
    """Recover the named logs (default: every log of the store) into the store at data.

    With rebuild_catalog, the catalog, tables and arrays of an embedded store are first set
    aside (returned as the second item; nothing is deleted) and every log is re-ingested.
    A served store (``http(s)://``) has no local logs: name them.
    """
    aside = None
    if rebuild_catalog:
        if str(data).startswith(("http://", "https://")):
            raise BadRequest("--rebuild-catalog applies to a data directory, not a served store")
        from ..storage.catalog import rebuild

        aside = rebuild(pathlib.Path(data).expanduser().resolve())
    store = open_store(data)
    if logs:
        paths = [pathlib.Path(p) for p in logs]
    elif store.log_dir is None:
        raise BadRequest(
            "a served store has no local document logs: name the log files to recover "
            "(operando recover --data URL LOG ...)"
        )
    else:
        paths = sorted(store.log_dir.glob("*.jsonl"))
    for path in paths:
        if not path.is_file():
            raise BadRequest(f"{path}: no such document log")
    return [recover(store, path) for path in paths], aside
