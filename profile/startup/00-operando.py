"""The operando session (RE, db, devices, plans) for IPython and bluesky-queueserver.

    ipython --profile-dir=profile                                  # from the repository
    start-re-manager --startup-dir profile/startup --keep-re       # the queueserver worker

Configured by operando.toml (or $OPERANDO_CONFIG); see operando/shell.py.
"""

from operando.shell import show_refusals_briefly, start

globals().update(start())
print(banner)  # noqa: F821 - defined by start()
try:
    show_refusals_briefly(get_ipython())  # noqa: F821 - defined in IPython only
except (NameError, AttributeError):
    pass  # not IPython (the queueserver worker has a stand-in): nothing to show
