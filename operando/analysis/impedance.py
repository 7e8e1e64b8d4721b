"""Impedance spectra: an equivalent-circuit fit (pure).

The circuit is the Randles cell R_s + (C_dl || (R_ct + W)), with a semi-infinite Warburg
element W = sigma (1 - j) / sqrt(omega). It is fitted by least squares (scipy) on the real
and imaginary parts, each residual divided by |Z| (every frequency weighs alike), with the
parameters on a log scale (all positive). Starting values come from the spectrum itself:
R_s from the high-frequency intercept, R_ct and C_dl from the semicircle, sigma from the
low-frequency tail; several starts are tried and the best kept.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import least_squares

PARAMETERS = ("r_s_ohm", "r_ct_ohm", "c_dl_F", "warburg_sigma")


def randles(freq_Hz: np.ndarray, r_s: float, r_ct: float, c_dl: float, sigma: float):
    """Impedance (ohm, complex) of R_s + (C_dl || (R_ct + W)) at freq_Hz (Hz)."""
    omega = 2 * np.pi * np.asarray(freq_Hz, dtype=float)
    faradaic = r_ct + sigma * (1 - 1j) / np.sqrt(omega)
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
        starts.append(np.log([r_s, r_ct, c_dl, sigma]))
    return starts


def fit_randles(freq_Hz: np.ndarray, z_ohm: np.ndarray) -> dict:
    """Fit the Randles circuit to a spectrum (freq Hz, complex Z ohm): ``r_s_ohm``,
    ``r_ct_ohm``, ``c_dl_F``, ``warburg_sigma`` (ohm s^-1/2) and ``fit_rms_rel`` (RMS of
    the residuals relative to |Z|)."""
    freq = np.asarray(freq_Hz, dtype=float)
    z = np.asarray(z_ohm, dtype=complex)
    if freq.size < 5:
        raise ValueError(f"an equivalent-circuit fit needs at least 5 frequencies, got {freq.size}")
    scale = np.abs(z)

    def residuals(logp: np.ndarray) -> np.ndarray:
        model = randles(freq, *np.exp(logp))
        d = (model - z) / scale
        return np.concatenate((d.real, d.imag))

    best = None
    for start in _starts(freq, z):
        result = least_squares(residuals, start, method="lm", max_nfev=4000)
        if best is None or result.cost < best.cost:
            best = result
    values = dict(zip(PARAMETERS, (float(v) for v in np.exp(best.x)), strict=True))
    values["fit_rms_rel"] = float(np.sqrt(np.mean(best.fun**2)))
    return values
