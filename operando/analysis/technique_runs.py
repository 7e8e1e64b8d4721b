"""Summaries of CV, GITT and EIS runs from their tables (stored, or gathered from
documents): the functions :mod:`run_kinds` calls for live, replayed and reported runs."""

from __future__ import annotations

import numpy as np

from ..materials import parse_formula
from .cv import voltammogram_peaks
from .gitt import gitt_analysis
from .impedance import POOR_FIT_RMS_REL, fit_randles, fit_two_arc_cell, not_fittable
from .results import CvSummary, EisSummary, GittSummary
from .tables import primary_columns


def _parameters(run) -> dict:
    return run.metadata["start"]["protocol"]["parameters"]


def cv_summary(run) -> CvSummary:
    """Peaks of every cycle of a cyclic voltammetry run."""
    c = primary_columns(run)
    cycles = voltammogram_peaks(c["Ewe"], c["I"], c["step"])
    start = run.metadata["start"]
    return CvSummary(start["uid"], _parameters(run).get("scan_rate_mV_s"), cycles)


def gitt_summary(run) -> GittSummary:
    """Weppner-Huggins D per pulse of a GITT run, for the particle radius recorded with it
    (``analysis.particle_radius_um`` of the start document)."""
    start = run.metadata["start"]
    sample = start["sample"]
    radius = (start.get("analysis") or {}).get("particle_radius_um")
    if radius is None:
        raise ValueError("the GITT run's start document lacks analysis.particle_radius_um")
    c = primary_columns(run)
    pulses = gitt_analysis(
        c["t"], c["Ewe"], c["I"], c["step"], radius_um=radius,
        active_mass_mg=sample["active_mass_mg"], formula=sample["formula"],
        li_pristine=parse_formula(sample["formula"]).get("Li", 0.0),
    )  # fmt: skip
    return GittSummary(start["uid"], radius, pulses)


def eis_spectrum(run) -> tuple[np.ndarray, np.ndarray, float]:
    """The (first) impedance spectrum of a run: frequencies (Hz), Z (ohm), DC potential (V)."""
    ds = run["eis"].read()
    n = int(np.asarray(ds["eis_n"].values)[0])
    freq = np.asarray(ds["eis_freq"].values)[0][:n]
    z = np.asarray(ds["eis_z_re"].values)[0][:n] + 1j * np.asarray(ds["eis_z_im"].values)[0][:n]
    return freq, z, float(np.asarray(ds["eis_ewe"].values)[0])


def eis_summary(run) -> EisSummary:
    """The Randles fit of a run's impedance spectrum; the two-arc cell fit beside it when
    the Randles circuit leaves residuals above ``POOR_FIT_RMS_REL``; no fit for a spectrum
    that is ``not_fittable``, with the reason."""
    freq, z, ewe = eis_spectrum(run)
    uid, n = run.metadata["start"]["uid"], int(freq.size)
    reason = not_fittable(freq, z, min_points=5)
    if reason:
        return EisSummary(
            uid, ewe_V=ewe, n_frequencies=n, warnings=[f"no circuit fitted: {reason}"]
        )
    fit = fit_randles(freq, z)
    two_arc, warnings = None, []
    if fit["fit_rms_rel"] > POOR_FIT_RMS_REL and not not_fittable(freq, z):
        two_arc = fit_two_arc_cell(freq, z)
        warnings.append(
            f"the Randles circuit leaves residuals of {fit['fit_rms_rel']:.1%} of |Z|; the "
            f"two-arc cell circuit (a surface film, depressed arcs) leaves "
            f"{two_arc['fit_rms_rel']:.1%}: see two_arc"
        )
    return EisSummary(uid, ewe_V=ewe, n_frequencies=n, two_arc=two_arc, warnings=warnings, **fit)
