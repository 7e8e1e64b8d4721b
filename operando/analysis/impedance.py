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


def fit_randles(freq_Hz: np.ndarray, z_ohm: np.ndarray) -> dict:
    """Fit the Randles circuit with a finite-space spherical Warburg to a spectrum (freq Hz,
    complex Z ohm): ``r_s_ohm``, ``r_ct_ohm``, ``c_dl_F``, ``warburg_sigma`` (ohm s^-1/2),
    ``diffusion_time_s`` (tau = r^2/D, s; None when the spectrum does not reach the
    particles' finite size) and ``fit_rms_rel`` (RMS of the residuals relative to |Z|)."""
    freq = np.asarray(freq_Hz, dtype=float)
    z = np.asarray(z_ohm, dtype=complex)
    if freq.size < 5:
        raise ValueError(f"an equivalent-circuit fit needs at least 5 frequencies, got {freq.size}")
    scale = np.abs(z)
    omega_lo, omega_hi = 2 * np.pi * freq.min(), 2 * np.pi * freq.max()
    tau_bounds = np.log([1.0 / (TAU_SPAN * omega_hi), TAU_SPAN / omega_lo])
    lower = np.array([-np.inf] * 4 + [tau_bounds[0]])
    upper = np.array([np.inf] * 4 + [tau_bounds[1]])

    def residuals(logp: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            model = randles(freq, *np.exp(logp))
        d = (model - z) / scale
        d = np.where(np.isfinite(d), d, 1e6)
        return np.concatenate((d.real, d.imag))

    best = None
    for start in _starts(freq, z):
        start = np.clip(start, lower + 1e-9, upper - 1e-9)
        result = least_squares(residuals, start, bounds=(lower, upper), method="trf",
                               x_scale=1.0, max_nfev=2000)  # fmt: skip
        if best is None or result.cost < best.cost:
            best = result
    values = dict(zip(PARAMETERS, (float(v) for v in np.exp(best.x)), strict=True))
    if best.x[-1] > tau_bounds[1] - 1e-3:  # at its bound: the spectrum never saw it
        values["diffusion_time_s"] = None
    values["fit_rms_rel"] = float(np.sqrt(np.mean(best.fun**2)))
    return values
