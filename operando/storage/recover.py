"""Re-ingest document logs into the store: every intact document, always.

A log may end without a stop document (a crash, a storage outage, a killed client) or hold
damaged lines (a torn write). :func:`recover` keeps every line that parses, reports the
damaged ones by line number, completes an incomplete run with a stop document
(``exit_status: "fail"``, a reason saying it was recovered from an incomplete log) so that it
validates against event-model, and completes a run that is only partly stored in
place (:mod:`operando.storage.complete`: appends what is missing, never deletes). It returns,
per run, the events in the log and the events in the store: a caller says the recovery
succeeded only if they are equal.
"""

from __future__ import annotations

import json
import pathlib
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..errors import NotFound, StorageError
from .complete import complete_in_place

RECOVERED_REASON = "recovered from an incomplete document log"


@dataclass
class LogContents:
    """The intact documents of one log and the numbers of its damaged lines (1-based)."""

    path: pathlib.Path
    docs: list[tuple[str, dict]]
    damaged_lines: list[int] = field(default_factory=list)


@dataclass
class RecoveryResult:
    """What recover did with one log."""

    log: pathlib.Path
    uid: str
    events_in_log: int  # events of the intact lines whose descriptor is intact too
    events_stored: int
    completed: bool  # a stop document was added
    appended_in_place: int  # events appended to a partly stored run (0: none)
    damaged_lines: list[int]
    orphan_events: int  # intact events whose descriptor line was damaged (not storable)

    @property
    def ok(self) -> bool:
        return self.events_stored == self.events_in_log and self.orphan_events == 0


def read_log_checked(path: str | pathlib.Path) -> LogContents:
    """Every intact ``(name, doc)`` of a log; damaged lines are skipped and listed."""
    path = pathlib.Path(path)
    docs: list[tuple[str, dict]] = []
    damaged: list[int] = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                name, doc = item["name"], item["doc"]
                if not isinstance(doc, dict) or not isinstance(name, str):
                    raise TypeError
            except (json.JSONDecodeError, KeyError, TypeError):
                damaged.append(number)
                continue
            docs.append((name, doc))
    return LogContents(path=path, docs=docs, damaged_lines=damaged)


def count_events(docs: Iterable[tuple[str, dict]]) -> dict[str, int]:
    """Events per stream name, counting only events whose descriptor is present."""
    streams: dict[str, str] = {}
    counts: dict[str, int] = {}
    for name, doc in docs:
        if name == "descriptor":
            streams[doc["uid"]] = doc.get("name", "primary")
            counts.setdefault(streams[doc["uid"]], 0)
        elif name == "event" and doc.get("descriptor") in streams:
            counts[streams[doc["descriptor"]]] += 1
        elif name == "event_page" and doc.get("descriptor") in streams:
            counts[streams[doc["descriptor"]]] += len(doc.get("seq_num", ()))
    return counts


def complete_documents(contents: LogContents) -> tuple[list[tuple[str, dict]], bool, int]:
    """The documents to store: events without a descriptor dropped, a stop added if
    missing. Returns (documents, whether a stop was added, number of orphan events)."""
    docs = contents.docs
    if not docs or docs[0][0] != "start":
        raise StorageError(
            f"{contents.path}: the first intact line is not a start document; "
            "this log cannot be recovered"
        )
    start = docs[0][1]
    descriptors = {d["uid"] for n, d in docs if n == "descriptor"}
    kept: list[tuple[str, dict]] = []
    orphans = 0
    stop = None
    for name, doc in docs:
        if name in ("event", "event_page") and doc.get("descriptor") not in descriptors:
            orphans += 1 if name == "event" else len(doc.get("seq_num", ()))
            continue
        if name == "stop":
            stop = doc
            continue
        if name == "start" and doc is not start:
            continue  # a second run in one log is not something the logger writes
        kept.append((name, doc))
    counts = count_events(kept)
    added = stop is None or bool(contents.damaged_lines) or orphans > 0
    if stop is None:
        last_time = max((_latest(d.get("time", 0.0)) for _, d in kept), default=time.time())
        why = "no stop document"
        stop = {
            "uid": str(uuid.uuid4()),
            "time": float(last_time),
            "run_start": start["uid"],
            "exit_status": "fail",
        }
    else:
        why = "a stop document, but damaged lines"
        stop = dict(stop)
        stop["exit_status"] = "fail" if added else stop.get("exit_status", "success")
    if added:
        detail = (
            f"{why}; damaged lines {contents.damaged_lines[:20]}" if contents.damaged_lines else why
        )
        if orphans:
            detail += f"; {orphans} events without their descriptor dropped"
        stop["reason"] = f"{RECOVERED_REASON} ({detail})"
    stop["num_events"] = counts
    kept.append(("stop", stop))
    return kept, added, orphans


def _latest(t) -> float:
    """A document's time; an event page's is a list (its latest)."""
    return max(t, default=0.0) if isinstance(t, list) else float(t)


def stored_event_counts(run) -> dict[str, int]:
    """Events per stream of a stored run, from its tables."""
    counts = {}
    for stream in run:
        try:
            data = run[stream].read()
        except Exception:  # noqa: BLE001 - a stream without a table has no events
            counts[stream] = 0
            continue
        counts[stream] = int(data.sizes.get("time", 0)) if hasattr(data, "sizes") else len(data)
    return counts


def recover(store, log_path: str | pathlib.Path) -> RecoveryResult:
    """Re-ingest one document log into the store (see the module docstring)."""
    from . import make_writer
    from .column_copy import remove_copies

    contents = read_log_checked(log_path)
    docs, added, orphans = complete_documents(contents)
    uid = docs[0][1]["uid"]
    in_log = sum(count_events(docs).values())
    if uid in store.client:
        # Partly stored (or stored with fewer events than the log holds): completed in place
        # from the log; nothing stored is deleted (see operando.storage.complete).
        run = store.client[uid]
        stop = run.metadata.get("stop")
        appended, already_whole = 0, bool(stop) and sum(stored_event_counts(run).values()) >= in_log
        try:
            # A writer that stopped mid-run left at most an unfinished copy; a run completed
            # in place is read from its table.
            remove_copies(store.columns_dir, uid, finished=not already_whole)
        except OSError as exc:
            raise StorageError(
                f"run {uid}: cannot remove its column copy before completing it ({exc}); "
                "nothing stored was removed, and recover can be run again"
            ) from None
        if not already_whole:
            try:
                appended = complete_in_place(run, docs)
            except Exception as exc:
                raise StorageError(
                    f"run {uid} is partly stored and could not be completed in place: {exc}; "
                    "nothing stored was removed, and recover can be run again"
                ) from None
        stored = sum(stored_event_counts(store.client[uid]).values())
        return RecoveryResult(
            pathlib.Path(log_path), uid, in_log, stored, added and not already_whole, appended,
            contents.damaged_lines, orphans,
        )  # fmt: skip
    writer = make_writer(store)
    for name, doc in docs:
        writer(name, doc)
    stored = sum(stored_event_counts(store.client[uid]).values())
    return RecoveryResult(
        pathlib.Path(log_path), uid, in_log, stored, added, 0,
        contents.damaged_lines, orphans,
    )  # fmt: skip


def incomplete_reason(run) -> str | None:
    """Why a stored run is incomplete (no stop, or recovered from a broken log), else None."""
    stop = run.metadata.get("stop")
    if not stop:
        return "it has no stop document (still running, or the writer stopped)"
    reason = stop.get("reason") or ""
    if RECOVERED_REASON in reason:
        return reason
    return None


def find_log(store, uid: str) -> pathlib.Path:
    if store.log_dir is None:
        raise NotFound("a served store has no local document logs; name the log file")
    matches = sorted(store.log_dir.glob(f"{uid}*.jsonl"))
    if len(matches) != 1:
        raise NotFound(f"{len(matches)} document logs match {uid!r} in {store.log_dir}")
    return matches[0]
