"""Nothing acquired is lost: the document log, a storage outage, recovery, replay."""

from __future__ import annotations

import json

from operando.analysis.run_summary import RunSummary
from operando.plans import galvanostatic_cycle
from operando.sample import sample_for
from operando.storage import GuardedCallback, read_log, recover, replay

LNRO = sample_for("lnro", 3.85, 1.54)


class FlakyStorage:
    """A storage writer that fails after the first few documents, as in an outage."""

    def __init__(self, inner, fail_after: int):
        self.inner, self.count, self.fail_after = inner, 0, fail_after

    def __call__(self, name, doc):
        self.count += 1
        if self.count > self.fail_after:
            raise ConnectionError("tiled server unreachable")
        self.inner(name, doc)


def test_storage_outage_loses_nothing_and_recover_restores_the_run(session):
    # Swap the session's tiled writer for one whose storage goes down mid-run.
    flaky = GuardedCallback(FlakyStorage(session.writer.callback, fail_after=1), "tiled")
    session.RE.unsubscribe(session.tokens["writer"])
    session.RE.subscribe(flaky)  # still after the document log
    session.assemble_sim_cell(LNRO)
    (uid,) = session.RE(
        galvanostatic_cycle(session.potentiostat, LNRO, v_min=2.0, v_max=4.8, c_rate=0.05)
    )
    live = session.run_summary.summary
    assert flaky.failed_runs == [uid]  # acquisition went on; the failure was reported
    assert uid not in session.store.client or "stop" not in session.store.client[uid].metadata

    log = session.store.log_dir / f"{uid}.jsonl"
    names = [name for name, _ in read_log(log)]
    assert names[0] == "start" and names[-1] == "stop" and "event_page" in names

    if uid in session.store.client:  # a partial run from before the outage
        session.store.client.delete_contents(uid, recursive=True, external_only=False)
    assert recover(session.store, log).uid == uid
    replayed = RunSummary()
    replay(session.store.run(uid), [replayed])
    assert replayed.summary == live


def test_document_log_is_readable_json_lines_even_if_torn(tmp_path):
    from operando.storage import DocumentLog

    log = DocumentLog(tmp_path)
    log("start", {"uid": "abc", "time": 0})
    log("event_page", {"data": {"x": [1.0]}})
    with open(log.path, "a") as f:
        f.write('{"name": "ev')  # a crash in the middle of a line
    items = list(read_log(log.path))
    assert [n for n, _ in items] == ["start", "event_page"]
    assert json.loads(log.path.read_text().splitlines()[0])["doc"]["uid"] == "abc"
