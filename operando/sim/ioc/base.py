"""Pieces shared by the simulated instruments' PV groups."""

from __future__ import annotations

import contextlib

from caproto import ChannelType
from caproto.server import PVGroup, pvproperty

from ..models.potentiostat import ComplianceError

PAGE_SIZE = 2000  # buffer points per page read
TICK_S = 0.05  # wall-clock period of the simulation loop
ADVANCE_BUDGET_S = 0.1  # most wall time one simulation tick may take, so CA stays responsive
# The instrument clock PVs change every tick; publishing them that often floods any client
# that monitors them, and with caproto each monitor update that meets a client's next
# request delays it ~40 ms (measured): 2 Hz is plenty for a clock.
CLOCK_PUBLISH_S = 0.5


class ClockPublisher:
    """Writes an instrument-clock PV at most every CLOCK_PUBLISH_S of wall time."""

    def __init__(self) -> None:
        self._last = -1e9

    async def publish(self, pv, value: float, *, force: bool = False) -> None:
        import time

        now = time.monotonic()
        if force or now - self._last >= CLOCK_PUBLISH_S:
            self._last = now
            await pv.write(value)


def page_array(name: str, units: str = "", doc: str = ""):
    """One column of a page of an on-instrument buffer (read-only array PV)."""
    return pvproperty(
        name=name,
        value=[0.0] * PAGE_SIZE,
        max_length=PAGE_SIZE,
        units=units,
        doc=doc,
        read_only=True,
    )


async def publish_page(group: PVGroup, buffer, start: int) -> None:
    """Write the page of buffer beginning at start into the group's column PVs and N.

    The group has one array PV per buffer column, named as the column, and ``n``.
    """
    if not 0 <= start <= len(buffer):
        raise ComplianceError(f"page start {start} outside the buffer [0, {len(buffer)}]")
    page = buffer.page(int(start), PAGE_SIZE)
    for name, column in page.items():
        await getattr(group, name).write(column)
    await group.n.write(len(page["ts"]))


def _message(name: str, doc: str):
    """A line of text the instrument publishes (read-only char waveform, 256 bytes)."""
    return pvproperty(
        name=name, value="", max_length=256, dtype=ChannelType.CHAR, read_only=True, doc=doc
    )


class RefusingGroup(PVGroup):
    """An instrument whose putters may refuse a value, saying why in LastError and which
    PV it refused in LastErrorPV (written just before LastError)."""

    last_error = _message("LastError", "why the last refused put was refused")
    last_error_pv = _message(
        "LastErrorPV", "the PV whose put was refused last (written just before LastError)"
    )

    @contextlib.asynccontextmanager
    async def refusals(self, instance):
        """Publish a refused put's PV (``instance``, the PV put to) and reason in
        LastErrorPV and LastError, then refuse it (ECA_PUTFAIL). A client waiting on that
        PV's put knows at once that the refusal is its own."""
        try:
            yield
        except (ComplianceError, ValueError) as exc:
            await self.last_error_pv.write(instance.pvname[:255])
            await self.last_error.write(str(exc)[:255])
            raise
