"""Recovery from damaged document logs, a relocated store, a damaged catalog (no IOC)."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys

import event_model
import numpy as np
import pytest

from operando.cli import main
from operando.errors import StorageError
from operando.storage import open_store
from operando.storage.recover import RECOVERED_REASON, count_events, recover

N_POINTS = 520  # more than one writer batch (set to 200 rows below)
PAGE = 40


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    """Writer batches of 200 rows, so that small runs span several batches."""
    import operando.storage

    monkeypatch.setattr(operando.storage, "WRITER_BATCH_SIZE", 200)


def _cycle_documents(n_points: int = N_POINTS) -> list[tuple[str, dict]]:
    """A galvanostatic cycle's documents as the RunEngine composes them (start, primary
    descriptor, event pages of Ewe, I, Q, stop): a charge then a discharge."""
    bundle = event_model.compose_run(
        metadata={"plan_name": "galvanostatic_cycle", "sample": {"active_mass_mg": 3.85}}
    )
    keys = {
        k: {"source": "sim", "dtype": d, "shape": [], "units": u}
        for k, d, u in (("clock", "number", "s"), ("t", "number", "s"), ("Ewe", "number", "V"),
                        ("I", "number", "mA"), ("Q", "number", "mAh"), ("step", "integer", ""))
    }  # fmt: skip
    desc = bundle.compose_descriptor(data_keys=keys, name="primary")
    docs = [("start", bundle.start_doc), ("descriptor", desc.descriptor_doc)]
    half = n_points // 2
    for lo in range(0, n_points, PAGE):
        idx = np.arange(lo, min(lo + PAGE, n_points))
        t = idx * 60.0
        charging = idx < half
        current = np.where(charging, 0.1, -0.1)
        q = np.where(charging, idx, 2 * half - idx) * 60.0 * 0.1 / 3600.0
        ewe = np.where(charging, 3.0 + idx / half * 1.8, 4.8 - (idx - half) / half * 2.8)
        data = {
            "clock": (1e9 + t).tolist(),
            "t": t.tolist(),
            "Ewe": ewe.tolist(),
            "I": current.tolist(),
            "Q": q.tolist(),
            "step": charging.astype(int).tolist(),
        }  # noqa: E501
        page = desc.compose_event_page(
            data=data, timestamps={k: data["clock"] for k in data}, seq_num=(idx + 1).tolist()
        )
        docs.append(("event_page", page))
    docs.append(("stop", bundle.compose_stop()))
    return docs


def _write_log(path, docs) -> None:
    with open(path, "w") as f:
        for name, doc in docs:
            f.write(json.dumps({"name": name, "doc": doc}) + "\n")


def _validate(docs) -> None:
    for name, doc in docs:
        if name == "event_page":
            for event in event_model.unpack_event_page(doc):
                event_model.schema_validators[event_model.DocumentNames.event].validate(event)
        elif name not in ("datum_page", "resource"):
            event_model.schema_validators[event_model.DocumentNames[name]].validate(doc)


@pytest.mark.slow
def test_a_log_torn_at_ten_random_places_recovers_every_intact_event(tmp_path, capsys):
    rng = random.Random(11)
    docs = _cycle_documents()
    whole = tmp_path / "whole.jsonl"
    _write_log(whole, docs)
    lines = whole.read_text().splitlines(keepends=True)
    counts = []
    for k in range(10):
        data = tmp_path / f"data{k}"
        log = tmp_path / f"cut{k}.jsonl"
        kind = ("torn last line", "missing stop", "torn middle line")[k % 3]
        cut = rng.randrange(3, len(lines) - 2)
        if kind == "torn last line":
            text = "".join(lines[:cut]) + lines[cut][: rng.randrange(1, len(lines[cut]) - 1)]
        elif kind == "missing stop":
            text = "".join(lines[:cut])
        else:
            line = lines[cut]
            text = "".join(lines[:cut]) + line[: len(line) // 2] + "\n" + "".join(lines[cut + 1 :])
        log.write_text(text)
        intact = [(json.loads(x)["name"], json.loads(x)["doc"])
                  for x in text.splitlines() if _parses(x)]  # fmt: skip
        expected = sum(count_events(intact).values())
        with open_store(data) as store:
            result = recover(store, log)
            if k >= 3:  # read as recovered; each kind of damage is read afresh (k < 3)
                stored, stop, documents = _read_back(store, result.uid)
        if k < 3:
            with open_store(data) as store:  # afresh, as a later reader
                stored, stop, documents = _read_back(store, result.uid)
        counts.append((kind, expected, stored))
        assert result.events_in_log == expected == stored == result.events_stored
        assert result.ok and result.completed
        assert stop["exit_status"] == "fail" and RECOVERED_REASON in stop["reason"]
        if kind == "torn middle line":
            assert result.damaged_lines == [cut + 1]
        _validate(documents)
        if k >= 3:
            continue  # the commands' refusal: once for each kind of damage is enough
        # report and replay refuse the incomplete run in one line, exit non-zero
        for argv in (
            ["replay", result.uid[:8], "--data", str(data)],
            ["report", result.uid, "--data", str(data), "--out", str(tmp_path / "r")],
        ):  # noqa: E501
            assert main(argv) != 0
            err = capsys.readouterr().err.strip()
            assert "incomplete" in err and len(err.splitlines()) == 1
    print("recovered (kind, intact events, stored):", counts)


def _read_back(store, uid: str) -> tuple[int, dict, list]:
    """(events stored, stop document, documents) of a stored run."""
    run = store.run(uid)
    return len(run["primary"].read()["t"]), run.metadata["stop"], list(run.documents())


def _parses(line: str) -> bool:
    try:
        json.loads(line)
        return True
    except json.JSONDecodeError:
        return False


@pytest.mark.slow  # stores and recovers through tiled: seconds each
def test_a_partly_stored_run_is_completed_and_recover_cli_reports_counts(tmp_path, capsys):
    docs = _cycle_documents()
    data = tmp_path / "data"
    store = open_store(data)
    from operando.storage import make_writer

    writer = make_writer(store)
    for name, doc in docs[:-1]:  # the writer flushed two batches of 200, then the crash
        writer(name, doc)
    uid = docs[0][1]["uid"]
    log = store.log_dir / f"{uid}.jsonl"
    log.parent.mkdir(parents=True, exist_ok=True)
    _write_log(log, docs)
    assert main(["recover", "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert f"{N_POINTS} events in the log, {N_POINTS} stored, ok" in out
    assert f"completed in place, {N_POINTS - 400} events appended" in out
    run = open_store(data).run(uid)
    assert len(run["primary"].read()["t"]) == N_POINTS
    assert run.metadata["stop"]["exit_status"] == "success"


def test_a_copied_data_directory_replays_equal_to_the_original(tmp_path):
    docs = _cycle_documents(300)
    original = tmp_path / "a" / "data"
    log = tmp_path / "log.jsonl"
    _write_log(log, docs)
    uid = recover(open_store(original), log).uid
    before = open_store(original).run(uid)["primary"].read()
    copy = tmp_path / "b" / "copy"
    shutil.copytree(original, copy)
    shutil.move(str(original), str(tmp_path / "a" / "moved"))  # the old paths are gone
    for where in (copy, tmp_path / "a" / "moved"):
        after = open_store(where).run(uid)["primary"].read()
        assert after.equals(before)


@pytest.mark.slow
@pytest.mark.parametrize("content", [b"", b"garbage, not a database" * 10])
def test_a_damaged_catalog_is_reported_and_rebuilt_from_the_logs(tmp_path, content, capsys):
    data = tmp_path / "data"
    store = open_store(data)
    log = tmp_path / "x.jsonl"
    _write_log(log, _cycle_documents(120))
    uid = recover(store, log).uid
    store.log_dir.mkdir(exist_ok=True)
    shutil.copy(log, store.log_dir / f"{uid}.jsonl")
    (data / "catalog.db").write_bytes(content)
    with pytest.raises(StorageError, match="rebuild"):
        open_store(data)
    assert (
        main(["replay", uid, "--data", str(data)]) == 2
    )  # a damaged store: one line, exit 2 (StorageError)
    assert "--rebuild-catalog" in capsys.readouterr().err
    assert (data / "catalog.db").read_bytes() == content  # never re-created over the data
    # in a new process, as a user would (this one holds the old files open in tiled's pools)
    proc = subprocess.run(
        [sys.executable, "-m", "operando.cli", "recover", "--data", str(data), "--rebuild-catalog"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "120 events in the log, 120 stored, ok" in proc.stdout
    from operando.storage.catalog import _forget_engines

    _forget_engines(data.resolve())
    assert len(open_store(data).run(uid)["primary"].read()["t"]) == 120


def _with_second_stream(docs: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
    """The cycle's documents with a 'dems' stream of 30 events between its pages."""
    start = docs[0][1]
    bundle = event_model.compose_run(uid=start["uid"], time=start["time"])
    keys = {"dems_O2": {"source": "sim", "dtype": "number", "shape": [], "units": "umol/min"}}
    desc = bundle.compose_descriptor(data_keys=keys, name="dems")
    desc.descriptor_doc["run_start"] = start["uid"]
    page = desc.compose_event_page(
        data={"dems_O2": [0.1 * i for i in range(30)]},
        timestamps={"dems_O2": [1e9 + i for i in range(30)]},
        seq_num=list(range(1, 31)),
    )
    page["descriptor"] = desc.descriptor_doc["uid"]
    middle = len(docs) // 2
    return (
        docs[:middle] + [("descriptor", desc.descriptor_doc), ("event_page", page)] + docs[middle:]
    )


@pytest.mark.slow  # stores through tiled: seconds
def test_a_partly_stored_run_is_completed_in_place_never_deleted_and_resumable(tmp_path):
    from operando.storage import make_writer
    from operando.storage.complete import complete_in_place

    docs = _with_second_stream(_cycle_documents())
    uid = docs[0][1]["uid"]
    store = open_store(tmp_path / "data")
    writer = make_writer(store)
    for name, doc in docs[:8]:  # 6 pages: one batch of 200 stored, then the crash; no dems
        writer(name, doc)
    table = store.client[uid]["primary"].base["internal"]
    source_before = table.data_sources()[0].id
    first_rows = table.read()
    assert len(first_rows) == 200 and "dems" not in store.client[uid]
    # Completion interrupted before its end (a prefix of the log, no stop yet) ...
    complete_in_place(store.client[uid], docs[: 2 * len(docs) // 3])
    assert not store.client[uid].metadata.get("stop")
    # ... and run again on the whole log: only what is still missing is appended.
    log = tmp_path / "run.jsonl"
    _write_log(log, docs)
    result = recover(store, log)
    assert result.ok and result.events_in_log == N_POINTS + 30
    assert 0 < result.appended_in_place < N_POINTS + 30 - 200
    run = open_store(tmp_path / "data").run(uid)
    rows = run["primary"].base["internal"].read()
    assert list(rows["seq_num"]) == list(range(1, N_POINTS + 1))
    assert len(run["dems"].read()["dems_O2"]) == 30
    after = run["primary"].base["internal"]
    assert after.data_sources()[0].id == source_before  # the stored table, not a copy
    assert after.read().iloc[:200].equals(first_rows)  # what was stored is untouched
    assert run.metadata["stop"]["exit_status"] == "success"
    _validate(list(run.documents()))
    assert recover(store, log).appended_in_place == 0  # a whole run: nothing to do
