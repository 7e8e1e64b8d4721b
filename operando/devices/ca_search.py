"""Keep caproto's shared Channel Access client connecting new PVs after a failed connection.

caproto (1.3) makes the TCP circuit to a server inside the one thread of its shared client
that handles search answers (``Context._process_search_results_loop``). When that fails, the
exception ends the thread. Two ways it fails:

- the server refuses the connection: it died between its UDP answer and our TCP connect;
- the server does not send its version within ``CAPROTO_DEFAULT_TIMEOUT`` (2 s): for
  example, a just-started IOC on a loaded 2-core machine.

From then on no new PV of the process ever connects. Every later session fails to connect
even to a healthy IOC.

:func:`keep_connecting` starts a watchdog thread. When the search thread has ended, the
watchdog starts a replacement (it replaces the context's ``_process_search_results_thread``)
that reruns caproto's own loop after each failure, and searches again, after a pause, for the
PVs whose answers a failure took. It uses the context's private attributes of caproto 1.2-1.3
(checked when it starts: with other versions it logs and does nothing).
"""

from __future__ import annotations

import logging
import threading
import time

logger = logging.getLogger(__name__)

WATCH_INTERVAL_S = 0.5  # s: how often the watchdog looks at the search thread
# s: pause before searching again for PVs whose circuit failed (checked again then: a PV
# still in another thread's hands at the failure has settled), doubled after each failure up
# to the maximum, so a server that answers searches but refuses connections is not hammered.
RETRY_PAUSE_S = 0.5
MAX_RETRY_PAUSE_S = 30.0
_CONTEXT_ATTRIBUTES = (
    "_close_event", "_process_search_results_thread", "_process_search_results_loop",
    "_search_results_queue", "pvs", "pvs_needing_circuits", "pv_cache_lock", "reconnect",
)  # fmt: skip

_started = False
_start_lock = threading.Lock()


def keep_connecting() -> None:
    """Watch the search thread of caproto's shared client (ophyd's caproto layer) for the
    rest of the process, and replace it whenever it ends. Safe to call more than once."""
    global _started
    with _start_lock:
        if _started:
            return
        _started = True
        from caproto.threading.pyepics_compat import PV

        context = PV.default_context()
        missing = [a for a in _CONTEXT_ATTRIBUTES if not hasattr(context, a)]
        if missing or not hasattr(context.broadcaster, "unanswered_searches"):
            logger.warning("caproto's client lacks %s: its search thread is not watched", missing)
            return
        threading.Thread(
            target=_watch, args=(context,), daemon=True, name="ca-search-watchdog"
        ).start()


def _watch(context) -> None:
    while not context._close_event.wait(WATCH_INTERVAL_S):
        if not context._process_search_results_thread.is_alive():
            _replace_search_thread(context)


def _replace_search_thread(context) -> None:
    if context._close_event.is_set():
        return  # the context was closed: its thread ended as it should
    retry = _Retry(context)
    thread = threading.Thread(target=_answer_searches, args=(context, retry), daemon=True,
                              name="search")  # fmt: skip
    context._process_search_results_thread = thread
    thread.start()
    logger.warning("Channel Access: the search-answer thread had ended; replaced")
    retry.after_failure()  # the ended thread's lost answers


def _answer_searches(context, retry: _Retry) -> None:
    # caproto's own loop, restarted at once after each failure: other servers' answers keep
    # being handled while the failed PVs wait for their pause.
    while not context._close_event.is_set():
        try:
            context._process_search_results_loop()
        except Exception as err:
            logger.warning("Channel Access: a connection to a server failed (%s: %s)",
                           type(err).__name__, err)  # fmt: skip
            try:
                retry.after_failure()
            except Exception:
                logger.exception("Channel Access: could not schedule a new search")


class _Retry:
    """Searches again, after a pause, for the PVs a failure left without a circuit."""

    def __init__(self, context):
        self.context = context
        self.pause = RETRY_PAUSE_S
        self.last_failure = 0.0
        self.pending: set[tuple[str, int]] = set()  # keys whose new search is scheduled
        self.lock = threading.Lock()

    def after_failure(self) -> None:
        now = time.monotonic()
        with self.lock:
            if now - self.last_failure > 2 * MAX_RETRY_PAUSE_S:
                self.pause = RETRY_PAUSE_S  # an isolated failure: no back-off
            self.last_failure = now
            keys = [k for k in _stranded(self.context) if k not in self.pending]
            if not keys:
                return
            self.pending.update(keys)
            pause, self.pause = self.pause, min(2 * self.pause, MAX_RETRY_PAUSE_S)
        logger.warning("Channel Access: searching again in %.1f s for %d PVs", pause, len(keys))
        timer = threading.Timer(pause, self._search_again, args=(keys,))
        timer.daemon = True
        timer.start()

    def _search_again(self, keys: list[tuple[str, int]]) -> None:
        try:
            # Only those still stranded now: a PV another thread was handling at the failure
            # (being searched, answered or disconnected) has settled by now, and searching
            # again for a PV that has a channel would give it a second one.
            still = set(_stranded(self.context))
            again = [k for k in keys if k in still]
            if again and not self.context._close_event.is_set():
                self.context.reconnect(again)
        finally:
            with self.lock:
                self.pending.difference_update(keys)


def _stranded(context) -> list[tuple[str, int]]:
    """Keys (name, priority) of PVs that are neither connected, nor given a live circuit,
    nor searched for, nor answered in the queue: a failed connection took their answer."""
    broadcaster = context.broadcaster
    with broadcaster._search_lock:
        searching = {item[0] for item in broadcaster.unanswered_searches.values()}
    queue = context._search_results_queue
    with queue.mutex:
        answered = {name for _, names in queue.queue for name in names}
    stranded = []
    with context.pv_cache_lock:
        waiting = {pv for pvs in context.pvs_needing_circuits.values() for pv in pvs}
        for key, pv in list(context.pvs.items()):
            name = key[0]
            if pv.connected or name in searching or (name in answered and pv in waiting):
                continue
            circuit = pv.circuit_manager
            if circuit is None or circuit.dead.is_set() or not pv.circuit_ready.is_set():
                stranded.append(key)
    return stranded
