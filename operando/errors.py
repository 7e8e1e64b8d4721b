"""What can go wrong that a user should be told in one line (the CLI exits 2, the shell
prints ``refused: ...``). Anything else is a bug and keeps its traceback."""

from __future__ import annotations


class OperandoError(Exception):
    """Base of the errors a user is told about in one line."""


class BadRequest(OperandoError, ValueError):
    """The request is not valid (a parameter out of range, an unknown name); nothing moved."""


class InstrumentRefused(OperandoError):
    """An instrument refused a setting; its reason (``LastError``) is the message."""


class StorageError(OperandoError):
    """The store cannot be opened, read or written (a damaged catalog, a server down)."""


class NotFound(OperandoError, KeyError):
    """No run (or other named thing) of that name or uid prefix."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0]) if self.args else ""
