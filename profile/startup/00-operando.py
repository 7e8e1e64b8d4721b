"""The operando session (RE, db, devices, plans) for IPython and bluesky-queueserver.

    ipython --profile-dir=profile                                  # from the repository
    start-re-manager --startup-dir profile/startup --keep-re       # the queueserver worker

Configured by operando.toml (or $OPERANDO_CONFIG); see operando/shell.py.
"""

from operando.shell import start

globals().update(start())
print(banner)  # noqa: F821 - defined by start()
