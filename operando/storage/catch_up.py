"""Catch up on runs the store missed: re-ingest them from their document logs when it is back.

When the store stops answering mid-run (a served store's server killed or restarting, a
full disk), the guarded writer stops forwarding that run and acquisition goes on; every
document is in the local log. At the run's stop document :class:`CatchUp` queues the run,
and a thread of its own retries :func:`~operando.storage.recover.recover` of its log every
``retry_s`` seconds until the store has every event (a partly stored copy is completed in place),
without holding up acquisition.
"""

from __future__ import annotations

import logging
import pathlib
import queue
import threading
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)


class CatchUp:
    """Subscribe after the guarded writer (same thread); see the module docstring.

    failed_runs : the guarded writer's list of runs it stopped forwarding.
    log_dir : where the document log writes ``<uid>.jsonl``.
    """

    def __init__(
        self,
        store,
        failed_runs: list[str],
        log_dir: pathlib.Path,
        *,
        retry_s: float = 2.0,
        give_up_s: float = 7 * 24 * 3600.0,
        on_recovered: Callable | None = None,
    ):
        self.store, self.failed_runs, self.log_dir = store, failed_runs, pathlib.Path(log_dir)
        self.retry_s, self.give_up_s = retry_s, give_up_s
        self.on_recovered = on_recovered
        self.recovered: dict[str, object] = {}  # uid -> RecoveryResult
        self.pending: set[str] = set()
        self._queue: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, daemon=True, name="store-catch-up")
        self._thread.start()

    def __call__(self, name: str, doc: dict) -> None:
        if name == "stop" and doc["run_start"] in self.failed_runs:
            uid = doc["run_start"]
            if uid not in self.pending and uid not in self.recovered:
                self.pending.add(uid)
                logger.warning(
                    "the store missed part of run %s; it is re-ingested from its document "
                    "log as soon as the store answers", uid,
                )  # fmt: skip
                self._queue.put(uid)

    def wait(self, timeout: float) -> bool:
        """Until no run is pending (True) or timeout s have passed."""
        deadline = time.monotonic() + timeout
        while self.pending and time.monotonic() < deadline:
            time.sleep(0.1)
        return not self.pending

    def close(self, timeout: float = 5.0) -> None:
        """End the thread: a run still waiting for the store is left to ``operando
        recover`` (its document log has it); waits at most timeout s for a recovery under
        way."""
        self._stop.set()
        self._queue.put(None)
        self._thread.join(timeout)

    def _work(self) -> None:
        from .recover import recover

        while True:
            uid = self._queue.get()
            if uid is None:  # close()
                return
            path = self.log_dir / f"{uid}.jsonl"
            started = time.monotonic()
            while not self._stop.is_set():
                try:
                    result = recover(self.store, path)
                    if result.ok:
                        self.recovered[uid] = result
                        logger.warning(
                            "run %s caught up from its log: %d events stored",
                            uid, result.events_stored,
                        )  # fmt: skip
                        if self.on_recovered is not None:
                            self.on_recovered(result)
                        break
                    logger.error("run %s: recovered with missing events: %s", uid, result)
                    break
                except Exception as exc:  # noqa: BLE001 - the store still down: retry
                    if time.monotonic() - started > self.give_up_s:
                        logger.error(
                            "gave up re-ingesting run %s (%s); `operando recover` stores it "
                            "from %s", uid, exc, path,
                        )  # fmt: skip
                        break
                    self._stop.wait(self.retry_s)
            self.pending.discard(uid)
