"""The ``operando`` command: parse the arguments, dispatch to a sub-command, report errors.

    operando sim [--prefix P] [--port N] [--time-scale K]
    operando run cycle|dems|xas|rixs ... --data DIR [--json]
    operando replay UID --data DIR [--json]
    operando report UID [UID ...] --data DIR --out DIR
    operando recover --data DIR [LOG ...] | attach --data DIR
    operando shell [--config FILE]
    operando demo --out DIR

Each sub-command lives in a module of :mod:`operando.commands` (its parser and how it
prints); the work is done in :mod:`operando.studies`. A refused request
(:class:`~operando.errors.OperandoError`: bad input, an instrument refusing, storage,
not found) prints one line and exits 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from .errors import OperandoError


def _command_modules() -> list:
    """The sub-command modules of ``operando.commands`` (each adds its own parsers)."""
    from . import commands

    return [
        importlib.import_module(f"{commands.__name__}.{info.name}")
        for info in pkgutil.iter_modules(commands.__path__)
    ]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="operando", description="Operando battery experiments")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a protocol")
    protocols = run.add_subparsers(dest="protocol", required=True)
    for module in _command_modules():
        if hasattr(module, "register"):
            module.register(sub)
        if hasattr(module, "register_run"):
            module.register_run(protocols)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .validation import check_args, lost_instrument_message

    try:
        check_args(args)  # before any process starts or any file is written
        return args.func(args)
    except OperandoError as exc:
        print(f"operando: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        # An instrument that stopped answering mid-run: one line, with what was stored.
        message = lost_instrument_message(exc, getattr(args, "data", None))
        if message is None:
            raise  # a bug: keep its traceback
        print(f"operando: error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
