"""The live (and replay) summary of any run.

:func:`~operando.analysis.run_kinds.summarize` picks the run's kind from its ``plan_name``
and reads the run through the stored-run interface (``run.metadata``,
``run[stream].read()``). A stored run from tiled, or a
:class:`~operando.analysis.document_run.DocumentRun` gathered from documents live or in a
replay, give the same summary.
"""

from __future__ import annotations

from event_model import DocumentRouter

from .document_run import DocumentRun
from .results import Summary
from .run_kinds import summarize


class RunSummary(DocumentRouter):
    """Live (and replay) summary of every run: after its stop document, ``summary`` holds
    :func:`summarize` of the run gathered from its documents (None if it has none)."""

    def __init__(self):
        super().__init__()
        self.run = DocumentRun()
        self.summary: Summary | None = None
        self.error: str | None = None  # why the last run has no summary

    def start(self, doc):
        self.summary, self.error = None, None
        self.run.start(doc)

    def descriptor(self, doc):
        self.run.descriptor(doc)

    def event_page(self, doc):
        self.run.event_page(doc)

    def event(self, doc):
        self.run.event(doc)

    def stop(self, doc):
        self.run.stop(doc)
        try:
            self.summary = summarize(self.run)
        except (ValueError, KeyError, IndexError) as exc:
            self.error = f"{type(exc).__name__}: {exc}"
