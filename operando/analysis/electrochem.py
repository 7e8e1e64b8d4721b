"""Electrochemistry from potentiostat points: capacities, coulombic efficiency, Li, dQ/dV.

Pure functions over numpy arrays (time in s, potential in V, current in mA). Positive
current charges (oxidises) the cathode. Nothing here knows what a material "should" give.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d

from ..sample import molar_mass

FARADAY_MAH_PER_MOL = 96485.332 / 3.6  # mAh per mol of electrons


@dataclass(frozen=True)
class HalfCycle:
    """A charge or a discharge: one or more constant-sign current segments in a row.

    ``starts`` are the indices where each segment begins: a charge interrupted by a rest
    (to measure, or a CC then a CV step) is one half-cycle whose charge is summed segment
    by segment, never integrated across the interruption.
    """

    direction: str  # "charge" or "discharge"
    t_s: np.ndarray
    ewe_V: np.ndarray
    i_mA: np.ndarray
    starts: tuple[int, ...] = (0,)

    @property
    def capacity_mAh(self) -> float:
        q = self.cumulative_mAh()
        return float(q[-1]) if q.size else 0.0

    def cumulative_mAh(self) -> np.ndarray:
        """Charge passed since the start of the half-cycle (mAh, positive)."""
        out = np.zeros(self.t_s.size)
        bounds = [*self.starts, self.t_s.size]
        offset = 0.0
        for a, b in zip(bounds, bounds[1:], strict=False):
            q = cumulative_charge_mAh(self.t_s[a:b], np.abs(self.i_mA[a:b])) + offset
            out[a:b] = q
            offset = float(q[-1]) if q.size else offset
        return out

    def joined(self, other: HalfCycle) -> HalfCycle:
        """This half-cycle continued by other (same direction)."""
        n = self.t_s.size
        return HalfCycle(
            self.direction,
            np.concatenate([self.t_s, other.t_s]),
            np.concatenate([self.ewe_V, other.ewe_V]),
            np.concatenate([self.i_mA, other.i_mA]),
            (*self.starts, *(n + k for k in other.starts)),
        )


def cumulative_charge_mAh(t_s: np.ndarray, i_mA: np.ndarray) -> np.ndarray:
    """Running trapezoidal integral of I dt, in mAh."""
    t = np.asarray(t_s, float)
    i = np.asarray(i_mA, float)
    if t.size < 2:
        return np.zeros_like(t)
    steps = 0.5 * (i[1:] + i[:-1]) * np.diff(t) / 3600.0
    return np.concatenate([[0.0], np.cumsum(steps)])


def capacity_mAh(t_s: np.ndarray, i_mA: np.ndarray) -> float:
    """Charge passed (mAh, positive) over a segment, integrated from I(t)."""
    q = cumulative_charge_mAh(t_s, np.abs(np.asarray(i_mA, float)))
    return float(q[-1]) if q.size else 0.0


def split_half_cycles(
    t_s: np.ndarray, ewe_V: np.ndarray, i_mA: np.ndarray, step: np.ndarray | None = None
) -> list[HalfCycle]:
    """Split points into charge and discharge segments.

    A segment is a run of points with the same current sign (and, when given, the same
    instrument step number). Points at zero current (rests) separate segments.
    """
    t, e, i = (np.asarray(a, float) for a in (t_s, ewe_V, i_mA))
    step = None if step is None else np.asarray(step, float)
    sizes = {a.shape for a in (t, e, i) + (() if step is None else (step,))}
    if len(sizes) != 1 or t.ndim != 1:
        raise ValueError(
            f"t_s, ewe_V, i_mA (and step) must be 1-D of one length, got shapes {sorted(sizes)}"
        )
    if not np.all(t[1:] >= t[:-1]):  # stored runs are in time order: no sort to pay then
        order = np.argsort(t, kind="stable")
        t, e, i = t[order], e[order], i[order]
        step = None if step is None else step[order]
    sign = np.sign(i)
    key = sign if step is None else sign * (1 + step)
    if t.size == 0:
        return []
    # Runs of equal key, found at once (a long run has a million points, few segments).
    bounds = np.concatenate(([0], np.flatnonzero(key[1:] != key[:-1]) + 1, [len(t)]))
    segments = []
    for start, end in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        if sign[start] != 0 and end - start >= 2:
            direction = "charge" if sign[start] > 0 else "discharge"
            segments.append(HalfCycle(direction, t[start:end], e[start:end], i[start:end]))
    return segments


def pair_cycles(segments: list[HalfCycle]) -> list[tuple[HalfCycle | None, HalfCycle | None]]:
    """Group segments into (charge, discharge) cycles, a cycle starting with a charge.

    Segments of the same direction in a row (separated by rests or step changes) join into
    one half-cycle.
    """
    cycles: list[list[HalfCycle | None]] = []
    for seg in segments:
        last = cycles[-1] if cycles else None
        if seg.direction == "charge":
            if last is not None and last[0] is not None and last[1] is None:
                last[0] = last[0].joined(seg)
            else:
                cycles.append([seg, None])
        elif last is not None and last[1] is not None:
            last[1] = last[1].joined(seg)
        elif last is not None:
            last[1] = seg
        else:
            cycles.append([None, seg])
    return [(c, d) for c, d in cycles]


def li_equivalents(capacity_mAh_g: float, formula: str) -> float:
    """Li per formula unit that a specific capacity (mAh/g) corresponds to."""
    return capacity_mAh_g * molar_mass(formula) / FARADAY_MAH_PER_MOL


def coulombic_efficiency_pct(charge_mAh: float, discharge_mAh: float) -> float:
    """Discharge over charge capacity, in percent."""
    if charge_mAh <= 0:
        raise ValueError("coulombic efficiency needs a positive charge capacity")
    return 100.0 * discharge_mAh / charge_mAh


def dqdv(
    q_mAh_g: np.ndarray,
    ewe_V: np.ndarray,
    *,
    q_step: float = 0.05,
    v_step: float = 0.002,
    savgol_window_mAh_g: float = 0.25,
    gaussian_sigma_V: float = 0.006,
) -> tuple[np.ndarray, np.ndarray]:
    """Incremental capacity dQ/dV (mAh g-1 V-1) of one half-cycle, as cellpy's ICA does it.

    V(q) is interpolated onto a uniform capacity grid (q_step, mAh/g) and smoothed with a
    Savitzky-Golay filter; the monotonic curve is inverted to q(V) on a uniform voltage
    grid (v_step, V), differentiated, and smoothed with a Gaussian (gaussian_sigma_V, V).
    Returns (V grid, dQ/dV), dQ/dV positive for both charge and discharge.
    """
    q = np.asarray(q_mAh_g, float)
    v = np.asarray(ewe_V, float)
    if q.size < 5:
        raise ValueError("dQ/dV needs at least 5 points")
    q_grid = np.arange(q[0], q[-1], q_step)
    if q_grid.size < 5:
        raise ValueError("the half-cycle holds too little capacity for dQ/dV")
    v_grid_q = np.interp(q_grid, q, v)
    window = max(5, int(round(savgol_window_mAh_g / q_step)) | 1)
    if window < v_grid_q.size:
        from scipy.signal import savgol_filter  # here: scipy.signal takes ~0.7 s to import

        v_grid_q = savgol_filter(v_grid_q, window, 2)
    falling = v_grid_q[-1] < v_grid_q[0]
    if falling:  # discharge: make V increase along the array
        v_grid_q, q_grid = v_grid_q[::-1], q_grid[::-1]
    v_mono = np.maximum.accumulate(v_grid_q)
    # Strictly increasing for inversion: a plateau keeps its capacity at one voltage.
    v_mono = v_mono + np.arange(v_mono.size) * 1e-12
    v_axis = np.arange(v_mono[0], v_mono[-1], v_step)
    if v_axis.size < 5:  # a potentiostatic hold, or a segment of a few mV
        raise ValueError("the half-cycle spans too small a voltage range for dQ/dV")
    q_of_v = np.interp(v_axis, v_mono, q_grid)
    d = np.abs(np.gradient(q_of_v, v_axis))
    d = gaussian_filter1d(d, gaussian_sigma_V / v_step)
    return v_axis, d


def peak_positions(
    v_axis: np.ndarray, dqdv_values: np.ndarray, *, min_prominence: float = 0.03
) -> list[float]:
    """Peak positions (V), strongest first; a peak must stand out by min_prominence of
    the largest value and lie away from the ends of the voltage range."""
    if dqdv_values.size < 3:
        return []
    prominence = min_prominence * float(np.max(dqdv_values))
    from scipy.signal import find_peaks  # here: scipy.signal takes ~0.7 s to import

    idx, _ = find_peaks(dqdv_values, prominence=prominence)
    idx = idx[(idx > 2) & (idx < dqdv_values.size - 3)]
    idx = idx[np.argsort(-dqdv_values[idx], kind="stable")]
    return [float(v_axis[k]) for k in idx]


def mean_voltage_V(seg: HalfCycle) -> float | None:
    """Charge-weighted mean potential of a half-cycle (V): integral of E dQ over Q."""
    q = seg.cumulative_mAh()
    if q.size < 2 or q[-1] <= 0:
        return None
    return float(np.trapezoid(seg.ewe_V, q) / q[-1])


def cycle_metrics(
    charge: HalfCycle | None, discharge: HalfCycle | None, mass_g: float, formula: str | None
) -> dict:
    """Capacities (mAh/g), CE (%), Li equivalents, dQ/dV peaks (V) and the mean discharge
    potential (V) of one cycle."""
    out: dict = {}
    for label, seg in (("charge", charge), ("discharge", discharge)):
        if seg is None:
            out[f"{label}_capacity_mAh_g"] = None
            out[f"dqdv_{label}_peaks_V"] = []
            continue
        cap = seg.capacity_mAh / mass_g
        out[f"{label}_capacity_mAh_g"] = cap
        try:
            v_axis, d = dqdv(seg.cumulative_mAh() / mass_g, seg.ewe_V)
            out[f"dqdv_{label}_peaks_V"] = peak_positions(v_axis, d)
        except ValueError:
            out[f"dqdv_{label}_peaks_V"] = []
    ch, dis = out["charge_capacity_mAh_g"], out["discharge_capacity_mAh_g"]
    out["coulombic_efficiency_pct"] = (
        coulombic_efficiency_pct(ch, dis) if ch and dis is not None else None
    )
    # Li per formula unit needs a formula (an imported file may come without one).
    out["li_removed"] = li_equivalents(ch, formula) if ch is not None and formula else None
    out["li_inserted"] = li_equivalents(dis, formula) if dis is not None and formula else None
    out["mean_discharge_V"] = mean_voltage_V(discharge) if discharge is not None else None
    return out


def summarize_cycling(
    t_s: np.ndarray,
    ewe_V: np.ndarray,
    i_mA: np.ndarray,
    *,
    active_mass_mg: float,
    formula: str,
    step: np.ndarray | None = None,
) -> dict:
    """First-cycle metrics at the top level and every cycle under ``cycles``."""
    if active_mass_mg <= 0:
        raise ValueError(f"active mass must be positive, got {active_mass_mg} mg")
    mass_g = active_mass_mg * 1e-3
    cycles = pair_cycles(split_half_cycles(t_s, ewe_V, i_mA, step))
    per_cycle = [cycle_metrics(c, d, mass_g, formula) for c, d in cycles]
    first = per_cycle[0] if per_cycle else cycle_metrics(None, None, mass_g, formula)
    return {**first, "cycles": per_cycle}
