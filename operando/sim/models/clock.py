"""The simulator's virtual clock: instrument time that runs `time_scale` times the wall clock."""

from __future__ import annotations

import time


class VirtualClock:
    """Instrument time as POSIX seconds, starting at the wall time of creation.

    Changing the time scale re-anchors the clock, so instrument time is continuous.
    """

    def __init__(self, time_scale: float = 1.0, wall=time.time):
        if not 0 < time_scale < float("inf"):
            raise ValueError(f"time scale must be finite and positive, got {time_scale}")
        self._wall = wall
        self._wall0 = wall()
        self._virtual0 = self._wall0
        self._scale = float(time_scale)

    @property
    def time_scale(self) -> float:
        return self._scale

    @time_scale.setter
    def time_scale(self, value: float) -> None:
        if not 0 < value < float("inf"):  # NaN or inf would freeze the clock for good
            raise ValueError(f"time scale must be finite and positive, got {value}")
        now = self.now()
        self._wall0, self._virtual0, self._scale = self._wall(), now, float(value)

    def now(self) -> float:
        """Instrument time (POSIX seconds)."""
        return self._virtual0 + (self._wall() - self._wall0) * self._scale
