"""RIXS maps: assembly from emission spectra, I0 normalisation, regions of interest.

A map is intensity[excitation, emission] (counts per I0 count), excitation energies in eV on
one axis and the spectrograph's emission energies (eV) on the other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Default regions of interest, ((excitation eV), (emission eV)); feature_intensity takes
# others. Feature window: where oxidised lattice oxygen is looked for, below the main
# emission stripe. Reference window: the TM-O hybridised fluorescence stripe above it,
# present in every state, so the ratio does not depend on flux or sample thickness.
FEATURE_ROI = ((530.45, 531.15), (523.4, 524.1))
REFERENCE_ROI = ((532.5, 534.0), (524.3, 525.7))


@dataclass(frozen=True)
class RixsMap:
    excitation_eV: np.ndarray
    emission_eV: np.ndarray
    intensity: np.ndarray  # [excitation, emission], counts per I0 count
    variance: np.ndarray  # counting (Poisson) variance of intensity

    def _cells(self, roi) -> tuple[np.ndarray, np.ndarray]:
        (x0, x1), (y0, y1) = roi
        rows = (self.excitation_eV >= x0) & (self.excitation_eV <= x1)
        cols = (self.emission_eV >= y0) & (self.emission_eV <= y1)
        if not rows.any() or not cols.any():
            raise ValueError(f"the region {roi} lies outside the map")
        return rows, cols

    def roi_sum(self, roi: tuple[tuple[float, float], tuple[float, float]]) -> float:
        """Integrated intensity of a region ((excitation range), (emission range)) in eV."""
        rows, cols = self._cells(roi)
        return float(self.intensity[np.ix_(rows, cols)].sum())

    def roi_variance(self, roi) -> float:
        rows, cols = self._cells(roi)
        return float(self.variance[np.ix_(rows, cols)].sum())

    def __sub__(self, other: RixsMap) -> RixsMap:
        """Difference map (same axes)."""
        if not (
            np.allclose(self.excitation_eV, other.excitation_eV)
            and np.allclose(self.emission_eV, other.emission_eV)
        ):
            raise ValueError("difference maps need the same excitation and emission axes")
        return RixsMap(
            self.excitation_eV,
            self.emission_eV,
            self.intensity - other.intensity,
            self.variance + other.variance,
        )


def assemble(
    excitation_eV: np.ndarray, emission_eV: np.ndarray, spectra: np.ndarray, i0: np.ndarray
) -> RixsMap:
    """A map from one spectrum (counts) per excitation energy, each divided by its I0."""
    spectra = np.asarray(spectra, float)
    i0 = np.asarray(i0, float)
    if spectra.ndim != 2 or spectra.shape[0] != len(excitation_eV):
        raise ValueError("one emission spectrum per excitation energy is needed")
    if np.any(i0 <= 0):
        raise ValueError("I0 must be positive to normalise a RIXS map")
    order = np.argsort(excitation_eV, kind="stable")
    return RixsMap(
        np.asarray(excitation_eV, float)[order],
        np.asarray(emission_eV, float),
        (spectra / i0[:, None])[order],
        (np.clip(spectra, 0, None) / i0[:, None] ** 2)[order],
    )


def feature_intensity(
    m: RixsMap, feature=FEATURE_ROI, reference=REFERENCE_ROI
) -> tuple[float, float]:
    """Integrated intensity of the feature region relative to the reference region, and
    its counting uncertainty (one standard deviation)."""
    a, b = m.roi_sum(feature), m.roi_sum(reference)
    ratio = a / b
    relative = np.sqrt(m.roi_variance(feature) / a**2 + m.roi_variance(reference) / b**2)
    return ratio, float(abs(ratio) * relative)
