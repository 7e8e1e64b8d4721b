"""``operando serve``: the shared store (tiled over PostgreSQL or a directory), API key only."""

from __future__ import annotations

import argparse


def register(sub) -> None:
    p = sub.add_parser(
        "serve",
        help="serve a store to other machines (tiled; API key from $OPERANDO_API_KEY or the "
        "configuration file; loopback unless --public)",
    )
    p.add_argument(
        "--catalog",
        help="postgresql://USER:PASSWORD@HOST:PORT/DB (catalog and tables in PostgreSQL) "
        "or a data directory (SQLite catalog, the embedded store's layout); default "
        "$OPERANDO_CATALOG (keeps a password out of the process list)",
    )
    p.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    p.add_argument(
        "--public",
        action="store_true",
        help="listen on every interface (default: 127.0.0.1 only); the key is still required",
    )
    p.add_argument(
        "--arrays",
        help="directory for arrays with a PostgreSQL catalog (default ./served-arrays)",
    )
    p.add_argument("--ready-file", help=argparse.SUPPRESS)  # written once listening (tests)
    p.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    from ..errors import BadRequest
    from ..storage.credentials import api_key
    from ..storage.server import check_api_key, serve

    if not 1 <= args.port <= 65535:
        raise BadRequest(f"--port {args.port}: a TCP port is 1..65535")
    import os

    catalog = args.catalog or os.environ.get("OPERANDO_CATALOG")
    if not catalog:
        raise BadRequest("no catalog: give --catalog (or set $OPERANDO_CATALOG)")
    key = check_api_key(api_key())
    try:
        serve(
            catalog, api_key=key, port=args.port, public=args.public,
            arrays_dir=args.arrays, ready_file=args.ready_file,
        )  # fmt: skip
    except KeyboardInterrupt:
        pass
    return 0
