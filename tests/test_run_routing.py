"""Runs open at the same time (the soft and hard endstations measuring together): their
documents interleave, and every per-run callback keeps them apart."""

from __future__ import annotations

import itertools

import event_model
import numpy as np
import pytest
from test_column_writer import _documents, _events

from operando.analysis.run_summary import RunSummary
from operando.run_routing import RunOfDocument
from operando.storage import DocumentLog, GuardedCallback, open_store, read_log
from operando.storage.writer import ColumnWriter


def _interleaved() -> tuple[list, list, list]:
    """Two runs' documents, and the two interleaved the way a plan with two run keys
    emits them (the second run starts after the first, stops before it)."""
    a, b = _documents(n=250), _documents(n=90, page=30)
    head, tail = a[:3], a[3:]
    mixed = head + [d for pair in itertools.zip_longest(b[:-1], tail[:-1]) for d in pair if d]
    return a, b, mixed + [b[-1], a[-1]]


def test_every_document_is_given_its_run():
    a, b, mixed = _interleaved()
    run_of = RunOfDocument()
    runs = {a[0][1]["uid"]: "a", b[0][1]["uid"]: "b"}
    got = [runs[run_of(name, doc)] for name, doc in mixed]
    assert got == ["a" if (name, doc) in a else "b" for name, doc in mixed]
    run_of.forget(b[0][1]["uid"])
    assert run_of.open_runs == [a[0][1]["uid"]]
    # A document naming no run seen (no descriptor) belongs to the run started last.
    assert run_of("event_page", {"descriptor": "unknown"}) == a[0][1]["uid"]


def test_the_document_log_writes_each_run_to_its_own_file(tmp_path):
    a, b, mixed = _interleaved()
    log = DocumentLog(tmp_path)
    for name, doc in mixed:
        log(name, doc)
    for docs in (a, b):
        assert list(read_log(tmp_path / f"{docs[0][1]['uid']}.jsonl")) == [
            (n, _plain(d)) for n, d in docs
        ]


def _plain(doc):
    return {k: (v.tolist() if isinstance(v, np.ndarray) else _plain(v) if isinstance(v, dict)
                else v) for k, v in doc.items()}  # fmt: skip


@pytest.mark.slow  # through the embedded tiled: seconds
def test_the_column_writer_stores_each_run_apart(tmp_path):
    a, b, mixed = _interleaved()
    store = open_store(tmp_path / "data")
    writer = ColumnWriter(store.client, batch_size=50)
    for name, doc in mixed:
        writer(name, doc)
    for docs in (a, b):
        run = store.run(docs[0][1]["uid"])
        assert np.allclose(
            run["primary"].read()["Ewe"].values, [e[2]["Ewe"] for e in _events(docs)["primary"]]
        )
        assert run.metadata["stop"]["uid"] == docs[-1][1]["uid"]


def test_a_failing_callback_stops_only_the_run_it_failed_on():
    a, b, mixed = _interleaved()
    b_uid = b[0][1]["uid"]
    forwarded = []

    def fails_on_b(name, doc):
        if name == "event_page" and doc["descriptor"] in {
            d["uid"] for n, d in b if n == "descriptor"
        }:
            raise RuntimeError("store refused")
        forwarded.append((name, doc))

    fails_on_b.discard = lambda uid: discarded.append(uid)  # what ColumnWriter offers
    discarded: list[str] = []
    guarded = GuardedCallback(fails_on_b, "test writer")
    for name, doc in mixed:
        guarded(name, doc)
    assert guarded.failed_runs == [b_uid]
    assert [d for d in forwarded if d in a] == a  # run a: every document
    assert ("stop", b[-1][1]) not in forwarded
    assert discarded == [b_uid]  # told to let go of the run it will not see stop


def test_the_live_summary_gathers_each_run_apart():
    bundles = [event_model.compose_run(metadata={"plan_name": "count"}) for _ in range(2)]
    descs = [
        bb.compose_descriptor(data_keys={"x": {"source": "s", "dtype": "number", "shape": []}},
                              name="primary")
        for bb in bundles
    ]  # fmt: skip
    summary = RunSummary()
    summary("start", bundles[0].start_doc)
    summary("start", bundles[1].start_doc)
    for d in descs:
        summary("descriptor", d.descriptor_doc)
    for k, d in enumerate(descs):
        n = k + 2
        page = d.compose_event_page(data={"x": [float(k)] * n}, timestamps={"x": [0.0] * n},
                                    seq_num=list(range(1, n + 1)), time=[0.0] * n)  # fmt: skip
        summary("event_page", page)
    summary("stop", bundles[1].compose_stop())
    assert summary.run.metadata["start"]["uid"] == bundles[1].start_doc["uid"]
    assert summary.run["primary"].read()["x"].values.tolist() == [1.0, 1.0, 1.0]
    summary("stop", bundles[0].compose_stop())
    assert summary.run["primary"].read()["x"].values.tolist() == [0.0, 0.0]
