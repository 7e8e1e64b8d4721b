"""A run exported as NeXus and imported again (into another store) gives the same summary,
to the last printed digit, for a cycling-like and an XAS-like run; its start document says
where it came from."""

from __future__ import annotations

import pytest
from test_export import _cycling_docs, _xas_docs

from operando.analysis.run_kinds import summarize
from operando.storage import make_writer, open_store
from operando.studies.exporting import export_runs
from operando.studies.importing import SampleOptions, prepare


@pytest.mark.parametrize("make_docs", [_cycling_docs, _xas_docs], ids=["cycling", "xas"])
def test_nexus_export_then_import_gives_the_same_summary(tmp_path, make_docs):
    store = open_store(tmp_path / "data")
    docs = make_docs()
    writer = make_writer(store)
    for name, doc in docs:
        writer(name, doc)
    uid = docs[0][1]["uid"]
    original = summarize(store.run(uid)).to_json()
    (path,) = export_runs([uid], None, "nexus", tmp_path / "out", store=store)
    (run,) = prepare([str(path)], SampleOptions())
    again = run["summary"].to_json()
    assert again.pop("uid") != original.pop("uid")
    assert again == original
    start = run["docs"][0][1]
    assert start["reimported_from"]["uid"] == uid and start["source"]["files"] == [path.name]
    assert start["plan_name"] == docs[0][1]["plan_name"] and start["sample"] == docs[0][1]["sample"]
