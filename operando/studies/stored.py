"""What is done with stored runs: replay them through the live analysis, report them."""

from __future__ import annotations

import json
import pathlib

from ..analysis.results import Summary
from ..analysis.run_kinds import kind_of, summarize
from ..analysis.run_summary import RunSummary
from ..errors import BadRequest
from ..storage import open_existing_store, replay


def replay_run(uid: str, data: str) -> Summary:
    """A stored run's summary recomputed from its stored documents, through the callback
    that ran live (:class:`~operando.analysis.run_summary.RunSummary`)."""
    callback = RunSummary()
    with open_existing_store(data) as store:
        run = store.complete_run(uid)  # an incomplete run is refused in one line
        replay(run, [callback])
    if callback.summary is None:
        raise BadRequest(f"run {uid}: {callback.error}")
    return callback.summary


def report_run(run, out: pathlib.Path) -> Summary:
    """Summary and figures of any stored run, from its stored tables, into out/<uid8>*."""
    from ..reports.figures import FIGURES  # matplotlib: only where figures are drawn

    start = run.metadata["start"]
    kind = kind_of(run)
    summary = summarize(run)
    stem = out / start["uid"][:8]
    for draw in FIGURES.get(kind.name, ()):
        draw(run, summary, stem)
    pathlib.Path(f"{stem}_summary.json").write_text(json.dumps(summary.to_json(), indent=2))
    return summary


def report_runs(uids: list[str], data: str, out: pathlib.Path) -> list[Summary]:
    """:func:`report_run` of each uid (or unique prefix) of the store."""
    with open_existing_store(data) as store:
        out.mkdir(parents=True, exist_ok=True)
        return [report_run(store.complete_run(uid), out) for uid in uids]
