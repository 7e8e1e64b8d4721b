"""Linear-combination fitting of a XANES spectrum by reference spectra (larch's
``lincombo_fit``): the fractions of each reference in a mixture, and the mean valence
they imply when the references' valences are known."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import BadRequest
from .xas import Normalized, flattened


@dataclass(frozen=True)
class LcfResult:
    weights: dict[str, float]  # reference name -> fraction
    sigmas: dict[str, float]  # one standard deviation of each fraction
    rfactor: float  # sum (data - fit)^2 / sum data^2 over the fit range
    range_eV: tuple[float, float]  # absolute energies fitted (eV)

    def mean_valence(self, valences: dict[str, float]) -> tuple[float, float]:
        """Fraction-weighted valence and its uncertainty from the fractions' sigmas, their
        correlation ignored (with fractions summing to one it is an upper bound)."""
        v = sum(self.weights[n] * valences[n] for n in self.weights)
        s = np.sqrt(sum((self.sigmas[n] * valences[n]) ** 2 for n in self.weights))
        return float(v), float(s)


def linear_combination(
    sample: Normalized,
    references: dict[str, Normalized],
    *,
    emin_eV: float = -20.0,
    emax_eV: float = 60.0,
    sum_to_one: bool = True,
) -> LcfResult:
    """Fit the flattened sample by a combination of flattened references over
    [E0 + emin_eV, E0 + emax_eV] of the sample (eV); fractions bounded to [0, 1]."""
    from larch import Group
    from larch.math import lincombo_fit

    if len(references) < 2:
        raise BadRequest("a linear combination needs at least two reference spectra")
    lo, hi = sample.e0 + emin_eV, sample.e0 + emax_eV
    for name, ref in references.items():
        if ref.energy[0] > lo or ref.energy[-1] < hi:
            raise BadRequest(
                f"reference {name} covers {ref.energy[0]:.1f}-{ref.energy[-1]:.1f} eV, "
                f"not the fit range {lo:.1f}-{hi:.1f} eV"
            )
    group = Group(energy=sample.energy, norm=flattened(sample))
    components = [
        Group(energy=ref.energy, norm=flattened(ref), label=name, filename=name)
        for name, ref in references.items()
    ]
    ncomp = len(components)
    fit = lincombo_fit(
        group, components, minvals=[0.0] * ncomp, maxvals=[1.0] * ncomp,
        xmin=lo, xmax=hi, sum_to_one=sum_to_one,
    )  # fmt: skip
    sigmas = {
        name: float(p.stderr) if p.stderr is not None else float("nan")
        for name, p in fit.params.items()
        if name in fit.weights
    }
    return LcfResult(dict(fit.weights), sigmas, float(fit.rfactor), (lo, hi))
