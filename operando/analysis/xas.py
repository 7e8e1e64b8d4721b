"""X-ray absorption: normalisation and E0 (xraylarch as the engine), noise, soft-edge ratios.

Pure functions over arrays (energy in eV, absorption in arbitrary units):

- ``normalize``: larch's ``preedge`` (a pre-edge line over [e0 + pre1, e0 + pre2], a
  post-edge polynomial of order nnorm over [e0 + norm1, e0 + norm2]; the edge step is their
  difference at E0). Unset ranges default to larch's, which follow what the scan covers, so a
  XANES-only scan normalises; a range the data do not cover is refused with a message that
  says what they cover.
- ``find_e0``: larch's ``find_e0`` (derivative maximum with its glitch checks and a
  smoothing step of a few tenths of an eV).
- ``flattened``: the normalised spectrum with the post-edge curvature removed above E0
  (larch's ``flat``).
- ``noise_sigma``: the point-to-point noise of a normalised spectrum.
- ``ni_l3_ratio``, ``band_centroid``, ``peak_positions``: soft-edge quantities larch lacks.

Oxidation states live in ``xas_valence``, EXAFS in ``exafs``; the names callers used from
here (``half_height_edge``, ``white_line_energy``, ``valence_calibration``, ``chi_k``,
``ft_magnitude``, ``shell_peaks``) are re-exported at the end of this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import BadRequest

ETOK = 0.2624682917  # k^2 (1/A^2) per eV above E0
MIN_POST_EDGE_EV = 15.0  # a step needs a post-edge beyond the edge's own rise


@dataclass(frozen=True)
class Normalized:
    energy: np.ndarray  # eV, increasing
    norm: np.ndarray  # (mu - pre-edge line) / edge step
    e0: float  # eV
    edge_step: float  # mu units
    pre_edge: np.ndarray  # the pre-edge line on the energy grid
    post_edge: np.ndarray  # the post-edge polynomial on the energy grid
    mu: np.ndarray | None = None  # the raw absorption on the grid (for autobk)
    ranges: dict = field(default_factory=dict)  # pre1, pre2, norm1, norm2 (eV from E0), nnorm


def _sorted(energy, mu) -> tuple[np.ndarray, np.ndarray]:
    e = np.asarray(energy, float)
    m = np.asarray(mu, float)
    good = np.isfinite(e) & np.isfinite(m)
    e, m = e[good], m[good]
    order = np.argsort(e, kind="stable")
    e, m = e[order], m[order]
    keep = np.concatenate([[True], np.diff(e) > 1e-6])  # drop repeated energies
    return e[keep], m[keep]


def find_e0(energy: np.ndarray, mu: np.ndarray, smooth: int | None = None) -> float:
    """E0 (eV) by larch's ``find_e0`` (``smooth`` is accepted for old callers, unused:
    larch picks its smoothing from the energy step and the edge energy)."""
    from larch.xafs import find_e0 as larch_find_e0

    e, m = _sorted(energy, mu)
    if e.size < 10:
        raise BadRequest(f"E0 needs at least 10 points; the spectrum has {e.size}")
    return float(larch_find_e0(e, m))


def coverage(energy: np.ndarray, e0: float) -> str:
    """What a scan covers, in words, for messages."""
    return (
        f"the scan covers {energy[0]:.1f}-{energy[-1]:.1f} eV, i.e. "
        f"{energy[0] - e0:+.0f} to {energy[-1] - e0:+.0f} eV around E0 = {e0:.1f} eV"
    )


def normalize(
    energy: np.ndarray,
    mu: np.ndarray,
    *,
    e0: float | None = None,
    pre1: float | None = None,
    pre2: float | None = None,
    norm1: float | None = None,
    norm2: float | None = None,
    nnorm: int | None = None,
) -> Normalized:
    """Normalise by larch's ``preedge``; ranges in eV relative to e0, None = larch's default.

    larch's defaults: pre1 the second point, pre2 = pre1 / 2, norm2 the last point,
    norm1 = min(25, norm2 / 15), nnorm 2 over more than 300 eV of post-edge, 1 over more
    than 30 eV, else 0.
    """
    from larch.xafs.pre_edge import preedge

    e, m = _sorted(energy, mu)
    if e.size < 10:
        raise BadRequest(f"normalisation needs at least 10 points; the spectrum has {e.size}")
    if e0 is None:
        e0 = find_e0(e, m)
    if not e[0] < e0 < e[-1]:
        raise BadRequest(f"E0 = {e0:g} eV is outside the scan ({e[0]:g}-{e[-1]:g} eV)")
    where = coverage(e, e0)
    if e0 - e[0] < 5.0:
        raise BadRequest(f"no pre-edge to normalise with: {where}")
    if e[-1] - e0 < MIN_POST_EDGE_EV:
        raise BadRequest(
            f"no post-edge to normalise with (needs {MIN_POST_EDGE_EV:g} eV above E0): {where}"
        )
    for name, lo, hi in (("pre-edge", pre1, pre2), ("post-edge", norm1, norm2)):
        if lo is None or hi is None:
            continue
        inside = int(np.count_nonzero((e >= e0 + lo) & (e <= e0 + hi)))
        if inside < 2 or (lo < 0) != (name == "pre-edge") or hi <= lo:
            raise BadRequest(
                f"the {name} range [{lo:+g}, {hi:+g}] eV holds {inside} points: {where}"
            )
    d = preedge(e, m, e0=e0, nnorm=nnorm, pre1=pre1, pre2=pre2, norm1=norm1, norm2=norm2)
    ie0 = int(np.argmin(np.abs(e - d["e0"])))
    step = float(d["post_edge"][ie0] - d["pre_edge"][ie0])  # larch takes abs(); we do not
    if not step > 0:
        raise BadRequest(
            f"the edge step at E0 = {d['e0']:.1f} eV is not positive ({step:.3g}): the "
            "absorption falls across the edge (a transmission file read as fluorescence?)"
        )
    ranges = {k: d[k] for k in ("pre1", "pre2", "norm1", "norm2", "nnorm")}
    return Normalized(e, d["norm"], float(d["e0"]), step, d["pre_edge"], d["post_edge"], m, ranges)


def flattened(n: Normalized) -> np.ndarray:
    """The normalised spectrum with the post-edge curvature removed above E0 (larch's flat)."""
    ie0 = int(np.argmin(np.abs(n.energy - n.e0)))
    residue = (n.post_edge - n.pre_edge) / n.edge_step
    flat = n.norm - residue + residue[ie0]
    flat[:ie0] = n.norm[:ie0]
    return flat


def noise_sigma(n: Normalized) -> float:
    """Point-to-point noise (normalised units) of a spectrum: the robust spread (1.4826 x
    median absolute deviation) of its second differences, divided by sqrt(6) (the
    second difference of white noise has variance 6 sigma^2). Real structure varies
    slowly on a scan's grid, so the median ignores it."""
    d2 = np.diff(flattened(n), 2)
    mad = float(np.median(np.abs(d2 - np.median(d2))))
    return 1.4826 * mad / np.sqrt(6.0)


def ni_l3_ratio(
    energy: np.ndarray,
    norm: np.ndarray,
    *,
    low_eV: tuple[float, float] = (852.4, 853.4),
    high_eV: tuple[float, float] = (854.6, 855.6),
) -> float:
    """Ni L3 high-energy (Ni4+-like, ~855 eV) over low-energy (Ni2+, ~853 eV) peak height
    of a normalised spectrum; it rises with Ni valence."""
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
    from scipy.signal import find_peaks  # here: scipy.signal costs ~0.6 s to import

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


__all__ = [
    "ETOK",
    "Normalized",
    "band_centroid",
    "find_e0",
    "flattened",
    "ni_l3_ratio",
    "noise_sigma",
    "normalize",
    "peak_positions",
]
