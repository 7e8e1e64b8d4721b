"""Cyclic voltammetry: peaks of the current in each sweep of a voltammogram (pure).

A voltammogram is the potentiostat's points (Ewe V, I mA, step) of linear potential sweeps,
one instrument step per sweep. An anodic sweep (potential rising) shows oxidation peaks
(maxima of a positive current), a cathodic sweep reduction peaks (minima of a negative
current). A cycle is an anodic sweep and the cathodic sweep after it.
"""

from __future__ import annotations

import numpy as np

PROMINENCE = 0.05  # a peak stands out by this share of the sweep's largest |I|


def sweeps(ewe_V: np.ndarray, step: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """The sweeps of a voltammogram: ("anodic" | "cathodic", indices of its points)."""
    out = []
    for s in np.unique(step):
        idx = np.flatnonzero(step == s)
        if idx.size < 3:
            continue
        rising = ewe_V[idx[-1]] > ewe_V[idx[0]]
        out.append(("anodic" if rising else "cathodic", idx))
    return out


def sweep_peaks(
    ewe_V: np.ndarray, i_mA: np.ndarray, anodic: bool, prominence: float = PROMINENCE
) -> tuple[list[float], list[float]]:
    """Peak potentials (V) and currents (mA) of one sweep, strongest first: maxima of a
    positive current on an anodic sweep, minima of a negative one on a cathodic sweep."""
    signed = i_mA if anodic else -i_mA
    scale = float(np.max(np.abs(i_mA))) if i_mA.size else 0.0
    if scale <= 0:
        return [], []
    from scipy.signal import find_peaks  # here: scipy.signal takes ~0.7 s to import

    found, _ = find_peaks(np.concatenate(([-np.inf], signed, [-np.inf])),
                          prominence=prominence * scale)  # fmt: skip
    found = found - 1
    found = found[signed[found] > 0]
    order = found[np.argsort(-signed[found])]
    return [float(ewe_V[k]) for k in order], [float(i_mA[k]) for k in order]


def voltammogram_peaks(ewe_V: np.ndarray, i_mA: np.ndarray, step: np.ndarray) -> list[dict]:
    """Per cycle: ``cycle``, ``anodic_peaks_V``, ``cathodic_peaks_V`` (strongest first) and
    ``peak_currents_mA`` {"anodic": [...], "cathodic": [...]} in the same order."""
    ewe_V, i_mA, step = (np.asarray(a, dtype=float) for a in (ewe_V, i_mA, step))
    cycles: list[dict] = []
    for kind, idx in sweeps(ewe_V, step):
        if kind == "anodic" or not cycles:
            cycles.append({"anodic_peaks_V": [], "cathodic_peaks_V": [],
                           "peak_currents_mA": {"anodic": [], "cathodic": []}})  # fmt: skip
        v, i = sweep_peaks(ewe_V[idx], i_mA[idx], kind == "anodic")
        cycles[-1][f"{kind}_peaks_V"] = v
        cycles[-1]["peak_currents_mA"][kind] = i
    return [{"cycle": n, **c} for n, c in enumerate(cycles, 1)]
