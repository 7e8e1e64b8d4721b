"""Where a served store's API key and a client's local document logs come from.

The key is read from ``$OPERANDO_API_KEY``, else from ``[store] api_key`` of the
configuration file (``$OPERANDO_CONFIG`` or ``./operando.toml``), on servers and clients
alike. It is never printed, logged or put in a URL. A configuration file holding a key must
be readable by its owner only.

A client of a served store keeps its document logs locally (the record of last resort, from
which ``operando recover --data URL`` re-ingests): ``$OPERANDO_LOG_DIR``, else ``[store]
log_dir``, else ``~/.operando/document-log``; one sub-directory per server.
"""

from __future__ import annotations

import os
import pathlib
import re
import tomllib
from typing import Any

from ..errors import BadRequest

ENV_KEY = "OPERANDO_API_KEY"
ENV_LOG_DIR = "OPERANDO_LOG_DIR"


def _config_store_section() -> tuple[dict[str, Any], pathlib.Path | None]:
    return _config_section_and_path("store")


def _config_section(section: str) -> dict[str, Any]:
    """A section of the configuration file ({} if there is none)."""
    return _config_section_and_path(section)[0]


def _config_section_and_path(section: str) -> tuple[dict[str, Any], pathlib.Path | None]:
    path = os.environ.get("OPERANDO_CONFIG") or (
        "operando.toml" if pathlib.Path("operando.toml").is_file() else None
    )
    if not path:
        return {}, None
    p = pathlib.Path(path).expanduser()
    try:
        with p.open("rb") as f:
            return dict(tomllib.load(f).get(section, {})), p
    except (OSError, tomllib.TOMLDecodeError):
        return {}, p  # the shell reports a bad file; the key is simply not there


def api_key() -> str | None:
    """The API key from the environment or the configuration file (None if neither)."""
    key = os.environ.get(ENV_KEY)
    if key:
        return key
    store, path = _config_store_section()
    key = store.get("api_key")
    if key and path is not None and path.stat().st_mode & 0o077:
        raise BadRequest(f"{path} holds an API key but others can read it: chmod 600 {path}")
    return str(key) if key else None


def log_root() -> pathlib.Path:
    """Where a client's document logs of served stores go (see the module docstring)."""
    env = os.environ.get(ENV_LOG_DIR)
    if env:
        return pathlib.Path(env).expanduser()
    store, _ = _config_store_section()
    if store.get("log_dir"):
        return pathlib.Path(str(store["log_dir"])).expanduser()
    return pathlib.Path.home() / ".operando" / "document-log"


def log_dir_for(uri: str) -> pathlib.Path:
    """This client's document-log directory for runs sent to the server at uri."""
    where = re.sub(r"^https?://", "", uri).split("/")[0].split("?")[0]
    return log_root() / re.sub(r"[^A-Za-z0-9._-]", "_", where)
