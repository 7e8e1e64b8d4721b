"""Parquet copies of finished streams: the same rows as the stored table, finished only
when the whole run is stored, read in place of the table, never read when unfinished."""

from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq
import pytest
from test_column_writer import _documents

from operando.storage import GuardedCallback, make_writer, open_store, recover
from operando.storage.column_copy import COLUMNS, read_copy
from operando.storage.layout import _run_stream_table, read_run_columns

pytestmark = pytest.mark.slow  # through the embedded tiled: seconds


def _write(store, docs):
    writer = make_writer(store)
    for name, doc in docs:
        writer(name, doc)
    return writer


def test_a_stopped_run_has_a_copy_of_each_stream_equal_to_its_table(store):
    docs = _documents(n=250)
    uid = docs[0][1]["uid"]
    _write(store, docs)
    run = store.run(uid)
    folder = store.data_dir / COLUMNS / uid
    assert sorted(p.name for p in folder.iterdir()) == ["primary.parquet", "spectra.parquet"]
    for stream in ("primary", "spectra"):
        copy = pq.read_table(folder / f"{stream}.parquet")
        assert copy.to_pandas().equals(_run_stream_table(run, stream).read())
        assert copy.schema.metadata[b"operando.run_uid"] == uid.encode()
        assert copy.schema.metadata[b"operando.stream"] == stream.encode()
    # the analysis' reads come from the copy, and give what the table gives
    from_copy = read_run_columns(run, "primary", ["Ewe", "step"])
    assert from_copy.keys() == {"Ewe", "step"}
    table = _run_stream_table(run, "primary").read()
    for key, values in from_copy.items():
        np.testing.assert_array_equal(values, table[key].to_numpy())
    assert read_copy(run, "primary", ["Ewe", "no such key"]) is None  # then: the table


def test_a_long_stream_is_copied_in_large_row_groups(store, monkeypatch):
    """The writer's batches are gathered into row groups of at least ROW_GROUP_ROWS."""
    monkeypatch.setattr("operando.storage.column_copy.ROW_GROUP_ROWS", 100)
    docs = _documents(n=250, page=10)
    monkeypatch.setattr("operando.storage.WRITER_BATCH_SIZE", 30)
    _write(store, docs)
    uid = docs[0][1]["uid"]
    parquet = pq.ParquetFile(store.data_dir / COLUMNS / uid / "primary.parquet")
    sizes = [parquet.metadata.row_group(i).num_rows for i in range(parquet.num_row_groups)]
    assert sum(sizes) == 250 and len(sizes) == 3 and min(sizes[:-1]) >= 100, sizes


def test_a_run_without_its_stop_keeps_no_copy_and_reads_from_its_table(store, monkeypatch):
    docs = _documents(n=250, page=10)
    uid = docs[0][1]["uid"]
    monkeypatch.setattr("operando.storage.column_copy.ROW_GROUP_ROWS", 50)  # rows reach the file
    writer = make_writer(store)
    writer.batch_size = 30
    for name, doc in docs[:-1]:  # the process stops before the stop document
        writer(name, doc)
    folder = store.data_dir / COLUMNS / uid
    assert sorted(p.name for p in folder.iterdir()) == ["primary.parquet.partial"]
    run = store.run(uid)
    assert read_copy(run, "primary", ["Ewe"]) is None
    assert len(read_run_columns(run, "primary", ["Ewe"])["Ewe"]) >= 240  # from the table
    writer.discard(uid)  # the session lets go of a run it no longer writes
    assert list(folder.iterdir()) == []


def test_a_failed_write_leaves_no_copy(store, monkeypatch):
    """A table append that fails (storage outage) stops the run's writing; its stop then
    never reaches the writer, and the copy is removed, not finished."""
    docs = _documents(n=250, page=10)
    uid = docs[0][1]["uid"]
    writer = make_writer(store)
    writer.batch_size = 30
    guarded = GuardedCallback(writer, "tiled writer")
    fail_after = 3
    calls = []

    from operando.storage import layout

    real = layout.append_rows

    def failing(node, client, table, data_keys):
        calls.append(1)
        if len(calls) > fail_after:
            raise OSError("disk full")
        return real(node, client, table, data_keys)

    monkeypatch.setattr(layout, "append_rows", failing)
    monkeypatch.setattr("operando.storage.column_copy.ROW_GROUP_ROWS", 50)  # rows reach the file
    for name, doc in docs:
        guarded(name, doc)
    assert guarded.failed_runs == [uid]
    folder = store.data_dir / COLUMNS / uid
    assert not folder.exists() or list(folder.iterdir()) == []


def test_recovering_a_run_in_place_removes_its_unfinished_copy(tmp_path):
    """A writer that stopped mid-run left a partial copy; recover completes the table in
    place, and the run is read from its table from then on."""
    from operando.storage import DocumentLog

    docs = _documents(n=250, page=10)
    uid = docs[0][1]["uid"]
    with open_store(tmp_path / "data") as store:
        log = DocumentLog(store.log_dir)
        writer = make_writer(store)
        writer.batch_size = 30
        for name, doc in docs:
            log(name, doc)
            if name != "stop":
                writer(name, doc)
        partial = store.data_dir / COLUMNS / uid / "primary.parquet.partial"
        partial.parent.mkdir(parents=True, exist_ok=True)
        partial.touch()  # whatever the writer had written when it stopped
        result = recover(store, next(store.log_dir.glob(f"{uid}*.jsonl")))
        assert result.ok and result.appended_in_place > 0
        assert not partial.exists()
        assert len(read_run_columns(store.run(uid), "primary", ["Ewe"])["Ewe"]) == 250


def test_a_copy_that_cannot_be_written_never_fails_the_run(store, caplog):
    """The copy is a convenience and the table the record: a copy the disk refuses (here
    the copies' directory is a file) is given up with a warning; the run is stored whole."""
    (store.data_dir / COLUMNS).write_text("not a directory")
    docs = _documents(n=250)
    uid = docs[0][1]["uid"]
    guarded = GuardedCallback(make_writer(store), "tiled writer")
    for name, doc in docs:
        guarded(name, doc)
    assert guarded.failed_runs == []
    assert "cannot write" in caplog.text
    run = store.run(uid)
    assert run.metadata["stop"]["exit_status"] == "success"
    assert read_copy(run, "primary", ["Ewe"]) is None
    assert len(read_run_columns(run, "primary", ["Ewe"])["Ewe"]) == 250


def test_a_damaged_or_foreign_copy_is_never_read(store, caplog):
    """A copy cut short (a power cut, a half-finished rsync) or one that names another run
    is passed over with a warning, and the table is read."""
    docs = _documents(n=250)
    uid = docs[0][1]["uid"]
    _write(store, docs)
    run = store.run(uid)
    folder = store.data_dir / COLUMNS / uid
    good = (folder / "primary.parquet").read_bytes()
    (folder / "primary.parquet").write_bytes(good[: len(good) // 2])
    assert read_copy(run, "primary", ["Ewe"]) is None and "cannot read" in caplog.text
    assert len(read_run_columns(run, "primary", ["Ewe"])["Ewe"]) == 250
    (folder / "primary.parquet").write_bytes((folder / "spectra.parquet").read_bytes())
    assert read_copy(run, "primary", ["seq_num"]) is None and "names another" in caplog.text


def test_copies_left_under_a_uid_are_cleared_when_that_run_is_written(store):
    docs = _documents(n=100)
    uid = docs[0][1]["uid"]
    stale = store.data_dir / COLUMNS / uid / "old_stream.parquet"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"from a run set aside")
    _write(store, docs)
    assert sorted(p.name for p in stale.parent.iterdir()) == ["primary.parquet", "spectra.parquet"]


def test_a_uid_that_is_not_a_plain_name_gets_no_copy(tmp_path):
    from operando.storage.column_copy import copy_path

    assert copy_path(tmp_path, "../escape", "primary") is None
    assert copy_path(tmp_path, "abc", "../primary") is None
    assert copy_path(tmp_path, "abc", "primary") == tmp_path / "abc" / "primary.parquet"
