"""The column-wise writer and table replay: what is stored reads back as it was emitted."""

from __future__ import annotations

import event_model
import numpy as np
import pytest

from operando.storage import open_store, replay
from operando.storage.writer import ColumnWriter


def _documents(n: int = 250, page: int = 40) -> list[tuple[str, dict]]:
    """A run with a scalar stream (primary) and a stream with an array data key (spectra),
    their pages interleaved in time."""
    bundle = event_model.compose_run(metadata={"plan_name": "test"})
    scalar = {"source": "sim", "dtype": "number", "shape": []}
    primary = bundle.compose_descriptor(
        data_keys={"Ewe": scalar, "step": {**scalar, "dtype": "integer"}}, name="primary"
    )
    spectra = bundle.compose_descriptor(
        data_keys={"mu": {"source": "sim", "dtype": "array", "shape": [24]}}, name="spectra"
    )
    docs = [("start", bundle.start_doc), ("descriptor", primary.descriptor_doc),
            ("descriptor", spectra.descriptor_doc)]  # fmt: skip
    for lo in range(0, n, page):
        idx = np.arange(lo, min(lo + page, n))
        t = (1e9 + idx).tolist()
        docs.append(("event_page", primary.compose_event_page(
            data={"Ewe": (3 + idx / n).tolist(), "step": (idx // 100).tolist()},
            timestamps={"Ewe": t, "step": t}, seq_num=(idx + 1).tolist(), time=t,
        )))  # fmt: skip
        k = lo // page
        docs.append(("event", spectra.compose_event(
            data={"mu": np.linspace(0, 1, 24) * k}, timestamps={"mu": t[0]}, seq_num=k + 1,
            time=t[0],
        )))  # fmt: skip
    docs.append(("stop", bundle.compose_stop()))
    return docs


def _events(docs) -> dict[str, list[tuple]]:
    names = {d["uid"]: d["name"] for n, d in docs if n == "descriptor"}
    out: dict[str, list] = {}
    for name, doc in docs:
        if name == "event_page":
            doc_events = event_model.unpack_event_page(doc)
        elif name == "event":
            doc_events = [doc]
        else:
            continue
        for e in doc_events:
            data = {k: np.asarray(v).tolist() for k, v in e["data"].items()}
            out.setdefault(names[e["descriptor"]], []).append((e["seq_num"], e["time"], data))
    return out


@pytest.mark.slow  # through the embedded tiled: seconds
@pytest.mark.parametrize("batch", [60, 100_000])
def test_stored_runs_replay_the_events_they_were_given(tmp_path, batch):
    docs = _documents()
    store = open_store(tmp_path / "data")
    writer = ColumnWriter(store.client, batch_size=batch)
    for name, doc in docs:
        writer(name, doc)
    run = store.run(docs[0][1]["uid"])
    replayed = []
    replay(run, [lambda name, doc: replayed.append((name, doc))])
    assert [n for n, _ in replayed][:4] == ["start", "descriptor", "descriptor", "event_page"]
    assert replayed[-1] == ("stop", docs[-1][1])
    assert _events(replayed) == _events(docs)
    # tiled's own BlueskyRun client reads the same layout
    assert run["spectra"].read()["mu"].shape == (7, 24)
    assert np.allclose(
        run["primary"].read()["Ewe"].values, [e[2]["Ewe"] for e in _events(docs)["primary"]]
    )
    # pages come in time order across the streams
    firsts = [d["time"][0] for n, d in replayed if n == "event_page"]
    assert firsts == sorted(firsts)


def test_the_writer_refuses_external_data_in_one_line(tmp_path):
    from operando.errors import StorageError

    store = open_store(tmp_path / "data")
    writer = ColumnWriter(store.client)
    bundle = event_model.compose_run()
    writer("start", bundle.start_doc)
    with pytest.raises(StorageError, match="internal data only"):
        writer("stream_resource", {"uid": "x"})


@pytest.mark.slow  # through the embedded tiled: seconds
def test_a_new_run_is_written_without_looking_up_what_it_cannot_hold_yet(tmp_path):
    """Each request to the embedded store costs tens of ms; a run the writer creates has no
    streams, tables or arrays to look up. Two streams (one with an array key), written in
    one batch: the run, two streams, two tables (each made, then appended to), one array
    (made, then filled), the stop: ten requests, none of them a look-up."""
    store = open_store(tmp_path / "data")
    requests = []
    store.client.context.http_client.event_hooks["request"].append(requests.append)
    docs = _documents(n=100)
    writer = ColumnWriter(store.client)
    for name, doc in docs:
        writer(name, doc)
    assert [r.method for r in requests].count("GET") == 0, [str(r.url) for r in requests]
    assert len(requests) == 10, "\n".join(f"{r.method} {r.url.path}" for r in requests)
    replayed = []
    replay(store.run(docs[0][1]["uid"]), [lambda name, doc: replayed.append((name, doc))])
    assert _events(replayed) == _events(docs)
