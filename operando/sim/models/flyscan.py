"""Continuous monochromator sweeps (fly scans), as QEXAFS and soft X-ray beamlines run them.

A sweep is a trajectory of points: the monochromator passes point k's energy (eV) while
the counters integrate for its dwell (s); it moves on at |E[k+1] - E[k]| / dwell[k] eV/s,
which may not exceed the monochromator's top speed. Before the first point it moves there
at top speed. The counts of a point are those of the endstation at the point's energy
(``Endstation.count_many``): the bins of the edge grids (0.1-10 eV) are narrow beside the
core-hole broadening, so the spread of energies within a bin is not modelled.

The rows land in a :class:`SweepBuffer` (instrument time at the end of each point's dwell,
energy, I0, the yields or transmitted intensities, the ring current), read out in pages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

MAX_FLY_POINTS = 4000  # points of one trajectory (waveform length)
MAX_FLY_DWELL_S = 600.0  # longest dwell of one point


class SweepError(ValueError):
    """A sweep the monochromator cannot do (the reason is the message)."""


def uniform(start_eV: float, stop_eV: float, points: int, dwell_s: float):
    """The trajectory of a uniform sweep: points energies from start to stop (eV), each
    counted for dwell_s (s)."""
    if not 2 <= points <= MAX_FLY_POINTS:
        raise SweepError(f"a sweep has 2 to {MAX_FLY_POINTS} points, got {points}")
    return np.linspace(start_eV, stop_eV, int(points)), np.full(int(points), float(dwell_s))


def check_trajectory(energies, dwells, low_eV: float, high_eV: float, top_speed_eV_s: float):
    """Refuse (SweepError) a trajectory the monochromator cannot follow: fewer than 2 or
    more than MAX_FLY_POINTS points, a value that is not finite, an energy outside
    [low_eV, high_eV], a dwell outside (0, MAX_FLY_DWELL_S] s, or a speed above the top."""
    e, d = np.asarray(energies, float), np.asarray(dwells, float)
    if e.shape != d.shape or e.ndim != 1:
        raise SweepError("energies and dwells must be arrays of the same length")
    if not 2 <= e.size <= MAX_FLY_POINTS:
        raise SweepError(f"a sweep has 2 to {MAX_FLY_POINTS} points, got {e.size}")
    if not (np.isfinite(e).all() and np.isfinite(d).all()):
        raise SweepError("energies and dwells must be finite numbers")
    if e.min() < low_eV or e.max() > high_eV:
        raise SweepError(
            f"sweep {e.min():g}-{e.max():g} eV outside the monochromator's range "
            f"[{low_eV:g}, {high_eV:g}] eV"
        )
    if not ((d > 0).all() and (d <= MAX_FLY_DWELL_S).all()):
        raise SweepError(f"dwells must lie in (0, {MAX_FLY_DWELL_S:g}] s")
    speed = np.abs(np.diff(e)) / d[:-1]
    if speed.size and speed.max() > top_speed_eV_s:
        k = int(speed.argmax())
        raise SweepError(
            f"point {k} asks {speed[k]:.3g} eV/s; the monochromator sweeps at most "
            f"{top_speed_eV_s:g} eV/s"
        )


@dataclass
class Sweep:
    """A sweep under way: point k is counted from ``ends[k] - dwells[k]`` to ``ends[k]``
    (instrument time, POSIX s); ``done`` points have been counted."""

    energies: np.ndarray
    dwells: np.ndarray
    t_first: float  # instrument time at which the first point starts counting
    ends: np.ndarray = field(init=False)
    done: int = 0

    def __post_init__(self) -> None:
        self.ends = self.t_first + np.cumsum(self.dwells)

    @property
    def finished(self) -> bool:
        return self.done >= self.energies.size

    def due(self, now: float) -> slice:
        """The points whose dwell ended by instrument time now and were not counted yet."""
        n = int(np.searchsorted(self.ends, now, side="right"))
        return slice(self.done, max(self.done, n))

    def wall_until_next(self, now: float, time_scale: float) -> float:
        """Wall seconds until the next point is due (0 if it is)."""
        if self.finished:
            return 0.0
        return max(0.0, (self.ends[self.done] - now) / time_scale)


class SweepBuffer:
    """Rows of the sweeps, column by column; cleared when a sweep starts."""

    def __init__(self, columns: tuple[str, ...], t0: float) -> None:
        self.columns = ("ts", *columns)
        self.t0 = t0
        self._parts: dict[str, list[np.ndarray]] = {c: [] for c in self.columns}
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def clear(self, t0: float) -> None:
        self.t0 = t0
        self._parts = {c: [] for c in self.columns}
        self._n = 0

    def extend(self, rows: dict[str, np.ndarray]) -> None:
        n = len(rows["ts"])
        for c in self.columns:
            self._parts[c].append(np.asarray(rows[c], float))
        self._n += n

    def page(self, start: int, size: int) -> dict[str, list[float]]:
        """Rows start .. start+size, each column a list."""
        out = {}
        for c in self.columns:
            parts = self._parts[c]
            if len(parts) > 1:  # keep one array per column: pages slice it
                parts[:] = [np.concatenate(parts)]
            column = parts[0] if parts else np.zeros(0)
            out[c] = column[start : start + size].tolist()
        return out


def approach_s(energy_now: float, first: float, top_speed_eV_s: float) -> float:
    """Instrument seconds to move from the present energy to the first point (eV)."""
    if top_speed_eV_s <= 0 or not math.isfinite(top_speed_eV_s):
        raise SweepError("the monochromator has no speed")
    return abs(first - energy_now) / top_speed_eV_s
