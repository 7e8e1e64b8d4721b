"""Figures of CV, GITT and EIS runs (PNG), from stored tables only."""

from __future__ import annotations

import pathlib

import numpy as np

from ..analysis.impedance import randles, two_arc_cell_of
from ..analysis.tables import primary_columns
from ..analysis.technique_runs import eis_spectrum
from .figures import _figure, _save


def _title(run, what: str) -> str:
    sample = run.metadata["start"]["sample"]
    return f"{what}: {sample['name']} ({sample['formula']})"


def plot_nyquist(run, summary, path: str | pathlib.Path) -> pathlib.Path:
    """Nyquist plot (-Im Z against Re Z, ohm, equal axes) of the run's spectrum with the
    fitted Randles circuit."""
    freq, z, ewe = eis_spectrum(run)
    fig, ax = _figure(1, 1, (6, 5))
    ax.plot(z.real, -z.imag, "o", ms=4, label=f"measured at {ewe:.3f} V")
    fine = np.logspace(np.log10(freq.max()), np.log10(freq.min()), 300)
    if summary.r_s_ohm is not None:  # no fit of an inductive spectrum
        fit = randles(fine, summary.r_s_ohm, summary.r_ct_ohm, summary.c_dl_F,
                      summary.warburg_sigma, summary.diffusion_time_s)  # fmt: skip
        ax.plot(fit.real, -fit.imag, "-", label=(
            f"Randles fit: R_s {summary.r_s_ohm:.3g}, R_ct {summary.r_ct_ohm:.3g} ohm, "
            f"C_dl {summary.c_dl_F:.3g} F"))  # fmt: skip
    if summary.two_arc:
        two = two_arc_cell_of(summary.two_arc, fine)
        ax.plot(two.real, -two.imag, "--", label=(
            f"two-arc fit: R_film {summary.two_arc['r_film_ohm']:.3g}, "
            f"R_ct {summary.two_arc['r_ct_ohm']:.3g} ohm"))  # fmt: skip
    ax.set_xlabel("Re Z (ohm)")
    ax.set_ylabel("-Im Z (ohm)")
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend(fontsize=8)
    ax.set_title(_title(run, "EIS"))
    return _save(fig, path, dpi=120)


def plot_voltammogram(run, summary, path: str | pathlib.Path) -> pathlib.Path:
    """Current (mA) against potential (V) of every sweep, peaks marked."""
    c = primary_columns(run)
    fig, ax = _figure(1, 1, (7, 5))
    ax.plot(c["Ewe"], c["I"], "-", lw=1)
    for cycle in summary.cycles:
        for kind in ("anodic", "cathodic"):
            ax.plot(cycle[f"{kind}_peaks_V"], cycle["peak_currents_mA"][kind], "v", ms=6)
    ax.set_xlabel("Ewe (V vs Li/Li+)")
    ax.set_ylabel("I (mA)")
    ax.set_title(_title(run, f"CV at {summary.scan_rate_mV_s} mV/s"))
    return _save(fig, path, dpi=120)


def plot_gitt(run, summary, path: str | pathlib.Path) -> pathlib.Path:
    """Potential against time, and D per pulse against Li content."""
    c = primary_columns(run)
    fig, (ax_e, ax_d) = _figure(1, 2, (11, 4.5))
    ax_e.plot(c["t"] / 3600.0, c["Ewe"], "-", lw=1)
    ax_e.set_xlabel("t (h)")
    ax_e.set_ylabel("Ewe (V vs Li/Li+)")
    valid = [p for p in summary.pulses if p["diffusion_coefficient_cm2_s"] is not None]
    ax_d.semilogy([p["x_li"] for p in valid],
                  [p["diffusion_coefficient_cm2_s"] for p in valid], "o-")  # fmt: skip
    ax_d.set_xlabel("x in Li_x")
    ax_d.set_ylabel("D (cm2/s)")
    fig.suptitle(_title(run, f"GITT (r = {summary.particle_radius_um} um)"))
    return _save(fig, path, dpi=120)
