"""Figures (PNG) of stored runs, as the panels of a paper's figures.

Each figure reads only what storage holds, so it can be drawn days later in a new process.
Figures are built without pyplot: reports need no screen and leave the session's plotting
backend alone.
"""

from __future__ import annotations

import pathlib

from matplotlib.figure import Figure

from ..analysis import xray_report
from ..analysis.tables import dems_columns, primary_columns
from ..display.drawing import draw_cycling, draw_gas


def _figure(rows: int, cols: int, figsize: tuple[float, float], **kwargs):
    """A figure and its axes, without pyplot: reports need no screen and leave the
    session's plotting backend alone."""
    fig = Figure(figsize=figsize)
    return fig, fig.subplots(rows, cols, **kwargs)


def _save(fig, path: str | pathlib.Path, dpi: int) -> pathlib.Path:
    """Lay out and write a figure (PNG)."""
    fig.tight_layout()
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    return path


def plot_gas(run, path: str | pathlib.Path, title: str | None = None) -> pathlib.Path:
    """Potential and gas evolution rates against time (as the DEMS figure of a paper)."""
    sample = run.metadata["start"]["sample"]
    dems, configuration = dems_columns(run)
    fig, (ax_v, ax_g) = _figure(2, 1, (8, 6), sharex=True)  # inches
    draw_gas(ax_v, ax_g, primary_columns(run), dems, configuration)
    fig.suptitle(title or f"DEMS: {sample['name']} ({sample['formula']})")
    return _save(fig, path, dpi=120)


def plot_cycling(run, path: str | pathlib.Path, title: str | None = None) -> pathlib.Path:
    """Voltage vs specific capacity and dQ/dV vs voltage of every cycle, as one PNG."""
    sample = run.metadata["start"]["sample"]
    fig, (ax_v, ax_d) = _figure(1, 2, (11, 4.5))
    draw_cycling(ax_v, ax_d, primary_columns(run), sample["active_mass_mg"] * 1e-3)
    fig.suptitle(title or f"{sample['name']} ({sample['formula']})")
    return _save(fig, path, dpi=120)


def plot_exsitu_soft(spectra: dict, path: str | pathlib.Path) -> pathlib.Path:
    """Normalised soft XAS of the ex situ series (as the paper's Fig. 4): for each edge
    (rows) and yield (TEY, FY columns), one curve per electrode, offset by material.

    spectra : edge -> electrode name -> yield -> (energy eV, normalised absorption).
    """
    edges = list(spectra)
    fig, axes = _figure(len(edges), 2, (10, 4 * len(edges)), squeeze=False)
    colors = {"pristine": "k", "4.5V": "tab:orange", "4.8V": "tab:red", "2.0V": "tab:blue"}
    for row, edge in enumerate(edges):
        for col, yield_name in enumerate(("tey", "fy")):
            ax = axes[row][col]
            for n, (name, by_yield) in enumerate(spectra[edge].items()):
                material, state = name.split(" ", 1)
                offset = 0.0 if material == "lnmo" else 3.0
                energy, norm = by_yield[yield_name]
                ax.plot(energy, norm + offset, color=colors.get(state, f"C{n}"),
                        lw=1, label=name)  # fmt: skip
            ax.set_title(f"{edge} {yield_name.upper()} (LNMO below, LNRO offset +3)")
            ax.set_xlabel("photon energy (eV)")
            ax.set_ylabel("normalised absorption")
        axes[row][0].legend(fontsize=7)
    return _save(fig, path, dpi=110)


def plot_rixs_maps(maps: dict, path: str | pathlib.Path) -> pathlib.Path:
    """O K RIXS maps (as the paper's Fig. 5): emission energy (x) against excitation (y)."""
    names = list(maps)
    cols = 4
    rows = (len(names) + cols - 1) // cols
    fig, axes = _figure(rows, cols, (4 * cols, 3.6 * rows), squeeze=False)
    for ax, name in zip(axes.ravel(), names, strict=False):
        m = maps[name]
        ax.pcolormesh(m.emission_eV, m.excitation_eV, m.intensity, shading="auto")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("emission energy (eV)")
        ax.set_ylabel("excitation energy (eV)")
    for ax in axes.ravel()[len(names) :]:
        ax.axis("off")
    return _save(fig, path, dpi=110)


def plot_in_situ(run, scans: list[dict], path: str | pathlib.Path) -> pathlib.Path:
    """In situ Ru K (as the paper's Fig. 6): the cell's potential against time with the
    moments of the scans, and Ru valence against Li content, charge and discharge."""
    c = primary_columns(run)
    fig, (ax_v, ax_x) = _figure(1, 2, (11, 4.5))
    ax_v.plot(c["t"] / 3600, c["Ewe"], color="k", lw=1)
    ax_v.set_xlabel("time (h)")
    ax_v.set_ylabel("$E_{we}$ (V vs Li/Li$^+$)")
    for direction, marker in (("charge", "o-"), ("discharge", "s--")):
        points = [s for s in scans if s["direction"] == direction]
        if points:
            ax_x.plot([s["x_li"] for s in points], [s["valence"] for s in points], marker,
                      label=direction)  # fmt: skip
    ax_x.set_xlabel("x in Li$_x$Ni$_{0.2}$Ru$_{0.6}$O$_2$")
    ax_x.set_ylabel("Ru valence (from the half-height edge)")
    ax_x.invert_xaxis()
    ax_x.legend()
    fig.suptitle("In situ Ru K-edge XANES through the first cycle")
    return _save(fig, path, dpi=120)


def plot_ru_k(spectra: dict, path: str | pathlib.Path) -> pathlib.Path:
    """Ru K edge (as the paper's Fig. 6): normalised XANES of the references and the LNRO
    electrodes, and the magnitude of the EXAFS Fourier transform of the electrodes.

    spectra : electrode name -> {energy (eV), norm, r (A), ft}, from ``hard_spectra``.
    """
    fig, (ax_x, ax_r) = _figure(1, 2, (11, 4.5))
    for name, s in spectra.items():
        reference = not name.lower().startswith("lnro")
        ax_x.plot(s["energy"], s["norm"], ":" if reference else "-", lw=1, label=name)
        if not reference:
            ax_r.plot(s["r"], s["ft"], lw=1, label=name)
    ax_x.set_xlim(22080, 22200)
    ax_x.set_xlabel("photon energy (eV)")
    ax_x.set_ylabel("normalised absorption")
    ax_x.legend(fontsize=7)
    ax_r.set_xlim(0, 4)
    ax_r.set_xlabel("R (A, no phase correction)")
    ax_r.set_ylabel("|FT(k$^2\\chi$)|")
    ax_r.legend(fontsize=7)
    fig.suptitle("Ru K edge: XANES against Ru, RuCl3, RuO2; EXAFS of LNRO electrodes")
    return _save(fig, path, dpi=120)


# Figures of each kind of run (``analysis.run_kinds``), drawn by ``operando report``: each
# takes the stored run, its summary and the path stem, and writes ``<stem>_<what>.png``.
def _cycling_figures(run, summary, stem) -> None:
    plot_cycling(run, f"{stem}_cycle.png")


def _dems_figures(run, summary, stem) -> None:
    plot_gas(run, f"{stem}_dems.png")
    plot_cycling(run, f"{stem}_cycle.png")


def _xas_figures(run, summary, stem) -> None:
    edge = run.metadata["start"]["edge"]
    if edge["station"] == "soft":
        plot_exsitu_soft({edge["name"]: xray_report.soft_spectra(run)}, f"{stem}_xas.png")
    else:
        plot_ru_k(xray_report.hard_spectra(run), f"{stem}_xas.png")


def _rixs_figures(run, summary, stem) -> None:
    plot_rixs_maps({run.metadata["start"]["uid"][:8]: xray_report.rixs_map_of(run)},
                   f"{stem}_rixs.png")  # fmt: skip


def _in_situ_figures(run, summary, stem) -> None:
    plot_in_situ(run, summary.scans, f"{stem}_in_situ.png")


def _cv_figures(run, summary, stem) -> None:
    from .technique_figures import plot_voltammogram

    plot_voltammogram(run, summary, f"{stem}_cv.png")


def _gitt_figures(run, summary, stem) -> None:
    from .technique_figures import plot_gitt

    plot_gitt(run, summary, f"{stem}_gitt.png")


def _eis_figures(run, summary, stem) -> None:
    from .technique_figures import plot_nyquist

    plot_nyquist(run, summary, f"{stem}_nyquist.png")


FIGURES = {
    "cycling": (_cycling_figures,),
    "dems": (_dems_figures,),
    "xas": (_xas_figures,),
    "rixs": (_rixs_figures,),
    "in_situ": (_in_situ_figures,),
    "charge_and_measure": (_cycling_figures,),
    "cv": (_cv_figures,),
    "gitt": (_gitt_figures,),
    "eis": (_eis_figures,),
}

# Runs imported from instrument files (operando import).
from .import_figures import IMPORTED_FIGURES  # noqa: E402

FIGURES.update(IMPORTED_FIGURES)
