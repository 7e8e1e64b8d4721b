"""EXAFS as the field computes it: larch's ``autobk`` background and ``xftf`` transform.

- ``chi_k``: chi(k) of a normalised spectrum by ``autobk`` (a spline whose Fourier
  components below ``rbkg`` are removed), on larch's uniform k grid (0.05 1/A).
- ``ft_magnitude``: |chi(R)| of k^w chi(k) by ``xftf`` (window, dk taper), R in A, without
  phase correction: peaks sit ~0.3-0.5 A below the bond lengths, as in Athena.
- ``shell_peaks``: the strongest |chi(R)| peaks, refined by a parabola through three points.

Defaults are Athena's (rbkg 1 A, Hanning window with dk = 1 1/A, kweight 2), so numbers
compare with what a user sees there for the same parameters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..errors import BadRequest

if TYPE_CHECKING:
    from .xas import Normalized

ETOK = 0.2624682917  # k^2 (1/A^2) per eV above E0


def chi_k(
    n: Normalized,
    *,
    rbkg: float = 1.0,
    kweight: int = 2,
    k_step: float = 0.05,
    k_max: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """k (1/A) and chi(k) by larch's autobk, with E0 and the edge step of ``n``."""
    from larch import Group
    from larch.xafs import autobk

    if n.mu is None:
        raise BadRequest("chi(k) needs the raw absorption (a Normalized from normalize())")
    top = np.sqrt(ETOK * max(n.energy[-1] - n.e0, 0.0))
    if top < 3.0:
        raise BadRequest(
            f"no EXAFS to extract: the scan ends at k = {top:.1f} 1/A "
            f"({n.energy[-1] - n.e0:+.0f} eV above E0 = {n.e0:.1f} eV); needs k > 3 1/A"
        )
    g = Group(energy=n.energy, mu=n.mu)
    kws = {k: n.ranges[k] for k in ("pre1", "pre2", "norm1", "norm2", "nnorm") if k in n.ranges}
    autobk(
        g,
        rbkg=rbkg,
        ek0=n.e0,
        edge_step=n.edge_step,
        kweight=kweight,
        kstep=k_step,
        kmax=k_max,
        pre_edge_kws=kws or None,
    )
    return np.asarray(g.k, float), np.asarray(g.chi, float)


def ft_magnitude(
    k: np.ndarray,
    chi: np.ndarray,
    *,
    kweight: int = 2,
    kmin: float = 3.0,
    kmax: float = 12.0,
    dk: float = 1.0,
    window: str = "hanning",
    r_max: float = 6.0,
) -> tuple[np.ndarray, np.ndarray]:
    """R (A) and |FT[k^w chi(k) window(k)]| by larch's xftf; kmax is cut to the data."""
    from larch import Group
    from larch.xafs import xftf

    k = np.asarray(k, float)
    chi = np.asarray(chi, float)
    top = float(k[-1])
    if top <= kmin + 1.0:
        raise BadRequest(f"chi(k) ends at k = {top:.1f} 1/A, too short for kmin = {kmin:g}")
    step = float(np.median(np.diff(k)))
    if not np.allclose(np.diff(k), step, rtol=1e-3) or abs(k[0] / step - round(k[0] / step)) > 1e-3:
        grid = np.arange(0.0, top + step / 2, 0.05)  # xftf wants a uniform grid from 0
        chi, k = np.interp(grid, k, chi, left=0.0), grid
    g = Group()
    xftf(k, chi, group=g, kmin=kmin, kmax=min(kmax, top), dk=dk, kweight=kweight,
         window=window, rmax_out=r_max)  # fmt: skip
    return np.asarray(g.r, float), np.asarray(g.chir_mag, float)


def shell_peaks(
    r: np.ndarray,
    magnitude: np.ndarray,
    *,
    r_range: tuple[float, float] = (0.9, 3.2),
    n: int = 2,
) -> list[float]:
    """Positions (A) of the n strongest peaks of |FT| within r_range, by distance.

    The default range holds the first two shells; below ~0.9 A lies what the background
    removal left behind.
    """
    from scipy.signal import find_peaks  # here: scipy.signal takes ~0.7 s to import

    idx, _ = find_peaks(magnitude)
    idx = idx[(r[idx] >= r_range[0]) & (r[idx] <= r_range[1])]
    strongest = idx[np.argsort(-magnitude[idx], kind="stable")[:n]]
    return sorted(_vertex(r, magnitude, int(k)) for k in strongest)


def first_shell_peak(r: np.ndarray, magnitude: np.ndarray, r_min: float = 0.9) -> float:
    """Position (A) of the strongest |FT| peak above r_min (the first shell in oxides)."""
    peaks = shell_peaks(r, magnitude, r_range=(r_min, float(r[-1])), n=1)
    if not peaks:
        raise BadRequest(f"|FT| has no peak above {r_min:g} A")
    return peaks[0]


def _vertex(x: np.ndarray, y: np.ndarray, k: int) -> float:
    """Position of a peak at index k refined by a parabola through its three points."""
    if k == 0 or k == len(y) - 1:
        return float(x[k])
    denom = y[k - 1] - 2 * y[k] + y[k + 1]
    shift = 0.0 if denom == 0 else 0.5 * (y[k - 1] - y[k + 1]) / denom
    return float(x[k] + shift * (x[k + 1] - x[k]))
