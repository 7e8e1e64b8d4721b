"""Running `operando` commands inside a test's process."""

from __future__ import annotations

import os


def operando_here(capsys, *argv: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of `operando ARGV` run in this process.

    A process of its own would only repeat the imports (about 4 s); tests use one where
    the process itself is what they show (a user's shell, a kill -9). A command that starts
    its own simulator or attaches to another points Channel Access at it: the environment
    is restored after, so that later tests in this process search their own beamline."""
    from operando.cli import main

    environment = dict(os.environ)
    capsys.readouterr()  # what came before is not this command's
    try:
        code = main(list(argv))
    finally:
        os.environ.clear()
        os.environ.update(environment)
    out, err = capsys.readouterr()
    return code, out, err
