"""The session's RunEngine validates collected event pages on their first row: the same
verdict as event-model's validation of the whole page, the same documents, less time."""

from __future__ import annotations

import time

import numpy as np
import pytest
from bluesky import RunEngine
from bluesky import plan_stubs as bps
from bluesky import preprocessors as bpp
from event_model import compose_run

from operando.run_engine import FirstRowPages, SessionRunEngine

KEYS = ("t", "Ewe", "I", "Q", "step", "clock")


def _descriptor():
    run = compose_run()
    data_keys = {k: {"source": "sim", "dtype": "number", "shape": []} for k in KEYS}
    return run.compose_descriptor(name="primary", data_keys=data_keys)


def _page(n: int) -> tuple[dict, dict]:
    data = {k: list(np.arange(n, dtype=float)) for k in KEYS}
    return data, {k: [1.0] * n for k in KEYS}


def _verdict(compose, data, timestamps):
    try:
        compose(data=data, timestamps=timestamps)
    except Exception as exc:  # noqa: BLE001 - the verdict is the exception's type
        return type(exc).__name__
    return "valid"


@pytest.mark.parametrize(
    "case",
    ["valid", "missing key", "extra key", "timestamps keys differ", "ragged", "data not a dict",
     "column not an array", "columns are strings", "timestamps are strings", "empty"],
)  # fmt: skip
def test_first_row_validation_gives_event_models_verdict(case):
    data, timestamps = _page(50)
    if case == "missing key":
        del data["Q"], timestamps["Q"]
    elif case == "extra key":
        data["x"], timestamps["x"] = [1.0] * 50, [1.0] * 50
    elif case == "timestamps keys differ":
        timestamps["x"] = timestamps.pop("Q")
    elif case == "ragged":
        data["Q"] = data["Q"][:10]
    elif case == "data not a dict":
        data = list(data.values())
    elif case == "column not an array":
        data["Q"] = 3.0
    elif case == "columns are strings":
        data = {k: "x" * 50 for k in data}
    elif case == "timestamps are strings":
        timestamps = {k: "x" * 50 for k in timestamps}
    elif case == "empty":
        data, timestamps = _page(0)
    whole = _verdict(_descriptor().compose_event_page, data, timestamps)
    first_row = _verdict(FirstRowPages(_descriptor().compose_event_page), data, timestamps)
    assert first_row == whole
    assert (whole == "valid") == (case in ("valid", "empty"))


def test_the_page_is_the_one_event_model_composes():
    data, timestamps = _page(2000)
    bundle = _descriptor()
    fast = FirstRowPages(_descriptor().compose_event_page)
    t0 = time.perf_counter()
    whole = bundle.compose_event_page(data=data, timestamps=timestamps)
    t1 = time.perf_counter()
    page = fast(data=data, timestamps=timestamps)
    t2 = time.perf_counter()
    assert page["data"] == whole["data"] and page["seq_num"] == whole["seq_num"]
    assert len(set(page["uid"])) == 2000
    whole_ms, first_ms = 1e3 * (t1 - t0), 1e3 * (t2 - t1)  # printed, not asserted (no timing)
    print(f"2000-point page: event-model {whole_ms:.1f} ms, first row {first_ms:.1f} ms")


class _Flyer:
    """A flyer with one 1000-point page."""

    name = "pstat"
    parent = None

    def kickoff(self):
        from ophyd.status import StatusBase

        status = StatusBase()
        status.set_finished()
        return status

    complete = kickoff

    def describe_collect(self):
        return {"primary": {k: {"source": "sim", "dtype": "number", "shape": []} for k in KEYS}}

    def collect_pages(self):
        data, timestamps = _page(1000)
        yield {"data": data, "timestamps": timestamps, "time": [0.0] * 1000}


def _fly():
    flyer = _Flyer()

    @bpp.run_decorator()
    def plan():
        yield from bps.kickoff(flyer, wait=True)
        yield from bps.complete(flyer, wait=True)
        yield from bps.collect(flyer)

    return plan()


def test_a_collected_run_has_the_same_documents_under_both_run_engines():
    runs = []
    for cls in (RunEngine, SessionRunEngine):
        docs: list = []
        RE = cls(context_managers=[])
        RE(_fly(), lambda name, doc, docs=docs: docs.append((name, doc)))
        runs.append(docs)
    plain, session = runs
    assert [n for n, _ in plain] == [n for n, _ in session]
    (page_a,) = [d for n, d in plain if n == "event_page"]
    (page_b,) = [d for n, d in session if n == "event_page"]
    assert page_a["data"] == page_b["data"] and page_a["seq_num"] == page_b["seq_num"]


def test_a_refused_page_uses_no_sequence_numbers_as_in_event_model():
    pages = []
    for compose in (_descriptor().compose_event_page, None):
        compose = compose or FirstRowPages(_descriptor().compose_event_page)
        bad, timestamps = _page(3)
        bad["x"] = [1.0] * 3
        try:
            compose(data=bad, timestamps=timestamps)
        except Exception:  # noqa: BLE001 - refused: the verdicts are compared above
            pass
        pages.append(compose(data=_page(2)[0], timestamps=_page(2)[1])["seq_num"])
    assert pages[0] == pages[1]
