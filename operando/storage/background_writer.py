"""Storage writes in a thread of their own, beside acquisition rather than in its way."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

# Documents waiting for storage before acquisition waits for it (bounds the memory of a
# backlog when acquisition outpaces the store), and the longest it waits (s): a store that
# hangs must not stop acquisition, whose documents are in the document log already.
WRITER_BACKLOG_DOCS = 8  # measured: 64 let RSS grow 190 MB per 1M points, 8 about 7
WRITER_BACKLOG_WAIT_S = 5.0


class BackgroundWriter:
    """Run a slow callback (storage) in a worker thread, so acquisition does not wait on it.

    Documents are handed over in order through a queue. At each run's stop document the
    caller waits until everything of the run has been written, so a run is complete in
    storage when the RunEngine returns. While ``backlog`` documents wait, the caller waits
    (at most ``backlog_wait_s``) for the worker to take one: memory stays bounded when
    acquisition is faster than storage. A store that takes nothing for backlog_wait_s is
    not waited for again until it takes a document: it delays acquisition once, never
    stops it. Wrap a :class:`GuardedCallback`: an exception in the worker would otherwise
    only be logged.
    """

    def __init__(self, callback: Callable[[str, dict], Any], name: str = "storage-writer",
                 backlog: int = WRITER_BACKLOG_DOCS,
                 backlog_wait_s: float = WRITER_BACKLOG_WAIT_S):  # fmt: skip
        if backlog < 1 or not backlog_wait_s >= 0:
            raise ValueError(f"backlog must be >= 1 and backlog_wait_s >= 0, got "
                             f"{backlog!r}, {backlog_wait_s!r}")  # fmt: skip
        self.callback = callback
        self.backlog, self.backlog_wait_s = backlog, backlog_wait_s
        self._queue: queue.Queue = queue.Queue()
        self._taken = threading.Condition()
        self._stalled = False
        self._thread = threading.Thread(target=self._work, daemon=True, name=name)
        self._thread.start()

    def __call__(self, name: str, doc: dict) -> None:
        if self._queue.qsize() >= self.backlog and not self._stalled:
            with self._taken:
                room = self._taken.wait_for(
                    lambda: self._queue.qsize() < self.backlog, timeout=self.backlog_wait_s
                )
                # A store that took nothing in backlog_wait_s is stalled: acquisition no
                # longer waits for it until it takes a document again.
                self._stalled = not room
        self._queue.put((name, doc))
        if name == "stop":
            self._queue.join()

    def close(self, timeout: float = WRITER_BACKLOG_WAIT_S) -> bool:
        """Write what is queued, then end the worker thread (at most ``timeout`` s). True
        if it ended."""
        self._queue.put(None)
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:  # close(): everything queued before it is written
                self._queue.task_done()
                return
            name, doc = item
            with self._taken:
                self._stalled = False
                self._taken.notify()
            try:
                self.callback(name, doc)
            except Exception:
                logger.exception("storage callback failed on a %r document", name)
            finally:
                self._queue.task_done()
