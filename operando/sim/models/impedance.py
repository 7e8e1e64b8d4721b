"""What a potentiostat's impedance analyser measures on the simulated cell.

The cell is linearised about its present state (:func:`kinetics.small_signal`): ohmic
resistance R_s in series with the double layer C_dl in parallel with the faradaic branch,
charge transfer R_ct in series with diffusion into spherical particles (finite-space,
reflective centre; Jacobsen & West, Electrochim. Acta 40, 255 (1995)):

    Z_D = R_D tanh(s) / (s - tanh(s)),  s = sqrt(j omega tau),  tau = r^2 / D,
    R_D = sigma sqrt(2 tau)

which tends to the semi-infinite Warburg sigma (1 - j) / sqrt(omega) at high frequency and
to a capacitance (the particles' chemical capacitance) at low frequency. The analyser adds
its own noise: a relative error on |Z| and phase (``NOISE_REL``, typical of a lab
potentiostat's impedance accuracy, ~0.3-1 % of |Z|).
"""

from __future__ import annotations

import numpy as np

from ...instruments import EIS_F_RANGE_HZ
from .kinetics import SmallSignal, small_signal


class SpectrumRefused(ValueError):
    """A frequency range the analyser cannot measure."""


NOISE_REL = 0.005  # relative standard error of each impedance component
F_MIN_HZ, F_MAX_HZ = EIS_F_RANGE_HZ  # the analyser's frequency range (Hz)
MAX_POINTS = 200  # frequencies one spectrum holds (the ``EIS:`` arrays' length)


def frequencies_Hz(f_min_Hz: float, f_max_Hz: float, per_decade: int) -> np.ndarray:
    """Log-spaced frequencies from f_max down to f_min (Hz), per_decade per decade."""
    decades = np.log10(f_max_Hz / f_min_Hz)
    n = max(int(round(decades * per_decade)) + 1, 2)
    return np.logspace(np.log10(f_max_Hz), np.log10(f_min_Hz), n)


def randles_spherical(freq_Hz: np.ndarray, s: SmallSignal) -> np.ndarray:
    """Impedance (ohm, complex) of the linearised cell at freq_Hz."""
    omega = 2 * np.pi * np.asarray(freq_Hz, dtype=float)
    tau = s.diffusion_time_s
    x = np.sqrt(1j * omega * tau)
    t = np.tanh(x)
    z_d = s.warburg_sigma_ohm_s_half * np.sqrt(2 * tau) * t / (x - t)
    faradaic = s.r_ct_ohm + z_d
    return s.r_s_ohm + 1.0 / (1j * omega * s.c_dl_F + 1.0 / faradaic)


def measure(freq_Hz: np.ndarray, s: SmallSignal, rng: np.random.Generator) -> np.ndarray:
    """The spectrum as the analyser reports it: the cell's impedance with its noise."""
    z = randles_spherical(freq_Hz, s)
    noise = rng.normal(0.0, NOISE_REL, size=(2, z.size))
    return np.abs(z) * (1 + noise[0]) * np.exp(1j * (np.angle(z) + noise[1]))


def spectrum(
    cell, f_min_Hz: float, f_max_Hz: float, per_decade: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Frequencies (Hz, high to low) and measured impedance (ohm) of a Cell about its present
    state; SpectrumRefused for a range or a number of points the analyser cannot do."""
    if not (0 < f_min_Hz < f_max_Hz < np.inf):
        raise SpectrumRefused(
            f"frequencies must satisfy 0 < f_min < f_max, got {f_min_Hz:g}, {f_max_Hz:g} Hz"
        )
    if f_max_Hz > F_MAX_HZ or f_min_Hz < F_MIN_HZ:
        raise SpectrumRefused(f"frequencies must lie in [{F_MIN_HZ:g}, {F_MAX_HZ:g}] Hz")
    freq = frequencies_Hz(f_min_Hz, f_max_Hz, per_decade)
    if per_decade < 1 or freq.size > MAX_POINTS:
        raise SpectrumRefused(f"a spectrum holds 2 to {MAX_POINTS} frequencies; got {freq.size}")
    return freq, measure(freq, small_signal(cell, cell.temperature_K), rng)
