"""Open a session for a command and run a plan in it the way every command does."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

from ..session import Session, make_session


def open_session(
    data: str, prefix: str | None, ca_port: int | None, time_scale: float | None
) -> Session:
    """A session storing in ``data`` (directory or tiled URI): on the beamline at ``prefix``
    (and ``ca_port``), or on a private simulated beamline running ``time_scale`` x the wall
    clock. Use it as a context manager."""
    return make_session(data, prefix=prefix, ca_port=ca_port, time_scale=time_scale)


def run_plan(session: Session, plan) -> list[str]:
    """Run a plan and return the uids of its runs. Ctrl-C aborts the run cleanly (the plan
    leaves the cell at open circuit) and exits with 130; a storage failure is reported
    (the documents are safe in the document log)."""
    from bluesky.utils import RunEngineInterrupted

    try:
        uids = session.RE(plan)
    except RunEngineInterrupted:
        print("interrupted: aborting the run (the cell goes to open circuit)", file=sys.stderr)
        session.RE.abort("interrupted by the operator")
        raise SystemExit(130) from None
    if session.writer.failed_runs:
        print(
            f"warning: storage failed for runs {session.writer.failed_runs}; they are safe in "
            f"{session.document_log.log_dir}; run `operando recover` once storage is back",
            file=sys.stderr,
        )
    return list(uids)


@contextlib.contextmanager
def simulator_time_scale(session: Session, time_scale: float | None) -> Iterator[None]:
    """On the simulator, its clock runs time_scale instrument s per wall s meanwhile, then
    as before (also on an exception). Nothing on a real beamline or with None."""
    if session.sim_control is None or time_scale is None:
        yield
        return
    scale = session.sim_control.time_scale
    before = scale.get()
    scale.put(time_scale, wait=True)
    try:
        yield
    finally:
        scale.put(before, wait=True)
