"""Open-circuit relaxation after a current: the particles' diffusion time r^2/D (pure).

After a galvanostatic step into spheres of radius r, the Li concentration at the surface
relaxes towards the particle mean as the sum over the sphere's eigenmodes (Carslaw &
Jaeger, Conduction of Heat in Solids, 2nd ed., sec. 9.3; Crank, The Mathematics of
Diffusion, eq. 6.45 for a constant surface flux):

    c_s - c_mean  ~  sum_n (2 / l_n^2) [exp(-l_n^2 t / tau) - exp(-l_n^2 (t + t_c) / tau)]

with l_n the positive roots of tan l = l (4.4934, 7.7253, ...), tau = r^2 / D, t the time
since the current stopped and t_c how long it flowed (t_c -> infinity: the steady parabolic
profile, whose amplitudes 2 / l_n^2 sum to 1/5). Linearising the open-circuit potential
about its final value,

    E(t) = E_inf + A * S(t / tau),   S = 5 * sum_n (2 / l_n^2) [...]   (S(0) = 1 for t_c = oo)

with free parameters E_inf (V), A (V) and tau (s). For a fixed tau the model is linear in
E_inf and A, so tau is found by a one-dimensional search of the least-squares residual
(variable projection) and refined. A single exponential a + b exp(-t / tau_1) fitted on the
same points is returned beside it: its tau_1 is close to the slowest mode's r^2/(l_1^2 D)
only once the faster modes have died out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np
from scipy.optimize import brentq, curve_fit, minimize_scalar

N_MODES = 200  # eigenmodes kept: the rest weigh less than 1e-3 of the sum for t > 0


@lru_cache(maxsize=4)
def sphere_eigenvalues(n: int = N_MODES) -> np.ndarray:
    """The first n positive roots of tan(l) = l (dimensionless), l_n in (n pi, n pi + pi/2)."""

    def f(x: float) -> float:
        return x * np.cos(x) - np.sin(x)

    return np.array([brentq(f, k * np.pi + 1e-9, k * np.pi + np.pi / 2 - 1e-9)
                     for k in range(1, n + 1)])  # fmt: skip


def surface_relaxation(t_s: np.ndarray, tau_s: float, charge_s: float = np.inf) -> np.ndarray:
    """Normalised surface-concentration excess S(t) of spheres at rest for t_s seconds after
    a constant flux of charge_s seconds (S(0) = 1 for an infinitely long flux); tau_s = r^2/D."""
    lam2 = sphere_eigenvalues() ** 2
    t = np.asarray(t_s, dtype=float)[:, None]
    weights = 10.0 / lam2  # 5 * 2 / l_n^2: sums to 1
    modes = np.exp(-lam2 * t / tau_s)
    if np.isfinite(charge_s):
        modes = modes - np.exp(-lam2 * (t + charge_s) / tau_s)
    return modes @ weights


@dataclass(frozen=True)
class RelaxationFit:
    """Fit of an open-circuit transient.

    tau_s : r^2 / D of the particles (s) from the spherical-diffusion solution;
    e_inf_V : the potential the rest tends to (V); amplitude_V : E(0) - E_inf of the
    steady-profile solution (V); rms_V : RMS residual of that fit (V);
    single_exp_tau_s : time constant (s) of a single exponential on the same points;
    charge_s : the length (s) of the current step before the rest that was assumed;
    window_s : (first, last) time since the current stopped that was fitted (s).
    """

    tau_s: float
    e_inf_V: float
    amplitude_V: float
    rms_V: float
    single_exp_tau_s: float
    charge_s: float
    window_s: tuple[float, float]

    def diffusion_coefficient_cm2_s(self, radius_um: float) -> float:
        """D = r^2 / tau (cm2/s) for particles of radius_um (um)."""
        return (radius_um * 1e-4) ** 2 / self.tau_s

    def to_json(self) -> dict:
        out = asdict(self)
        out["window_s"] = list(self.window_s)
        out["charge_s"] = None if not np.isfinite(self.charge_s) else self.charge_s
        return out


def _linear(t: np.ndarray, e: np.ndarray, tau: float, charge_s: float):
    """Least-squares E_inf, A and the residual sum of squares for one tau."""
    basis = np.column_stack((np.ones_like(t), surface_relaxation(t, tau, charge_s)))
    coef, *_ = np.linalg.lstsq(basis, e, rcond=None)
    resid = e - basis @ coef
    return coef, float(resid @ resid)


def fit_relaxation(
    t_s: np.ndarray,
    ewe_V: np.ndarray,
    *,
    charge_s: float = np.inf,
    t_min_s: float = 0.0,
    t_max_s: float = np.inf,
    tau_bounds_s: tuple[float, float] = (1.0, 1e8),
) -> RelaxationFit:
    """Fit E(t) at open circuit (t_s: seconds since the current stopped, ewe_V: V) between
    t_min_s and t_max_s with the spherical-diffusion relaxation after charge_s seconds of
    constant current (inf: a steady profile). ValueError with fewer than 5 points or a
    transient that does not move."""
    t = np.asarray(t_s, dtype=float)
    e = np.asarray(ewe_V, dtype=float)
    keep = (t >= t_min_s) & (t <= t_max_s) & np.isfinite(e)
    t, e = t[keep], e[keep]
    if t.size < 5:
        raise ValueError(f"a relaxation fit needs at least 5 points in the window, got {t.size}")
    if np.ptp(e) <= 0:
        raise ValueError("the potential does not change during the rest: nothing to fit")
    lo, hi = np.log(tau_bounds_s)
    grid = np.linspace(lo, hi, 81)
    sse = [_linear(t, e, float(np.exp(g)), charge_s)[1] for g in grid]
    k = int(np.argmin(sse))
    a, b = grid[max(k - 1, 0)], grid[min(k + 1, grid.size - 1)]
    best = minimize_scalar(
        lambda g: _linear(t, e, float(np.exp(g)), charge_s)[1],
        bounds=(a, b), method="bounded", options={"xatol": 1e-4},
    )  # fmt: skip
    tau = float(np.exp(best.x))
    (e_inf, amp), sse_best = _linear(t, e, tau, charge_s)
    return RelaxationFit(
        tau_s=tau,
        e_inf_V=float(e_inf),
        amplitude_V=float(amp),
        rms_V=float(np.sqrt(sse_best / t.size)),
        single_exp_tau_s=single_exponential_tau_s(t, e),
        charge_s=float(charge_s),
        window_s=(float(t[0]), float(t[-1])),
    )


def single_exponential_tau_s(t_s: np.ndarray, ewe_V: np.ndarray) -> float:
    """Time constant (s) of a + b exp(-t / tau) fitted to a transient (t_s s, ewe_V V)."""
    t, e = np.asarray(t_s, dtype=float), np.asarray(ewe_V, dtype=float)
    span = float(t[-1] - t[0]) or 1.0
    p0 = (float(e[-1]), float(e[0] - e[-1]), span / 3.0)
    try:
        with np.errstate(over="ignore"):  # trial time constants near zero
            (_, _, tau), _ = curve_fit(
                lambda x, a, b, tau: a + b * np.exp(-(x - t[0]) / tau), t, e, p0=p0, maxfev=5000
            )
    except RuntimeError:
        return float("nan")
    return float(abs(tau))
