"""``operando shell``: IPython with RE, db, the devices and the plans loaded."""

from __future__ import annotations

import argparse


def cmd_shell(args: argparse.Namespace) -> int:
    from ..shell import run_ipython

    return run_ipython(args.config)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("shell", help="IPython with RE, db, the devices and the plans loaded")
    p.add_argument("--config", help="TOML configuration (default: $OPERANDO_CONFIG or "
                   "./operando.toml, else a simulated beamline with data in ./data)")  # fmt: skip
    p.set_defaults(func=cmd_shell)
