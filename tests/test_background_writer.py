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


def test_close_writes_what_is_queued_then_ends_the_thread():
    written = []
    writer = BackgroundWriter(lambda name, doc: written.append(doc["n"]), name="closing-writer")
    for n in range(5):
        writer("event", {"n": n})
    writer.close()
    assert written == [0, 1, 2, 3, 4]
    assert not writer._thread.is_alive()


def test_a_closed_store_leaves_no_thread_behind(tmp_path):
    """An embedded store's server runs in threads of its own; closing it ends them (a
    process that opens store after store, e.g. a shell or the test suite, keeps none)."""
    import gc

    from operando.storage import open_store

    open_store(tmp_path / "warm").close()  # threads of one-time set-up (executors) are not
    before = {t.ident for t in threading.enumerate()}
    for i in range(2):
        with open_store(tmp_path / f"store{i}") as store:
            assert store.client is not None
    gc.collect()
    deadline = time.monotonic() + 5.0
    while {t.ident for t in threading.enumerate()} - before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert {t.name for t in threading.enumerate() if t.ident not in before} == set()
