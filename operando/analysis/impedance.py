"""Impedance spectra: an equivalent-circuit fit (pure).

The circuit is the Randles cell R_s + (C_dl || (R_ct + W)). W is the impedance of diffusion
into spherical particles with a reflective centre (finite-space; Jacobsen & West,
Electrochim. Acta 40, 255 (1995)),

    W = sigma sqrt(2 tau) tanh(x) / (x - tanh(x)),  x = sqrt(j omega tau),  tau = r^2 / D,

which is the semi-infinite Warburg sigma (1 - j) / sqrt(omega) at high frequency (omega tau
>> 1) and turns capacitive (the particles' chemical capacitance) at low frequency. A
semi-infinite element fitted to a spectrum that reaches omega tau ~ 1 bends R_ct to absorb
the capacitive tail; with tau free the fit follows it. When the spectrum stays at
omega tau >> 1, tau is not determined (it runs to its upper bound, the longest time the
spectrum resolves times 1000) and the element is the semi-infinite one.

The fit is least squares (scipy) on the real and imaginary parts, each residual divided by
|Z| (every frequency weighs alike), with the parameters on a log scale (all positive).
Starting values come from the spectrum itself: R_s from the high-frequency intercept, R_ct
and C_dl from the semicircle, sigma from the low-frequency tail, tau from the lowest
frequency; several starts are tried and the best kept.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import least_squares

PARAMETERS = ("r_s_ohm", "r_ct_ohm", "c_dl_F", "warburg_sigma", "diffusion_time_s")
TAU_SPAN = 1e3  # tau may reach this many times 1/(2 pi f) beyond the spectrum's ends


def spherical_warburg(omega: np.ndarray, sigma: float, tau_s: float | None) -> np.ndarray:
    """Diffusion impedance (ohm, complex) at angular frequency omega (rad/s): finite-space
    spherical with diffusion time tau_s (s), semi-infinite for tau_s None."""
    omega = np.asarray(omega, dtype=float)
    semi = sigma * (1 - 1j) / np.sqrt(omega)
    if tau_s is None:
        return semi
    x = np.sqrt(1j * omega * tau_s)
    small = np.abs(x) < 1e3  # beyond, tanh(x) = 1 to double precision: semi-infinite
    out = semi.astype(complex)
    t = np.tanh(x[small])
    out[small] = sigma * np.sqrt(2 * tau_s) * t / (x[small] - t)
    return out


def randles(
    freq_Hz: np.ndarray,
    r_s: float,
    r_ct: float,
    c_dl: float,
    sigma: float,
    tau_s: float | None = None,
) -> np.ndarray:
    """Impedance (ohm, complex) of R_s + (C_dl || (R_ct + W)) at freq_Hz (Hz); W finite-space
    spherical with diffusion time tau_s (s), or semi-infinite for tau_s None."""
    omega = 2 * np.pi * np.asarray(freq_Hz, dtype=float)
    faradaic = r_ct + spherical_warburg(omega, sigma, tau_s)
    return r_s + 1.0 / (1j * omega * c_dl + 1.0 / faradaic)


def _starts(freq: np.ndarray, z: np.ndarray) -> list[np.ndarray]:
    order = np.argsort(-freq)
    f, z = freq[order], z[order]
    r_s = max(float(z.real[0]), 1e-6 * float(np.abs(z).max()))
    omega = 2 * np.pi * f
    sigma = max(float(-z.imag[-1] * np.sqrt(omega[-1])), 1e-12)
    starts = []
    for span in (0.1, 0.3, 1.0, 3.0):
        r_ct = max(span * float(np.ptp(z.real)), 1e-6)
        # the semicircle's apex: the frequency of the largest -Im among the higher half
        k = int(np.argmax(-z.imag[: max(3, len(f) // 2)]))
        c_dl = 1.0 / (omega[k] * r_ct)
        for tau in (0.3, 3.0, 30.0):
            starts.append(np.log([r_s, r_ct, c_dl, sigma, tau / omega[-1]]))
    return starts


def _best_fit(model, z: np.ndarray, starts, lower: np.ndarray, upper: np.ndarray, **options):
    """The least-squares result (scipy) of lowest cost over several starts: model(x) is the
    circuit's Z at the spectrum's frequencies for parameters x; each residual of the real
    and imaginary parts is divided by |Z| (every frequency weighs alike)."""
    scale = np.abs(z)

    def residuals(x: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            d = (model(x) - z) / scale
        d = np.where(np.isfinite(d), d, 1e6)
        return np.concatenate((d.real, d.imag))

    best = None
    for start in starts:
        start = np.clip(start, lower + 1e-9, upper - 1e-9)
        result = least_squares(residuals, start, bounds=(lower, upper), method="trf", **options)
        if best is None or result.cost < best.cost:
            best = result
    return best


def fit_randles(freq_Hz: np.ndarray, z_ohm: np.ndarray) -> dict:
    """Fit the Randles circuit with a finite-space spherical Warburg to a spectrum (freq Hz,
    complex Z ohm): ``r_s_ohm``, ``r_ct_ohm``, ``c_dl_F``, ``warburg_sigma`` (ohm s^-1/2),
    ``diffusion_time_s`` (tau = r^2/D, s; None when the spectrum does not reach the
    particles' finite size) and ``fit_rms_rel`` (RMS of the residuals relative to |Z|)."""
    freq = np.asarray(freq_Hz, dtype=float)
    z = np.asarray(z_ohm, dtype=complex)
    if freq.size < 5:
        raise ValueError(f"an equivalent-circuit fit needs at least 5 frequencies, got {freq.size}")
    omega_lo, omega_hi = 2 * np.pi * freq.min(), 2 * np.pi * freq.max()
    tau_bounds = np.log([1.0 / (TAU_SPAN * omega_hi), TAU_SPAN / omega_lo])
    lower = np.array([-np.inf] * 4 + [tau_bounds[0]])
    upper = np.array([np.inf] * 4 + [tau_bounds[1]])

    best = _best_fit(lambda x: randles(freq, *np.exp(x)), z, _starts(freq, z), lower, upper,
                     x_scale=1.0, max_nfev=2000)  # fmt: skip
    values = dict(zip(PARAMETERS, (float(v) for v in np.exp(best.x)), strict=True))
    if best.x[-1] > tau_bounds[1] - 1e-3:  # at its bound: the spectrum never saw it
        values["diffusion_time_s"] = None
    values["fit_rms_rel"] = float(np.sqrt(np.mean(best.fun**2)))
    return values


# --- real cells: a surface film and depressed arcs ------------------------------------------
#
# A measured cell rarely shows the ideal Randles arc: a surface film (SEI/CEI) adds a
# second arc, and both arcs are depressed. The field's circuit for it is
# R_s + (R_1 || Q_1) + (R_2 || Q_2) + W, each Q a constant-phase element
# Z = 1 / (Q (j omega)^n), 0.5 <= n <= 1 (n = 1: a capacitor), W the spherical diffusion
# element above in series. The two R || Q are alike in form, so after the fit the arc of
# the higher apex frequency is named the film and the other the charge transfer (a film's
# capacitance is the smaller: it is thicker than the double layer). Capacitances are the
# effective capacitance of each R || Q (Hsu & Mansfeld, Corrosion 57, 747 (2001)):
# C = Q^(1/n) R^((1-n)/n).

TWO_ARC_PARAMETERS = ("r_s", "r_1", "q_1", "n_1", "r_2", "q_2", "n_2", "sigma", "tau")
_N_SLOTS = [3, 6]  # positions of the CPE exponents (fitted as they are, not as logarithms)
MIN_CAPACITIVE_SHARE = 0.5  # a spectrum with -Im Z > 0 at fewer points has no arc to fit


def two_arc_cell(freq_Hz: np.ndarray, *p: float) -> np.ndarray:
    """Impedance (ohm, complex) of R_s + (R_1 || Q_1) + (R_2 || Q_2) + W at freq_Hz (Hz),
    parameters in the order of ``TWO_ARC_PARAMETERS`` (ohm; Q in F s^(n-1); sigma in
    ohm s^-1/2; tau in s)."""
    r_s, r_1, q_1, n_1, r_2, q_2, n_2, sigma, tau = p
    omega = 2 * np.pi * np.asarray(freq_Hz, dtype=float)
    jw = 1j * omega
    return (
        r_s
        + 1.0 / (q_1 * jw**n_1 + 1.0 / r_1)
        + 1.0 / (q_2 * jw**n_2 + 1.0 / r_2)
        + spherical_warburg(omega, sigma, tau)
    )


def not_fittable(freq_Hz: np.ndarray, z_ohm: np.ndarray, min_points: int = 10) -> str | None:
    """Why a spectrum has no arc an equivalent circuit of a cell can describe (None if it
    has): fewer than min_points frequencies (10 for the two-arc circuit's nine
    parameters), or mostly inductive (-Im Z <= 0)."""
    if np.size(freq_Hz) < min_points:
        return f"{np.size(freq_Hz)} frequencies; a circuit fit needs at least {min_points}"
    share = float(np.mean(-np.imag(z_ohm) > 0))
    if share < MIN_CAPACITIVE_SHARE:
        return (
            f"-Im Z > 0 at only {share:.0%} of the frequencies: the spectrum is inductive "
            "(cables, a short), not the capacitive arcs of a cell"
        )
    return None


def _two_arc_starts(freq: np.ndarray, z: np.ndarray) -> list[np.ndarray]:
    order = np.argsort(-freq)
    f, z = freq[order], z[order]
    omega = 2 * np.pi * f
    r_s = max(float(z.real[0]), 1e-6 * float(np.abs(z).max()))
    width = max(float(np.ptp(z.real)), 1e-6)
    sigma = max(float(-z.imag[-1] * np.sqrt(omega[-1])), 1e-12)
    w_hi, w_lo = omega[len(f) // 4], omega[(3 * len(f)) // 4]  # where each arc may peak
    starts = []
    for share in (0.2, 0.5, 0.8):
        r_1, r_2 = share * width / 2, (1 - share) * width / 2
        for tau in (0.3, 3.0, 30.0):
            q_1, q_2 = 1 / (w_hi * r_1), 1 / (w_lo * r_2)
            starts.append(np.array([*np.log([r_s, r_1, q_1]), 0.85, *np.log([r_2, q_2]), 0.85,
                                    *np.log([sigma, tau / omega[-1]])]))  # fmt: skip
    return starts


def fit_two_arc_cell(freq_Hz: np.ndarray, z_ohm: np.ndarray) -> dict:
    """Fit R_s + (R_film || Q_film) + (R_ct || Q_dl) + W to a measured spectrum:
    ``r_s_ohm``, ``r_film_ohm``, ``r_ct_ohm``; the CPE exponents ``n_film``, ``n_dl``; the
    effective capacitances ``c_film_F``, ``c_dl_F``; the arcs' apex frequencies
    ``film_frequency_Hz``, ``ct_frequency_Hz`` (1 / (2 pi (R Q)^(1/n))); ``warburg_sigma``,
    ``diffusion_time_s`` (None when the spectrum does not reach it) and ``fit_rms_rel``.
    Raises ValueError with the reason for a spectrum that is ``not_fittable``."""
    freq = np.asarray(freq_Hz, dtype=float)
    z = np.asarray(z_ohm, dtype=complex)
    reason = not_fittable(freq, z)
    if reason:
        raise ValueError(reason)
    omega_lo, omega_hi = 2 * np.pi * freq.min(), 2 * np.pi * freq.max()
    lower, upper = np.full(9, -np.inf), np.full(9, np.inf)
    lower[_N_SLOTS], upper[_N_SLOTS] = 0.5, 1.0
    lower[8], upper[8] = np.log([1.0 / (TAU_SPAN * omega_hi), TAU_SPAN / omega_lo])

    def values(x: np.ndarray) -> np.ndarray:
        p = np.exp(x)
        p[_N_SLOTS] = x[_N_SLOTS]
        return p

    best = _best_fit(lambda x: two_arc_cell(freq, *values(x)), z, _two_arc_starts(freq, z),
                     lower, upper, max_nfev=3000)  # fmt: skip
    p = dict(zip(TWO_ARC_PARAMETERS, (float(v) for v in values(best.x)), strict=True))
    arcs = []
    for k in ("1", "2"):
        r, q, n = p[f"r_{k}"], p[f"q_{k}"], p[f"n_{k}"]
        arcs.append(
            (1.0 / (2 * np.pi * (r * q) ** (1 / n)), r, n, q ** (1 / n) * r ** ((1 - n) / n))
        )
    (f_film, r_film, n_film, c_film), (f_ct, r_ct, n_dl, c_dl) = sorted(arcs, reverse=True)
    at_bound = best.x[8] > upper[8] - 1e-3  # the spectrum never saw the particles' size
    out = {
        "r_s_ohm": p["r_s"], "r_film_ohm": r_film, "c_film_F": c_film, "n_film": n_film,
        "film_frequency_Hz": f_film, "r_ct_ohm": r_ct, "c_dl_F": c_dl, "n_dl": n_dl,
        "ct_frequency_Hz": f_ct, "warburg_sigma": p["sigma"],
        "diffusion_time_s": None if at_bound else p["tau"],
        "fit_rms_rel": float(np.sqrt(np.mean(best.fun**2))),
    }  # fmt: skip
    out["warnings"] = _two_arc_warnings(out, float(freq.min()), float(freq.max()))
    return out


def two_arc_cell_of(fit: dict, freq_Hz: np.ndarray) -> np.ndarray:
    """Impedance (ohm, complex) at freq_Hz (Hz) of a ``fit_two_arc_cell`` result, rebuilt
    from what it reports (each Q from its arc's R, n and apex frequency)."""
    p = [fit["r_s_ohm"]]
    for r, n, f in (
        ("r_film_ohm", "n_film", "film_frequency_Hz"),
        ("r_ct_ohm", "n_dl", "ct_frequency_Hz"),
    ):
        p += [fit[r], (1.0 / (2 * np.pi * fit[f])) ** fit[n] / fit[r], fit[n]]
    return two_arc_cell(freq_Hz, *p, fit["warburg_sigma"], fit["diffusion_time_s"])


POOR_FIT_RMS_REL = 0.05  # residuals above this share of |Z|: the circuit does not describe it


def _two_arc_warnings(fit: dict, f_min: float, f_max: float) -> list[str]:
    """What a user should know before trusting a two-arc fit's numbers."""
    out = []
    for arc, key, n in (
        ("film", "film_frequency_Hz", "n_film"),
        ("charge-transfer", "ct_frequency_Hz", "n_dl"),
    ):
        if not f_min <= fit[key] <= f_max:
            out.append(
                f"the {arc} arc's apex ({fit[key]:.3g} Hz) lies outside the measured "
                f"{f_min:.3g}-{f_max:.3g} Hz: its resistance and capacitance are extrapolated"
            )
        if fit[n] <= 0.5 + 1e-6:
            out.append(
                f"{n} is at its lower bound 0.5: that arc behaves as diffusion (a Warburg), "
                "not as a capacitor"
            )
    if fit["fit_rms_rel"] > POOR_FIT_RMS_REL:
        out.append(
            f"residuals are {fit['fit_rms_rel']:.1%} of |Z|: the circuit does not describe "
            "this spectrum well"
        )
    return out
