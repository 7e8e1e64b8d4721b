"""Storage beside acquisition: a bounded backlog, never a stop."""

from __future__ import annotations

import threading
import time

from operando.storage import BackgroundWriter


def test_a_slow_store_holds_the_backlog_to_its_bound_and_keeps_the_order():
    written, most = [], [0]

    def slow(name, doc):
        time.sleep(0.005)
        written.append(doc["n"])

    writer = BackgroundWriter(slow, backlog=3, backlog_wait_s=10.0)
    for n in range(40):
        writer("event", {"n": n})
        most[0] = max(most[0], writer._queue.qsize())
    writer("stop", {"n": 40})
    assert written == list(range(41))
    assert most[0] <= 3 + 1  # the bound, and the document just handed over


def test_a_store_that_hangs_slows_acquisition_but_never_stops_it():
    release = threading.Event()
    writer = BackgroundWriter(lambda name, doc: release.wait(), backlog=2, backlog_wait_s=0.05)
    t0 = time.monotonic()
    for n in range(10):
        writer("event", {"n": n})
    elapsed = time.monotonic() - t0
    release.set()
    # Every document was handed over; the caller waited at most backlog_wait_s each.
    assert writer._queue.qsize() <= 10 and elapsed < 10 * 0.05 + 2.0
