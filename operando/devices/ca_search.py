"""Keep caproto's shared Channel Access client connecting new PVs after a failed connection.

caproto (1.3) makes the TCP circuit to a server inside the one thread of its shared client
that handles search answers (``Context._process_search_results_loop``). When that fails, the
exception ends the thread. Two ways it fails:

- the server refuses the connection: it died between its UDP answer and our TCP connect;
- the server does not send its version within ``CAPROTO_DEFAULT_TIMEOUT`` (2 s): for
  example, a just-started IOC on a loaded 2-core machine.

From then on no new PV of the process ever connects. Every later session fails to connect
even to a healthy IOC. In CI this once failed four tests of one pytest worker, after the
worker had passed a hundred.

:func:`keep_connecting` starts a watchdog thread. When the search thread has ended, the
watchdog starts a replacement that survives such failures. The replacement asks again for the
PVs whose answers were lost: a refused server is then searched for again, and a slow one
gets a second chance. Nothing in caproto is replaced; the watchdog only uses the context's
own queue, loop and ``reconnect``.
"""

from __future__ import annotations

import logging
import threading
import time

logger = logging.getLogger(__name__)

# s: how often the watchdog looks at the search thread (a failed connection costs a session
# at most this much extra wait).
WATCH_INTERVAL_S = 0.5
# s: pause before asking again for PVs whose circuit failed, doubled after each failure up
# to the maximum, so a server that answers searches but refuses connections is not hammered.
RETRY_PAUSE_S = 0.5
MAX_RETRY_PAUSE_S = 30.0

_started = False
_start_lock = threading.Lock()


def keep_connecting() -> None:
    """Watch the search thread of caproto's shared client (ophyd's caproto layer) for the
    rest of the process, and replace it if it ends. Safe to call more than once."""
    global _started
    with _start_lock:
        if _started:
            return
        from caproto.threading.pyepics_compat import PV

        context = PV.default_context()
        threading.Thread(
            target=_watch, args=(context,), daemon=True, name="ca-search-watchdog"
        ).start()
        _started = True


def _watch(context) -> None:
    while not context._close_event.is_set():
        if not context._process_search_results_thread.is_alive():
            replace_search_thread(context)
            return  # the replacement does not end on a failed connection
        time.sleep(WATCH_INTERVAL_S)


def replace_search_thread(context) -> threading.Thread:
    """Start a search-answer thread for ``context`` that survives failed connections, after
    asking again for the PVs the ended thread had taken answers for but not connected."""
    search_again(context, stranded_pvs(context))
    thread = threading.Thread(target=_answer_searches, args=(context,), daemon=True, name="search")
    context._process_search_results_thread = thread
    thread.start()
    return thread


def _answer_searches(context) -> None:
    # caproto's own loop, restarted at once after each failure (other servers' answers keep
    # being handled); the failed PVs are searched for again after a pause. Only this thread
    # takes answers from the queue, so between two runs of the loop no answer is half handled.
    pause, last_failure = RETRY_PAUSE_S, 0.0
    pending: set[tuple[str, int]] = set()  # stranded keys whose new search is scheduled
    while not context._close_event.is_set():
        try:
            context._process_search_results_loop()
        except Exception as err:
            if time.monotonic() - last_failure > 2 * MAX_RETRY_PAUSE_S:
                pause = RETRY_PAUSE_S  # an isolated failure: no back-off
            last_failure = time.monotonic()
            keys = [key for key in stranded_pvs(context) if key not in pending]
            logger.warning(
                "Channel Access: a connection to a server failed (%s: %s); "
                "searching again in %.1f s for the %d PVs it was to serve",
                type(err).__name__,
                err,
                pause,
                len(keys),
            )
            pending.update(keys)

            def later(keys=keys):
                pending.difference_update(keys)
                search_again(context, keys)

            timer = threading.Timer(pause, later)
            timer.daemon = True
            timer.start()
            pause = min(2 * pause, MAX_RETRY_PAUSE_S)


def stranded_pvs(context) -> list[tuple[str, int]]:
    """Keys (name, priority) of PVs that are neither connected, nor connecting on a live
    circuit, nor searched for, nor answered in the queue: a failed attempt took their answer.

    Call it only while no thread takes answers from the queue."""
    broadcaster = context.broadcaster
    with broadcaster._search_lock:
        searching = {item[0] for item in broadcaster.unanswered_searches.values()}
    queue = context._search_results_queue
    with queue.mutex:
        answered = {name for _, names in queue.queue for name in names}
    stranded = []
    with context.pv_cache_lock:
        for key, pv in list(context.pvs.items()):
            if pv.connected or key[0] in searching or key[0] in answered:
                continue
            circuit = pv.circuit_manager
            if circuit is None or circuit.dead.is_set():
                stranded.append(key)
    return stranded


def search_again(context, keys: list[tuple[str, int]]) -> None:
    if keys:
        logger.warning("Channel Access: searching again for %d PVs", len(keys))
        context.reconnect(keys)
