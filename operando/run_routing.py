"""Which run a document belongs to, when several runs are open at once.

bluesky can open several runs in one plan (each with its own ``run_key``, see
``bluesky.preprocessors.set_run_key_wrapper``): the soft and hard X-ray endstations
measuring at the same time each write their own run, and their documents interleave.
Start, descriptor, resource and stop documents name their run; events name only their
descriptor and datums only their resource. :class:`RunOfDocument` remembers those until
the run stops, so a callback that keeps per-run state (a log file, a live summary, a
storage writer's failure flag) can find it for every document.
"""

from __future__ import annotations

_NAMES_THEIR_RUN = ("descriptor", "resource", "stream_resource")
_PARENT_KEY = {
    "event": "descriptor",
    "event_page": "descriptor",
    "datum": "resource",
    "datum_page": "resource",
    "stream_datum": "stream_resource",
}


class RunOfDocument:
    """``run_of(name, doc)``: the uid of the start document of the run doc belongs to
    (None for a document of no run this has seen start). Call :meth:`forget` with that uid
    after handling the run's stop document."""

    def __init__(self):
        self._parent: dict[str, str] = {}  # descriptor / resource uid -> run uid
        self._children: dict[str, list[str]] = {}  # run uid -> its descriptors, resources
        self._last_started: str | None = None

    def __call__(self, name: str, doc: dict) -> str | None:
        if name == "start":
            self._last_started = doc["uid"]
            self._children[doc["uid"]] = []
            return doc["uid"]
        if name == "stop":
            return doc.get("run_start")
        if name in _NAMES_THEIR_RUN:
            # A resource may omit run_start (event-model allows it): it then belongs to
            # the run started last, as it did before runs could interleave.
            run = doc.get("run_start") or self._last_started
            if run is not None:
                self._parent[doc["uid"]] = run
                self._children.setdefault(run, []).append(doc["uid"])
            return run
        # A document naming no run this has seen (malformed, or from a producer that
        # leaves out the keys) belongs to the run started last, as before runs interleaved:
        # it is kept, not dropped.
        key = _PARENT_KEY.get(name)
        return (self._parent.get(doc.get(key)) if key else None) or self._last_started

    def forget(self, run: str | None) -> None:
        """Drop what is remembered of a stopped run."""
        for child in self._children.pop(run, []):
            self._parent.pop(child, None)
        if self._last_started == run:
            self._last_started = next(reversed(self._children), None)

    @property
    def open_runs(self) -> list[str]:
        """Runs started and not yet forgotten, oldest first."""
        return list(self._children)
