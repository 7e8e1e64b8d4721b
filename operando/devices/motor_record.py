"""A motor record as ophyd's ``EpicsMotor``, ending a move with the record's put completion
and failing a refused move with the instrument's own reason (its ``LastError``)."""

from __future__ import annotations

import contextlib
import functools
import math
import numbers
import threading

from ophyd import Component as Cpt
from ophyd import EpicsMotor, EpicsSignal, EpicsSignalRO
from ophyd.status import MoveStatus

from ..errors import BadRequest, InstrumentRefused
from .instrument import (
    COMPLETION_TIMEOUT_S,
    RefusalWatch,
    last_error_signal,
    refusing_instrument,
)


class Motor(EpicsMotor):
    """ophyd's EpicsMotor on a motor record, ending a move with the record's put
    completion and telling why a move was refused.

    A motor record completes a put to VAL (ca_put_callback) once the move is over (DMOV
    back to 1); the move ends then. The readback and the other fields are read when
    needed rather than monitored: with caproto a monitor update that arrives while the
    client sends its next request costs tens of ms (measured: ~10 points/s in an XAS scan
    with ophyd's monitored EpicsMotor, ~30 with this one), and the readback read with a
    point is the one after the move.

    A target outside the motor's limits (HLM/LLM, its setpoint's control limits) or not
    a finite number is refused before anything is written (BadRequest). A move the IOC
    refuses never completes: it fails with the instrument's LastError once the IOC has
    published a refusal while it was pending (``RefusalWatch``, as for a ``Setpoint``), or
    after COMPLETION_TIMEOUT_S without completion. A slow IOC is never taken for a
    refusing one, nor an old refusal for the reason.
    ``range_name`` says what the limits are in messages.
    """

    range_name = "its limits"
    user_readback = Cpt(EpicsSignalRO, ".RBV", kind="hinted", auto_monitor=False)
    user_setpoint = Cpt(EpicsSignal, ".VAL", limits=True, auto_monitor=False)
    user_offset = Cpt(EpicsSignal, ".OFF", kind="config", auto_monitor=False)
    user_offset_dir = Cpt(EpicsSignal, ".DIR", kind="config", auto_monitor=False)
    offset_freeze_switch = Cpt(EpicsSignal, ".FOFF", kind="omitted", auto_monitor=False)
    set_use_switch = Cpt(EpicsSignal, ".SET", kind="omitted", auto_monitor=False)
    velocity = Cpt(EpicsSignal, ".VELO", kind="config", auto_monitor=False)
    acceleration = Cpt(EpicsSignal, ".ACCL", kind="config", auto_monitor=False)
    motor_egu = Cpt(EpicsSignal, ".EGU", kind="config", auto_monitor=False)
    motor_is_moving = Cpt(EpicsSignalRO, ".MOVN", kind="omitted", auto_monitor=False)
    motor_done_move = Cpt(EpicsSignalRO, ".DMOV", kind="omitted", auto_monitor=False)
    high_limit_switch = Cpt(EpicsSignalRO, ".HLS", kind="omitted", auto_monitor=False)
    low_limit_switch = Cpt(EpicsSignalRO, ".LLS", kind="omitted", auto_monitor=False)
    direction_of_travel = Cpt(EpicsSignal, ".TDIR", kind="omitted", auto_monitor=False)

    def __init__(self, *args, last_error_pv: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.last_error = last_error_signal(last_error_pv, self.name)
        self._egu: str | None = None
        self._last_read_here = threading.local()  # per thread: see _last_read_position

    @property
    def egu(self) -> str:
        """The engineering units (EGU), read once: configuration of the record, and ophyd
        asks for them at every move."""
        if self._egu is None:
            self._egu = super().egu
        return self._egu

    @property
    def setpoint(self) -> EpicsSignal:
        """The setpoint (VAL)."""
        return self.user_setpoint

    @property
    def position(self) -> float:
        """The readback (RBV) now."""
        last = self.user_readback._readback  # ophyd's last value read (a sentinel if none)
        if getattr(self._last_read_here, "on", False) and isinstance(last, numbers.Real):
            return float(last)
        return float(self.user_readback.get())

    @contextlib.contextmanager
    def _last_read_position(self):
        """In this thread only, ``position`` gives the readback last read, without a
        Channel Access read, for a move's status (its start position is for display
        only); other threads still read it."""
        self._last_read_here.on = True
        try:
            yield
        finally:
            self._last_read_here.on = False

    def check_value(self, pos) -> None:
        low, high = self.limits
        if not (isinstance(pos, (int, float)) and math.isfinite(pos)) or (
            low < high and not low <= pos <= high
        ):
            raise BadRequest(
                f"{self.name}: {pos} {self.egu} outside {self.range_name} "
                f"[{low:g}, {high:g}] {self.egu}"
            )

    def move(self, position, wait: bool = True, moved_cb=None, timeout: float | None = None):
        """Move to position (a MoveStatus, done when the record completes the put)."""
        self._started_moving = False
        # PositionerBase.move, with a status that does not read the readback.
        self.check_value(position)
        self._run_subs(sub_type=self._SUB_REQ_DONE, success=False)
        self._reset_sub(self._SUB_REQ_DONE)
        status = _MoveStatus(self, position, settle_time=self._settle_time,
                             timeout=self._timeout if timeout is None else timeout)  # fmt: skip
        if moved_cb is not None:
            status.add_callback(functools.partial(moved_cb, obj=self))
        self.subscribe(status._finished, event_type=self._SUB_REQ_DONE, run=False)
        self._move_status = status
        instrument = refusing_instrument(self)
        watch = RefusalWatch.of(instrument) if instrument is not None else None
        pv = self.user_setpoint.pvname
        timers: list[threading.Timer] = []

        def fail(reason: str) -> None:
            if not status.done:
                status.set_exception(InstrumentRefused(f"{pv} refused {position!r}: {reason}"))

        def refused(reason: str) -> None:
            # The instrument refused something while this move was pending; a refusal of
            # another put on the same instrument leaves a move under way alone.
            if not self._moving_now():
                fail(reason)

        since = watch.listen(status, refused, pv) if watch is not None else 0.0

        def completed(*args, **kw) -> None:
            # A superseded or failed move's late completion is not the current move's.
            if status is self._move_status and not status.done:
                self._done_moving(success=True)

        def finished(done) -> None:
            for timer in timers:
                timer.cancel()
            if watch is not None:
                watch.forget(done)
            if not done.success:  # its completion subscription must not outlive it
                try:
                    self.clear_sub(done._finished, event_type=self._SUB_REQ_DONE)
                except RuntimeError:  # a new move subscribing meanwhile resets them anyway
                    pass

        def timed_out() -> None:
            # A move under way (DMOV 0) is given more time; else a move neither completed
            # nor refused fails, with a refusal published meanwhile as its reason.
            if status.done:
                return
            if self._moving_now():
                arm()
                return
            fail(
                (watch.refusal_since(since) if watch is not None else None)
                or f"neither completed nor refused within {COMPLETION_TIMEOUT_S:g} s"
            )

        def arm() -> None:
            timer = threading.Timer(COMPLETION_TIMEOUT_S, timed_out)
            timer.daemon = True
            timers.append(timer)
            timer.start()

        self.user_setpoint.put(position, use_complete=True, callback=completed)
        arm()
        status.add_callback(finished)
        if wait:
            status.wait()
        return status

    def _moving_now(self) -> bool:
        """Whether the record says it is moving (DMOV 0); False if it does not answer."""
        try:
            return self.motor_done_move.get(use_monitor=False) == 0
        except Exception:  # noqa: BLE001 - a lost IOC: the move is not under way
            return False


class _MoveStatus(MoveStatus):
    """ophyd's MoveStatus without its two or three Channel Access reads of the readback
    per successful move (a third of a RIXS step's round trips): the start position is the
    readback last read, the finish position of a completed move the target, which the
    motor record has reached when it completes the put (DMOV 1). A failed move (refused,
    timed out, superseded) reads the readback for its finish position, as ophyd does. A
    plan reads the readback itself where it records it."""

    def __init__(self, positioner: Motor, target, **kwargs):
        with positioner._last_read_position():
            super().__init__(positioner, target, **kwargs)

    def _settled(self) -> None:
        if self._exception is not None:  # failed: where the motor is, read
            super()._settled()
            return
        with self.pos._last_read_position():
            super()._settled()
        self.finish_pos = self.target
