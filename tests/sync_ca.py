"""What tests using caproto's sync client share."""

from __future__ import annotations

# s: each sync-client call searches afresh; on a loaded 2-core machine (pytest -n 3) give
# the IOC time (caproto's default is 1 s). A refused put still fails at once (ECA_PUTFAIL).
CA_TIMEOUT_S = 20.0


def again_if_search_unanswered(call, pv: str, *args, **kwargs):
    """caproto's sync ``read`` or ``write`` of ``pv``, made once more if its UDP search went
    unanswered (nothing was sent to the PV then, so a write is not repeated). Each call
    searches from a fresh socket; such a search went unanswered in CI when the kernel gave
    the socket a server's port (launch.free_port now keeps servers off the ports sockets are
    given). A PV that does not exist still fails, after the second search."""
    from caproto import CaprotoTimeoutError

    kwargs.setdefault("timeout", CA_TIMEOUT_S)
    try:
        return call(pv, *args, **kwargs)
    except CaprotoTimeoutError as err:
        if "from the search for" not in str(err):
            raise
        return call(pv, *args, **kwargs)


def read_again_if_unanswered(pv: str):
    """caproto's sync ``read`` (see :func:`again_if_search_unanswered`)."""
    from caproto.sync.client import read

    return again_if_search_unanswered(read, pv)
