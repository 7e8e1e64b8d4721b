"""What tests using caproto's sync client share."""

from __future__ import annotations

# s: each sync-client call searches afresh; on a loaded 2-core machine (pytest -n 2) give
# the IOC time (caproto's default is 1 s). A refused put still fails at once (ECA_PUTFAIL).
CA_TIMEOUT_S = 20.0


def read_again_if_unanswered(pv: str):
    """caproto's sync ``read``, asked once more if its search went unanswered: every call
    searches over UDP from a fresh socket, and on a loaded machine one search in the many
    hundreds a test makes has gone unanswered (CI, once). A read changes nothing, so asking
    again is safe; a PV that does not exist still fails, after the second search."""
    from caproto import CaprotoTimeoutError
    from caproto.sync.client import read

    try:
        return read(pv, timeout=CA_TIMEOUT_S)
    except CaprotoTimeoutError:
        return read(pv, timeout=CA_TIMEOUT_S)
