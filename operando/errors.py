"""The exceptions operando raises; the command line maps them to one-line messages."""


class OperandoError(Exception):
    """Base of every error operando raises on purpose."""


class BadRequest(OperandoError, ValueError):
    """Bad input (a parameter, an option, a path): the CLI prints one line and exits 2."""


class InstrumentRefused(OperandoError):
    """An instrument refused a setting or stopped answering."""


class StorageError(OperandoError):
    """The run store cannot be opened, read or written as asked."""


class NotFound(OperandoError, KeyError):
    """A run, log or record that was asked for does not exist."""
