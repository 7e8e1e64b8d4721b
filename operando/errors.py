"""Exceptions of operando: what went wrong, in terms the operator can act on."""


class OperandoError(Exception):
    """Base of every operando error."""


class BadRequest(OperandoError, ValueError):
    """Bad input: the CLI prints one line and exits 2."""


class InstrumentRefused(OperandoError):
    """An instrument refused a request (reported through its LastError PV)."""


class StorageError(OperandoError):
    """The data store failed."""


class NotFound(OperandoError, KeyError):
    """A named thing (run, material, edge) does not exist."""
