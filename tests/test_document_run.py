"""DocumentRun: a run rebuilt from documents reads like a stored run, in seq_num order, and
keeps plain numbers out of memory (a long run's live summary must not grow the acquiring
process's memory with every point)."""

from __future__ import annotations

import numpy as np

from operando.analysis.document_run import DocumentRun, SpilledColumn

KEYS = {
    "Ewe": {"dtype": "number", "shape": [], "units": "V"},
    "step": {"dtype": "integer", "shape": []},
    "state": {"dtype": "string", "shape": []},
    "spectrum": {"dtype": "array", "shape": [3]},
}


def _run() -> DocumentRun:
    run = DocumentRun()
    run.start({"uid": "s", "plan_name": "x"})
    run.descriptor({"uid": "d", "name": "primary", "data_keys": KEYS})
    return run


def test_pages_and_events_read_back_in_seq_num_order_with_their_dtypes():
    run = _run()
    page = {"Ewe": [3.2, 3.1], "step": [2, 1], "state": ["b", "a"], "spectrum": [[1, 2, 3]] * 2}
    run.event_page({"descriptor": "d", "seq_num": [2, 1], "data": page})
    run.event({"descriptor": "d", "seq_num": 3, "data": {
        "Ewe": 3.3, "step": 3, "state": "c", "spectrum": [4, 5, 6]}})  # fmt: skip
    data = run["primary"].read()
    np.testing.assert_array_equal(data["Ewe"].values, [3.1, 3.2, 3.3])
    assert data["step"].values.dtype == np.int64 and list(data["step"].values) == [1, 2, 3]
    assert list(data["state"].values) == ["a", "b", "c"]
    assert data["spectrum"].shape == (3, 3)


def test_plain_numbers_are_kept_out_of_memory():
    run = _run()
    run.event_page({"descriptor": "d", "seq_num": list(range(1, 1001)), "data": {
        "Ewe": [3.0] * 1000, "step": [1] * 1000, "state": ["a"] * 1000,
        "spectrum": [[0, 0, 0]] * 1000}})  # fmt: skip
    columns = run["primary"]._columns
    assert isinstance(columns["Ewe"], SpilledColumn) and len(columns["Ewe"]) == 1000
    assert isinstance(columns["step"], SpilledColumn) and isinstance(columns["state"], list)
    assert columns["step"].values().dtype == np.int64


def test_a_value_its_dtype_does_not_hold_is_kept_not_dropped():
    run = _run()
    run.event({"descriptor": "d", "seq_num": 1, "data": {
        "Ewe": None, "step": 1.5, "state": "a", "spectrum": [0, 0, 0]}})  # fmt: skip
    data = run["primary"].read()
    assert data["Ewe"].values[0] is None and data["step"].values[0] == 1.5
