"""Oxidation state from K-edge position: edge estimators, each with an uncertainty, and a
calibration against reference compounds that refuses what cannot resolve a valence step.

Estimators, on the flattened normalised spectrum (see ``xas.flattened``); "main edge"
is the last upward crossing of the level in the whole spectrum, so a pre-edge peak that
crosses it and falls back (V2O5, chromates) is not taken for the edge:

- ``fraction``: the energy where the main edge crosses ``level`` (0.5: half height).
- ``derivative``: the maximum of the derivative after a Gaussian smoothing (``smooth_eV``
  sigma), between the main edge's crossings of 0.2 and of 1 (its rise).
- ``integral``: the integral (centroid) edge position of Dau, Liebisch & Haumann, Anal.
  Bioanal. Chem. 376, 562 (2003): the mean energy of the main edge over the levels 0.15 to
  1.0, E = E2 - int_{E1}^{E2} (clip(mu, 0.15, 1) - 0.15) dE / 0.85. It averages the whole
  rise, so no one feature of the edge's shape decides.
- ``white_line``: the maximum above the edge within ``window_eV``, only where it is a true
  white line: a maximum at least 1.1 times the step, falling by at least 0.05 after it
  inside the window; otherwise refused (metals have none: their post-edge bumps reach
  1.03-1.06 of the step on the V, Fe, Cu, Ni foils here).

Each estimate carries the standard deviation of the estimator over 30 noisy copies of the
spectrum (Gaussian noise of ``xas.noise_sigma``). ``valence_calibration`` fits edge =
offset + slope x valence and refuses, naming them, references whose edges do not rise,
valence after valence, by more than twice their combined uncertainty, and a reference
further than ``MAX_OFF_LINE`` valence units from the line through the others; a prediction's
uncertainty combines the sample's, the line's and the references' scatter about it, and
the energy reproducibility between scans (``ENERGY_REPRODUCIBILITY_EV``).

Default rule (``DEFAULT_METHOD``): the integral edge, for every element and edge. It is
defined for any spectrum with a step (unlike the white line), uses the whole rise (unlike
one level or the derivative maximum, which jump between features of the edge's shape).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import BadRequest
from .xas import Normalized, flattened, noise_sigma

METHODS = ("integral", "fraction", "derivative", "white_line")
DEFAULT_METHOD = "integral"
WHITE_LINE_MIN = 1.1  # a white line's height, in edge steps, at least
GRID_EV = 0.05  # resampling step for the estimators (eV)
N_NOISY = 30  # noisy copies per uncertainty
# Scans of different samples are rarely aligned to one foil: a monochromator's energy
# reproducibility between scans is typically ~0.1 eV, added to every edge uncertainty.
ENERGY_REPRODUCIBILITY_EV = 0.1
# A calibration is meant to give valences to half a unit: a reference further than that
# from the line through the others shows the references are not one family (a metal
# among oxides, a sulfide among oxides, a ligand that shifts the edge).
MAX_OFF_LINE = 0.5


def _main_crossing(e: np.ndarray, y: np.ndarray, level: float) -> tuple[int, float]:
    """Index before, and energy of, the last upward crossing of level in the spectrum."""
    below = np.flatnonzero(y < level)
    if not below.size:
        raise BadRequest("the spectrum starts above the level of its edge (no pre-edge)")
    k = int(below[-1])
    if k + 1 >= len(y):
        raise BadRequest(f"the spectrum never rises above {level:g} of its edge step")
    return k, float(e[k] + (level - y[k]) * (e[k + 1] - e[k]) / (y[k + 1] - y[k]))


def _fraction(e, y, level: float = 0.5) -> float:
    return _main_crossing(e, y, level)[1]


def _integral(e, y, lo: float = 0.15, hi: float = 1.0) -> float:
    k, e1 = _main_crossing(e, y, lo)
    above = np.flatnonzero(y[k + 1 :] >= hi)
    if not above.size:
        raise BadRequest(f"the main edge never reaches {hi:g} of its step")
    j = k + 1 + int(above[0])
    e2 = float(e[j - 1] + (hi - y[j - 1]) * (e[j] - e[j - 1]) / (y[j] - y[j - 1]))
    grid = np.linspace(e1, e2, max(int((e2 - e1) / GRID_EV), 2) + 1)
    inside = np.clip(np.interp(grid, e, y), lo, hi) - lo
    return float(e2 - np.trapezoid(inside, grid) / (hi - lo))


def _derivative(e, y, smooth_eV: float = 1.0) -> float:
    k, start = _main_crossing(e, y, 0.2)
    above = np.flatnonzero(y[k + 1 :] >= 1.0)
    stop = float(e[k + 1 + int(above[0])]) if above.size else float(e[-1])
    grid = np.arange(e[0], e[-1], GRID_EV)
    from scipy.ndimage import gaussian_filter1d  # imported when used: the CLI starts faster

    d = np.gradient(gaussian_filter1d(np.interp(grid, e, y), smooth_eV / GRID_EV), grid)
    inside = (grid >= start - smooth_eV) & (grid <= stop)
    return float(grid[inside][np.argmax(d[inside])])


def _white_line(e, y, window_eV: float = 20.0, smooth_eV: float = 0.5) -> float:
    if window_eV <= 0 or smooth_eV < 0:
        raise BadRequest(f"window_eV must be > 0 and smooth_eV >= 0 (got {window_eV}, {smooth_eV})")
    start = _fraction(e, y, 0.5)
    grid = np.arange(e[0], e[-1], GRID_EV)
    s = np.interp(grid, e, y)
    if smooth_eV > 0:
        from scipy.ndimage import gaussian_filter1d

        s = gaussian_filter1d(s, smooth_eV / GRID_EV)
    inside = np.flatnonzero((grid >= start) & (grid <= start + window_eV))
    if inside.size < 3:
        raise BadRequest(f"no data within {window_eV:g} eV above the edge at {start:.1f} eV")
    top = int(inside[np.argmax(s[inside])])
    after = s[top : inside[-1] + 1]
    # A white line stands clear of the step (metals' post-edge bumps reach 1.03-1.06 of
    # it, oxides' white lines 1.1-1.6) and falls back inside the window.
    if top == inside[-1] or s[top] < WHITE_LINE_MIN or s[top] - after.min() < 0.05:
        raise BadRequest(
            f"no white line: no maximum above {WHITE_LINE_MIN:g} of the step that falls back "
            f"within {window_eV:g} eV "
            f"above the edge at {start:.1f} eV (largest {s[top]:.2f} at {grid[top]:.1f} eV)"
        )
    return float(grid[top])


_ESTIMATORS: dict[str, Callable[..., float]] = {
    "integral": _integral,
    "fraction": _fraction,
    "derivative": _derivative,
    "white_line": _white_line,
}


@dataclass(frozen=True)
class EdgePosition:
    method: str
    energy_eV: float
    sigma_eV: float  # from the spectrum's noise


def edge_position(n: Normalized, method: str = DEFAULT_METHOD, **options) -> EdgePosition:
    """The edge position (eV) of a normalised spectrum by ``method`` (see METHODS), with
    the spread of the estimator over noisy copies of the spectrum as its uncertainty."""
    if method not in _ESTIMATORS:
        raise BadRequest(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    estimate = _ESTIMATORS[method]
    e, y = n.energy, flattened(n)
    value = estimate(e, y, **options)
    sigma = noise_sigma(n)
    rng = np.random.default_rng(0)  # reproducible uncertainties
    draws = []
    for _ in range(N_NOISY):
        try:
            draws.append(estimate(e, y + rng.normal(0.0, sigma, y.size), **options))
        except BadRequest:
            continue  # a copy in which the feature vanished says the feature is weak
    if len(draws) < N_NOISY // 2:
        raise BadRequest(f"the {method} edge position is not stable against the spectrum's noise")
    return EdgePosition(method, value, float(np.std(draws)))


def half_height_edge(n: Normalized, level: float = 0.5) -> float:
    """Energy (eV) where the main edge of the flattened spectrum crosses level."""
    return _fraction(n.energy, flattened(n), level)


def white_line_energy(n: Normalized, *, window_eV: float = 20.0, smooth_eV: float = 0.5) -> float:
    """Energy (eV) of the white line (a true maximum within window_eV above the edge)."""
    return _white_line(n.energy, flattened(n), window_eV, smooth_eV)


@dataclass(frozen=True)
class ValencePrediction:
    valence: float
    uncertainty: float  # one standard deviation, valence units
    edge_eV: float
    extrapolated: bool  # outside the references' valence range


@dataclass(frozen=True)
class ValenceCalibration:
    """edge position (eV) = offset + slope x valence, fitted over reference compounds."""

    slope_eV: float
    offset_eV: float
    references: dict[str, tuple[float, float]]  # name -> (valence, edge eV)
    sigmas_eV: dict[str, float]  # name -> edge uncertainty from noise (eV)
    scatter_eV: float  # rms of the references about the line (0 with two)
    covariance: np.ndarray  # of (slope, offset)

    def valence(self, edge_eV: float) -> float:
        return (edge_eV - self.offset_eV) / self.slope_eV

    def predict(self, edge_eV: float, sigma_eV: float = 0.0) -> ValencePrediction:
        """Valence of an edge position, its uncertainty and whether it extrapolates;
        a negative valence (beyond the calibration's tolerance) is refused."""
        v = self.valence(edge_eV)
        grad = np.array([v, 1.0])  # d(line at v) / d(slope, offset)
        line_var = float(grad @ self.covariance @ grad)
        var = sigma_eV**2 + ENERGY_REPRODUCIBILITY_EV**2 + self.scatter_eV**2 + line_var
        valences = [val for val, _ in self.references.values()]
        if v < -MAX_OFF_LINE:
            raise BadRequest(
                f"an edge at {edge_eV:.2f} eV gives valence {v:.1f}, below zero: the "
                "sample is not like these references (another ligand, a sulfide?)"
            )
        outside = v < min(valences) or v > max(valences)
        return ValencePrediction(float(v), float(np.sqrt(var)) / self.slope_eV, edge_eV, outside)

    @property
    def monotonic(self) -> bool:
        pairs = sorted(self.references.values())
        edges = [edge for _, edge in pairs]
        return all(b > a for a, b in zip(edges, edges[1:], strict=False))

    @property
    def linearity_checked(self) -> bool:
        """Whether the references span three valences (so each was checked on the line)."""
        return len({v for v, _ in self.references.values()}) >= 3

    def summary(self) -> dict:
        return {
            "slope_eV_per_valence": self.slope_eV,
            "offset_eV": self.offset_eV,
            "scatter_eV": self.scatter_eV,
            # With two valences a line always fits: nothing tested that the references
            # (and so the sample) follow one line; the uncertainty then has no scatter term.
            "linearity_checked": self.linearity_checked,
            "references": {
                name: {"valence": v, "edge_eV": e, "sigma_eV": self.sigmas_eV[name]}
                for name, (v, e) in self.references.items()
            },
        }


def valence_calibration(
    references: dict[str, tuple[float, float]] | dict[str, tuple[float, float, float]],
) -> ValenceCalibration:
    """Fit edge against valence; references: name -> (valence, edge eV[, sigma eV]).

    Refused (BadRequest, naming the references): fewer than two valences; a valence whose
    edges are not above the next lower valence's by twice their combined uncertainty (the
    noise of each, ENERGY_REPRODUCIBILITY_EV, the spread within a valence); a slope below
    twice the edge uncertainty (one valence step would not be resolved); a reference more
    than MAX_OFF_LINE valence units from the line through the others.
    """
    refs = {name: (float(p[0]), float(p[1])) for name, p in references.items()}
    sig = {
        name: float(np.hypot(p[2] if len(p) > 2 else 0.0, ENERGY_REPRODUCIBILITY_EV))
        for name, p in references.items()
    }
    valences = sorted({v for v, _ in refs.values()})
    if len(valences) < 2:
        raise BadRequest(
            f"a valence calibration needs references of at least two valences; got {valences}"
        )
    groups = [[n for n, (v, _) in refs.items() if v == val] for val in valences]

    def group_stats(names: list[str]) -> tuple[float, float]:
        edges = np.array([refs[n][1] for n in names])
        spread = float(np.std(edges, ddof=1)) if len(names) > 1 else 0.0
        noise = float(np.sqrt(np.mean([sig[n] ** 2 for n in names])))
        return float(edges.mean()), float(np.hypot(spread, noise / np.sqrt(len(names))))

    for low, high in zip(groups, groups[1:], strict=False):
        (e_lo, s_lo), (e_hi, s_hi) = group_stats(low), group_stats(high)
        need = 2.0 * float(np.hypot(s_lo, s_hi))
        if e_hi - e_lo <= need:
            verb = "is below" if e_hi < e_lo else "does not rise resolvably above"
            raise BadRequest(
                f"edge position does not rise with valence: {_names(high, refs)} {verb} "
                f"{_names(low, refs)} (needs > {need:.2f} eV)"
            )
    slope, offset, scatter, covariance = _fit(refs, sig)
    noise = float(np.sqrt(np.mean([s**2 for s in sig.values()])))
    if slope <= 2.0 * noise:
        raise BadRequest(
            f"edge position does not rise with valence enough to resolve a valence step: "
            f"slope {slope:.3g} eV per valence against {noise:.2f} eV of edge uncertainty"
        )
    for name in refs:
        others = {k: p for k, p in refs.items() if k != name}
        if len({v for v, _ in others.values()}) < 2:
            continue
        s_o, o_o, *_ = _fit(others, sig)
        off = (refs[name][1] - o_o) / s_o - refs[name][0]
        if abs(off) > MAX_OFF_LINE:
            raise BadRequest(
                f"the references are not on one line: {_names([name], refs)} lies "
                f"{off:+.2f} valence units off the line through the others "
                f"(tolerance {MAX_OFF_LINE:g})"
            )
    return ValenceCalibration(float(slope), float(offset), refs, sig, scatter, covariance)


def _fit(
    refs: dict[str, tuple[float, float]], sig: dict[str, float]
) -> tuple[float, float, float, np.ndarray]:
    """Least-squares line: slope, offset (eV), rms scatter about it (eV; 0 with two
    references) and the covariance of (slope, offset)."""
    v = np.array([p[0] for p in refs.values()])
    e = np.array([p[1] for p in refs.values()])
    design = np.column_stack([v, np.ones_like(v)])
    (slope, offset), *_ = np.linalg.lstsq(design, e, rcond=None)
    dof = len(v) - 2
    scatter = float(np.sqrt(np.sum((e - design @ [slope, offset]) ** 2) / dof)) if dof > 0 else 0.0
    noise2 = float(np.mean([sig[n] ** 2 for n in refs]))
    covariance = np.linalg.inv(design.T @ design) * max(scatter**2, noise2, 1e-12)
    return float(slope), float(offset), scatter, covariance


def _names(names: list[str], refs: dict[str, tuple[float, float]]) -> str:
    return ", ".join(f"{n} (valence {refs[n][0]:g}, edge {refs[n][1]:.2f} eV)" for n in names)


def leave_one_out(
    edges: dict[str, tuple[float, float, float]],
) -> dict[str, ValencePrediction | str]:
    """Each reference predicted by a calibration on the others: name -> prediction, or the
    calibration's refusal message. edges: name -> (valence, edge eV, sigma eV)."""
    out: dict[str, ValencePrediction | str] = {}
    for name, (_, edge, sigma) in edges.items():
        try:
            cal = valence_calibration({k: p for k, p in edges.items() if k != name})
            out[name] = cal.predict(edge, sigma)
        except BadRequest as exc:
            out[name] = str(exc)
    return out
