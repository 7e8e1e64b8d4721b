"""The live (and replay) summary of any run.

:func:`~operando.analysis.run_kinds.summarize` picks the run's kind from its ``plan_name``
and reads the run through the stored-run interface (``run.metadata``,
``run[stream].read()``). A stored run from tiled, or a
:class:`~operando.analysis.document_run.DocumentRun` gathered from documents live or in a
replay, give the same summary.
"""

from __future__ import annotations

from ..run_routing import RunOfDocument
from .document_run import DocumentRun
from .results import Summary
from .run_kinds import summarize


class RunSummary:
    """Live (and replay) summary of every run: after its stop document, ``summary`` holds
    :func:`summarize` of the run gathered from its documents (None if it has none) and
    ``run`` the run itself. Runs open at the same time are gathered apart; ``summary`` is
    that of the run that stopped last."""

    def __init__(self):
        self.run = DocumentRun()  # the run started or stopped last
        self.summary: Summary | None = None
        self.error: str | None = None  # why the last run has no summary
        self._run_of = RunOfDocument()
        self._open: dict[str, DocumentRun] = {}

    def __call__(self, name: str, doc: dict) -> None:
        uid = self._run_of(name, doc)
        if name == "start":
            self.summary, self.error = None, None
            self._open[uid] = DocumentRun()
            self._show(self._open[uid])
            self.run.start(doc)
            return
        run = self._open.get(uid)
        if run is None:
            return
        if name in ("descriptor", "event", "event_page"):
            getattr(run, name)(doc)
        elif name == "stop":
            del self._open[uid]
            self._run_of.forget(uid)
            self._show(run)
            run.stop(doc)
            self.summary, self.error = None, None
            try:
                self.summary = summarize(run)
            except (ValueError, KeyError, IndexError) as exc:
                self.error = f"{type(exc).__name__}: {exc}"

    def _show(self, run: DocumentRun) -> None:
        """Make run the one ``run`` holds; the one it replaces, if stopped, is closed (its
        columns are no longer read)."""
        if self.run is not run and self.run not in self._open.values():
            self.run.close()
        self.run = run

    def discard(self, uid: str) -> None:
        """Let go of an open run that will not be summarised (its documents stopped)."""
        run = self._open.pop(uid, None)
        if run is not None and run is not self.run:
            run.close()
        self._run_of.forget(uid)
