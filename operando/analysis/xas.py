"""X-ray absorption: normalisation, edge positions, valence, EXAFS and Ni L3 ratios.

Pure functions over arrays (energy in eV, absorption in arbitrary units):

- ``normalize``: a pre-edge line fitted over [e0 + pre1, e0 + pre2] and a post-edge
  polynomial over [e0 + norm1, e0 + norm2] (as xraylarch's ``pre_edge``); the edge step is
  their difference at e0, and the normalised spectrum is (mu - pre-edge line) / step.
- ``find_e0``: the maximum of the derivative (smoothed by a few points).
- ``half_height_edge``: the energy at which the normalised spectrum crosses 0.5 on the *main*
  edge: the last upward crossing before it first reaches 1 (a strong pre-edge peak, as in
  V2O5, may cross 0.5 earlier and fall back).
- ``white_line_energy``: the energy of the main absorption maximum (the white line) within a
  window above the half-height edge, after a light Gaussian smoothing. On real V oxides it
  tracks valence linearly where the half-height edge saturates (VO2 vs V2O5).
- ``valence_calibration``: a straight line of edge position against the formal valence of
  reference compounds; its inverse gives the valence of an unknown.
- ``chi_k`` / ``ft_magnitude``: EXAFS with a smooth post-edge background removed, and the
  magnitude of the Fourier transform of k^w chi(k) (Hanning window, no phase correction).
- ``ni_l3_ratio``: the high-energy (Ni4+-like, ~855 eV) over low-energy (Ni2+, ~853 eV)
  Ni L3 peak heights of a normalised spectrum, which rises with Ni valence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d
from scipy.signal import find_peaks

ETOK = 0.2624682917  # k^2 (1/A^2) per eV above E0


@dataclass(frozen=True)
class Normalized:
    energy: np.ndarray
    norm: np.ndarray  # (mu - pre-edge line) / edge step
    e0: float
    edge_step: float
    pre_edge: np.ndarray  # the pre-edge line on the energy grid
    post_edge: np.ndarray  # the post-edge polynomial on the energy grid


def _sorted(energy, mu) -> tuple[np.ndarray, np.ndarray]:
    e = np.asarray(energy, float)
    m = np.asarray(mu, float)
    order = np.argsort(e, kind="stable")
    e, m = e[order], m[order]
    keep = np.concatenate([[True], np.diff(e) > 0])  # drop repeated energies
    return e[keep], m[keep]


def find_e0(energy: np.ndarray, mu: np.ndarray, smooth: int = 3) -> float:
    """E0 (eV): where d mu / dE is largest (after a running mean over smooth points)."""
    e, m = _sorted(energy, mu)
    if e.size < 5:
        raise ValueError("E0 needs at least 5 points")
    d = np.gradient(m, e)
    if smooth > 1:
        d = np.convolve(d, np.ones(smooth) / smooth, mode="same")
    return float(e[int(np.argmax(d[1:-1])) + 1])


def normalize(
    energy: np.ndarray,
    mu: np.ndarray,
    *,
    e0: float | None = None,
    pre1: float | None = None,
    pre2: float | None = None,
    norm1: float | None = None,
    norm2: float | None = None,
    nnorm: int = 2,
) -> Normalized:
    """Pre-edge line and post-edge polynomial normalisation (ranges relative to e0, eV).

    Defaults follow xraylarch's ``pre_edge``: pre2 = -30 (or 5% of the pre-edge range),
    pre1 the first point, norm2 the last point, norm1 a third of the way to it, nnorm 2
    (a quadratic; larch uses nnorm=2 when the post-edge range exceeds 300 eV, else 1).
    """
    e, m = _sorted(energy, mu)
    if e0 is None:
        e0 = find_e0(e, m)
    if pre1 is None:
        pre1 = e[0] - e0
    if pre2 is None:
        pre2 = min(-30.0, 0.5 * pre1) if pre1 < -60 else 0.5 * pre1
    if norm2 is None:
        norm2 = e[-1] - e0
    if norm1 is None:
        norm1 = min(norm2 / 3.0, 150.0) if norm2 > 50 else norm2 / 5.0
    pre = (e >= e0 + pre1) & (e <= e0 + pre2)
    post = (e >= e0 + norm1) & (e <= e0 + norm2)
    if pre.sum() < 2 or post.sum() < nnorm + 1:
        raise ValueError(
            f"too few points to normalise: {pre.sum()} in the pre-edge range "
            f"[{pre1:g}, {pre2:g}] eV and {post.sum()} in the post-edge range "
            f"[{norm1:g}, {norm2:g}] eV around E0 = {e0:g} eV"
        )
    pre_line = np.polyval(np.polyfit(e[pre], m[pre], 1), e)
    post_poly = np.polyval(np.polyfit(e[post] - e0, m[post], nnorm), e - e0)
    step = float(np.interp(e0, e, post_poly - pre_line))
    if step <= 0:
        raise ValueError(f"the edge step at E0 = {e0:g} eV is not positive ({step:g})")
    return Normalized(e, (m - pre_line) / step, float(e0), step, pre_line, post_poly)


def flattened(n: Normalized) -> np.ndarray:
    """The normalised spectrum with the post-edge curvature removed above E0."""
    flat = n.norm.copy()
    above = n.energy > n.e0
    curve = (n.post_edge - n.pre_edge) / n.edge_step
    flat[above] = flat[above] - (curve[above] - 1.0)
    return flat


def half_height_edge(n: Normalized, level: float = 0.5) -> float:
    """Energy (eV) where the main edge of the normalised spectrum crosses level."""
    e, y = n.energy, flattened(n)
    reached = np.flatnonzero(y >= 1.0)
    end = int(reached[0]) if reached.size else len(y) - 1
    below = np.flatnonzero(y[: end + 1] < level)
    if not below.size:
        raise ValueError("the spectrum starts above the half-height of its edge")
    k = int(below[-1])  # last point below the level before the edge reaches 1
    if k + 1 >= len(y):
        raise ValueError("the spectrum never crosses the half-height of its edge")
    return float(e[k] + (level - y[k]) * (e[k + 1] - e[k]) / (y[k + 1] - y[k]))


def white_line_energy(n: Normalized, *, window_eV: float = 20.0, smooth_eV: float = 0.5) -> float:
    """Energy (eV) of the main absorption maximum above the edge.

    The flattened spectrum is resampled on a 0.1 eV grid, smoothed by a Gaussian of
    ``smooth_eV`` (eV, sigma) so that single noisy points and glitches do not win, and its
    maximum is taken within ``window_eV`` (eV) above the half-height edge.
    """
    if window_eV <= 0 or smooth_eV < 0:
        raise ValueError(f"window_eV must be > 0 and smooth_eV >= 0 (got {window_eV}, {smooth_eV})")
    start = half_height_edge(n)
    grid = np.arange(n.energy[0], n.energy[-1], 0.1)
    y = np.interp(grid, n.energy, flattened(n))
    if smooth_eV > 0:
        y = gaussian_filter1d(y, smooth_eV / 0.1)
    inside = (grid >= start) & (grid <= start + window_eV)
    if not inside.any():
        raise ValueError(f"no data within {window_eV} eV above the edge at {start:g} eV")
    return float(grid[inside][np.argmax(y[inside])])


@dataclass(frozen=True)
class ValenceCalibration:
    """edge position (eV) = offset + slope x valence, fitted over reference compounds."""

    slope_eV: float
    offset_eV: float
    references: dict[str, tuple[float, float]]  # name -> (valence, edge eV)

    def valence(self, edge_eV: float) -> float:
        return (edge_eV - self.offset_eV) / self.slope_eV

    @property
    def monotonic(self) -> bool:
        pairs = sorted(self.references.values())
        edges = [edge for _, edge in pairs]
        return all(b > a for a, b in zip(edges, edges[1:], strict=False))


def valence_calibration(references: dict[str, tuple[float, float]]) -> ValenceCalibration:
    """Fit edge position against valence; references: name -> (valence, edge eV)."""
    if len({v for v, _ in references.values()}) < 2:
        raise ValueError("a valence calibration needs references of at least two valences")
    v = np.array([p[0] for p in references.values()])
    e = np.array([p[1] for p in references.values()])
    slope, offset = np.polyfit(v, e, 1)
    if slope <= 0:
        raise ValueError("edge position does not rise with valence over these references")
    return ValenceCalibration(float(slope), float(offset), dict(references))


def chi_k(
    n: Normalized, *, k_step: float = 0.05, k_max: float | None = None, order: int = 4
) -> tuple[np.ndarray, np.ndarray]:
    """chi(k) on a uniform k grid: the flattened post-edge minus a smooth polynomial in k.

    The background is a polynomial of the given order in k, fitted from k = 1 1/A; it is
    too smooth to carry the shells above ~1 A, which is where the Fourier transform looks.
    """
    above = n.energy > n.e0
    k = np.sqrt(ETOK * (n.energy[above] - n.e0))
    y = flattened(n)[above]
    top = k[-1] if k_max is None else min(k_max, k[-1])
    grid = np.arange(0.0, top, k_step)
    yk = np.interp(grid, k, y)
    fit = grid >= 1.0
    background = np.polyval(np.polyfit(grid[fit], yk[fit], order), grid)
    return grid, np.where(fit, yk - background, 0.0)


def ft_magnitude(
    k: np.ndarray,
    chi: np.ndarray,
    *,
    kweight: int = 2,
    kmin: float = 3.0,
    kmax: float = 12.0,
    r_max: float = 6.0,
    r_step: float = 0.02,
) -> tuple[np.ndarray, np.ndarray]:
    """|FT[k^w chi(k) window(k)]| on an R grid (A), Hanning window over [kmin, kmax]."""
    window = np.where(
        (k >= kmin) & (k <= kmax), np.sin(np.pi * (k - kmin) / (kmax - kmin)) ** 2, 0.0
    )
    y = chi * k**kweight * window
    r = np.arange(0.0, r_max, r_step)
    dk = k[1] - k[0]
    transform = (np.exp(2j * np.outer(r, k)) @ y) * dk / np.sqrt(np.pi)
    return r, np.abs(transform)


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
    idx, _ = find_peaks(magnitude)
    idx = idx[(r[idx] >= r_range[0]) & (r[idx] <= r_range[1])]
    strongest = idx[np.argsort(-magnitude[idx], kind="stable")[:n]]
    return sorted(_vertex(r, magnitude, int(k)) for k in strongest)


def _vertex(x: np.ndarray, y: np.ndarray, k: int) -> float:
    """Position of a peak at index k refined by a parabola through its three points."""
    if k == 0 or k == len(y) - 1:
        return float(x[k])
    denom = y[k - 1] - 2 * y[k] + y[k + 1]
    shift = 0.0 if denom == 0 else 0.5 * (y[k - 1] - y[k + 1]) / denom
    return float(x[k] + shift * (x[k + 1] - x[k]))


def ni_l3_ratio(
    energy: np.ndarray,
    norm: np.ndarray,
    *,
    low_eV: tuple[float, float] = (852.4, 853.4),
    high_eV: tuple[float, float] = (854.6, 855.6),
) -> float:
    """Ni L3 high-energy over low-energy peak height of a normalised spectrum."""
    e = np.asarray(energy, float)
    y = np.asarray(norm, float)
    lo = (e >= low_eV[0]) & (e <= low_eV[1])
    hi = (e >= high_eV[0]) & (e <= high_eV[1])
    if not lo.any() or not hi.any():
        raise ValueError("the spectrum does not cover both Ni L3 peaks (852.4-855.6 eV)")
    return float(np.max(y[hi]) / np.max(y[lo]))


def peak_positions(
    energy: np.ndarray, y: np.ndarray, *, min_prominence: float = 0.05, n: int = 6
) -> list[float]:
    """Positions (eV) of the strongest peaks of a normalised spectrum, in energy order."""
    e = np.asarray(energy, float)
    v = np.asarray(y, float)
    idx, props = find_peaks(v, prominence=min_prominence * float(np.ptp(v)))
    strongest = idx[np.argsort(-props["prominences"], kind="stable")[:n]]
    return sorted(float(e[k]) for k in strongest)


def band_centroid(energy: np.ndarray, norm: np.ndarray, window_eV: tuple[float, float]) -> float:
    """First moment (eV) of the normalised spectrum over window_eV: the centre of gravity
    of an edge's L3 band (e.g. Mn L3, 638-647 eV), which moves down as the metal reduces."""
    e = np.asarray(energy, float)
    y = np.clip(np.asarray(norm, float), 0.0, None)
    inside = (e >= window_eV[0]) & (e <= window_eV[1])
    if inside.sum() < 3 or not np.any(y[inside] > 0):
        raise ValueError(f"the spectrum has no band within {window_eV[0]}-{window_eV[1]} eV")
    return float(
        np.trapezoid(e[inside] * y[inside], e[inside]) / np.trapezoid(y[inside], e[inside])
    )
