"""Line shapes of the simulated spectra (energies in eV)."""

from __future__ import annotations

import math

import numpy as np


def pseudo_voigt(e: np.ndarray, center: float, fwhm: float, eta: float = 0.5) -> np.ndarray:
    """Pseudo-Voigt of unit height: eta Lorentzian + (1 - eta) Gaussian of the same FWHM."""
    x = (e - center) / (fwhm / 2)
    return eta / (1 + x**2) + (1 - eta) * np.exp(-math.log(2) * x**2)


def arctan_step(e: np.ndarray, center: float, width: float) -> np.ndarray:
    """Arctangent edge step from 0 to 1 (the integral of a Lorentzian of HWHM width)."""
    return 0.5 + np.arctan((e - center) / width) / math.pi
