"""Re-attach to a procedure whose client was lost: read the instrument's buffer into the run.

A run's document log says what the client had received when it died; the start document
says where the instrument answers (``beamline``: prefix and Channel Access port). The
instrument kept recording: attach (optionally opens the circuit first, so the record ends
there) reads every point after those the log already holds from the potentiostat's record
(and, for a DEMS run, the mass spectrometer's) into the same run (same descriptors,
continuing seq_num), closes the run with a stop document saying it was re-attached, appends
all of it to the log, and stores the run with
:func:`operando.storage.recover.recover` (a partly stored copy is completed in place).
"""

from __future__ import annotations

import json
import os
import pathlib
import time
import uuid
from dataclasses import dataclass

from ..errors import BadRequest, InstrumentRefused, NotFound
from ..storage.recover import RecoveryResult, read_log_checked, recover

REATTACHED_REASON = "re-attached after the acquiring client was lost"


@dataclass
class AttachResult:
    uid: str
    events_in_log_before: int  # points the dead client had logged
    instrument_points: int  # points the instrument had recorded when attach read it
    status_before: str  # the potentiostat's status when attach connected
    opened_circuit: bool
    recovery: RecoveryResult
    primary_stored: int  # points of the primary stream now in the store
    streams: dict[str, tuple[int, int]]  # stream -> (points logged before, points recorded)
    stored: dict[str, int]  # stream -> points now in the store


def unfinished_logs(log_dir: pathlib.Path) -> list[pathlib.Path]:
    """Document logs without a stop document, oldest first."""
    found = []
    for path in sorted(log_dir.glob("*.jsonl"), key=lambda p: p.stat().st_mtime):
        contents = read_log_checked(path)
        if contents.docs and not any(name == "stop" for name, _ in contents.docs):
            found.append(path)
    return found


def attach(
    data: str,
    *,
    uid: str | None = None,
    prefix: str | None = None,
    ca_port: int | None = None,
    open_circuit: bool = False,
    timeout: float = 5.0,
) -> AttachResult:
    """Read the instrument's record of a lost client's run into the store (see module)."""
    from ..storage import open_store

    store = open_store(data)
    if store.log_dir is None:
        raise BadRequest("attach needs the data directory of the lost run (its document log)")
    logs = unfinished_logs(store.log_dir)
    if uid is not None:
        logs = [p for p in logs if p.stem.startswith(uid)]
    if not logs:
        raise NotFound(
            f"no unfinished run{' ' + uid if uid else ''} in {store.log_dir}: nothing to attach to"
        )
    log = logs[-1]
    contents = read_log_checked(log)
    start = contents.docs[0][1]
    beamline = start.get("beamline") or {}
    prefix = prefix or beamline.get("prefix")
    ca_port = ca_port if ca_port is not None else beamline.get("ca_port")
    if not prefix:
        raise BadRequest(f"run {start['uid']} does not say where its instrument is: give --prefix")
    if ca_port is not None:
        from ..session import point_ca_client_at

        point_ca_client_at(int(ca_port))
    from ..validation import read_pv

    if read_pv(f"{prefix}PSTAT:Status", None, timeout=timeout) is None:
        raise InstrumentRefused(
            f"the potentiostat {prefix}PSTAT: (Channel Access port {ca_port}) does not answer; "
            f"the run's {_logged_events(contents.docs)} logged points stay in {log} "
            "(operando recover stores them)"
        )
    from ..devices import Potentiostat

    pstat = Potentiostat(f"{prefix}PSTAT:", name="potentiostat")
    pstat.wait_for_connection(timeout=timeout)
    status_before = str(pstat.status.get(use_monitor=False))
    descriptors = {d.get("name"): d for n, d in contents.docs if n == "descriptor"}
    if "primary" not in descriptors:
        raise NotFound(f"run {start['uid']} has no primary stream in its log; nothing to extend")
    instruments = _instruments(prefix, pstat, descriptors, timeout)
    if open_circuit:
        pstat.open_circuit()
        if "dems" in instruments:
            instruments["dems"][0].acquire.put(0, wait=True)  # sampling stops with the cell
    new_docs: list[tuple[str, dict]] = []
    streams: dict[str, tuple[int, int]] = {}
    for stream, (device, keys) in instruments.items():
        pages, logged, recorded = _read_rest(device.buffer, keys, contents.docs,
                                             descriptors[stream], start["uid"])  # fmt: skip
        new_docs.extend(pages)
        streams[stream] = (logged, recorded)
    status_now = str(pstat.status.get(use_monitor=False))
    logged, seq = streams["primary"]
    stop = {
        "uid": str(uuid.uuid4()),
        "time": time.time(),
        "run_start": start["uid"],
        "exit_status": "success" if status_now != "Running" else "abort",
        "reason": f"{REATTACHED_REASON}; the instrument was {status_before}, "
        f"now {status_now}; "
        + ", ".join(f"{n} {stream} points" for stream, (_, n) in streams.items()),
    }
    new_docs.append(("stop", stop))
    _append(log, new_docs)
    result = recover(store, log)
    from ..storage.recover import stored_event_counts

    stored = stored_event_counts(store.client[start["uid"]])
    return AttachResult(
        start["uid"], logged, seq, status_before, open_circuit, result,
        stored.get("primary", 0), streams,
        {stream: stored.get(stream, 0) for stream in streams},
    )  # fmt: skip


def _instruments(prefix: str, pstat, descriptors: dict, timeout: float) -> dict:
    """stream name -> (device, buffer keys) for each stream of the log an instrument's record
    can extend: the potentiostat's primary, and the mass spectrometer's dems if logged."""
    from ..devices.potentiostat import PRIMARY_KEYS

    found = {"primary": (pstat, PRIMARY_KEYS)}
    if "dems" in descriptors:
        from ..devices import MassSpectrometer
        from ..devices.dems import DEMS_KEYS

        ms = MassSpectrometer(f"{prefix}DEMS:", name="dems")
        ms.wait_for_connection(timeout=timeout)
        found["dems"] = (ms, DEMS_KEYS)
    return found


def _read_rest(
    buf, keys: dict, docs: list[tuple[str, dict]], descriptor: dict, run_uid: str
) -> tuple[list[tuple[str, dict]], int, int]:
    """Event pages of the points of one record after those the log holds.

    Returns (pages, points logged, points the instrument recorded). Refuses a record that
    is not this run's (cleared since by another run)."""
    logged = _logged_events(docs, descriptor["uid"])
    first_clock = _first_clock(docs, descriptor["uid"])
    count = int(buf.count.get(use_monitor=False))
    if first_clock is not None and count:
        ts0 = float(buf.read_page(0)["ts"][0])
        if abs(ts0 - first_clock) > 1e-6:
            raise BadRequest(
                f"the instrument's record of the {descriptor.get('name')} stream does not hold "
                f"run {run_uid} (it was cleared since, by another run): only the logged "
                "points can be stored (operando recover)"
            )
    if count < logged:
        raise BadRequest(
            f"the instrument holds {count} {descriptor.get('name')} points but the log "
            f"{logged}: not this run's record"
        )
    buf.resume_after(logged)
    pages: list[tuple[str, dict]] = []
    seq = logged
    for payload in buf.event_pages(keys):
        n = len(payload["data"]["clock"])
        now = time.time()
        pages.append(
            ("event_page", {
                "descriptor": descriptor["uid"],
                "uid": [str(uuid.uuid4()) for _ in range(n)],
                "seq_num": list(range(seq + 1, seq + n + 1)),
                "time": [now] * n,
                "data": payload["data"],
                "timestamps": payload["timestamps"],
                "filled": {},
            })
        )  # fmt: skip
        seq += n
    return pages, logged, seq


def _logged_events(docs, descriptor_uid: str | None = None) -> int:
    n = 0
    for name, doc in docs:
        if descriptor_uid is not None and doc.get("descriptor") != descriptor_uid:
            continue
        if name == "event":
            n += 1
        elif name == "event_page":
            n += len(doc["seq_num"])
    return n


def _first_clock(docs, descriptor_uid: str) -> float | None:
    for name, doc in docs:
        if doc.get("descriptor") != descriptor_uid:
            continue
        if name == "event":
            return float(doc["data"]["clock"])
        if name == "event_page" and doc["seq_num"]:
            return float(doc["data"]["clock"][0])
    return None


def _append(log: pathlib.Path, docs: list[tuple[str, dict]]) -> None:
    """Append documents to a log, after a newline if its last line was torn."""
    with open(log, "rb+") as f:
        f.seek(0, os.SEEK_END)
        if f.tell():
            f.seek(-1, os.SEEK_END)
            if f.read(1) != b"\n":
                f.write(b"\n")
        for name, doc in docs:
            f.write((json.dumps({"name": name, "doc": doc}) + "\n").encode())
        f.flush()
        os.fsync(f.fileno())
