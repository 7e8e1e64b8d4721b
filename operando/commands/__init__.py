"""Sub-commands of ``operando``: each module parses its arguments and prints its results.

A module here defines ``register(sub)``, which adds its parsers to the top-level
sub-parsers (``operando <name> ...``), and/or ``register_run(protocols)``, which adds
protocols to ``operando run <protocol> ...``. Handlers call ``operando.studies`` (the work)
and print; they never acquire or analyse themselves. ``operando.cli`` lists the modules.
"""
