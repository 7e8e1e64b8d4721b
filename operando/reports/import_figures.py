"""Figures of runs imported from instrument files (registered in ``figures.FIGURES``).

Nyquist plot of impedance, voltammogram, potential trace, EC-MS (potential, current and
ion currents on one clock) and normalised XAS spectra. Built without pyplot, from what
storage holds.
"""

from __future__ import annotations

import pathlib

import numpy as np
from matplotlib.figure import Figure


def _save(fig: Figure, path: str | pathlib.Path, dpi: int = 110) -> pathlib.Path:
    fig.tight_layout()
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    return path


def _columns(run, stream: str = "primary") -> dict[str, np.ndarray]:
    ds = run[stream].read()
    return {k: np.asarray(ds[k].values) for k in ds.data_vars}


def _title(run) -> str:
    start = run.metadata["start"]
    files = (start.get("source") or {}).get("files") or ["?"]
    more = f" (+{len(files) - 1} files)" if len(files) > 1 else ""
    return f"{start.get('sample', {}).get('name', '')}: {files[0]}{more}"


def plot_nyquist(run, path: str | pathlib.Path, summary=None) -> pathlib.Path:
    """-Im Z against Re Z (Ohm, equal axes), one curve per spectrum, with the two-arc
    circuit fitted to it (dashed) where the summary holds one."""
    from ..analysis.impedance import two_arc_cell_of

    c = _columns(run)
    fits = {s["spectrum"]: s.get("fit") for s in (summary.values["spectra"] if summary else [])}
    fig = Figure(figsize=(6, 5.5))
    ax = fig.subplots()
    numbers = c.get("cycle", np.ones(c["frequency"].size))
    for n in np.unique(numbers):
        sel = numbers == n
        (line,) = ax.plot(c["Re_Z"][sel], c["minus_Im_Z"][sel], "o", ms=3, label=f"spectrum {n:g}")
        fit = fits.get(int(n))
        if fit:
            f = c["frequency"][sel]
            fine = np.logspace(np.log10(np.nanmax(f)), np.log10(np.nanmin(f)), 200)
            z = two_arc_cell_of(fit, fine)
            ax.plot(z.real, -z.imag, "--", lw=1, color=line.get_color())
    ax.set_xlabel("Re Z (Ohm)")
    ax.set_ylabel("-Im Z (Ohm)")
    ax.set_aspect("equal", adjustable="datalim")
    ax.axhline(0, color="0.7", lw=0.5)
    if np.unique(numbers).size <= 10:
        ax.legend(fontsize=7)
    fig.suptitle(f"Nyquist: {_title(run)}", fontsize=9)
    return _save(fig, path)


def plot_voltammogram(run, path: str | pathlib.Path) -> pathlib.Path:
    """Current (mA) against Ewe (V)."""
    c = _columns(run)
    fig = Figure(figsize=(6, 4.5))
    ax = fig.subplots()
    ax.plot(c["Ewe"], c["I"], lw=1)
    ax.set_xlabel("$E_{we}$ (V)")
    ax.set_ylabel("I (mA)")
    fig.suptitle(f"Voltammogram: {_title(run)}", fontsize=9)
    return _save(fig, path)


def plot_trace(run, path: str | pathlib.Path) -> pathlib.Path:
    """Ewe (V) and current (mA) against time (s)."""
    c = _columns(run)
    fig = Figure(figsize=(7, 5))
    ax_e, ax_i = fig.subplots(2, 1, sharex=True)
    ax_e.plot(c["t"], c["Ewe"], lw=1)
    ax_e.set_ylabel("$E_{we}$ (V)")
    ax_i.plot(c["t"], c["I"], lw=1)
    ax_i.set_ylabel("I (mA)")
    ax_i.set_xlabel("time (s)")
    fig.suptitle(_title(run), fontsize=9)
    return _save(fig, path)


def plot_ecms(run, path: str | pathlib.Path) -> pathlib.Path:
    """EC-MS on the shared clock (s from the run's start): ion currents (A, log) above,
    Ewe (V) and current (mA) below."""
    t0 = float(run.metadata["start"]["time"])
    ms = _columns(run, "dems")
    fig = Figure(figsize=(8, 6.5))
    ax_ms, ax_e = fig.subplots(2, 1, sharex=True)
    for key in sorted((k for k in ms if k.startswith("mz") and k[2:].isdigit()),
                      key=lambda k: int(k[2:])):  # fmt: skip
        clock = ms.get(f"{key}_clock", ms["clock"])
        values = np.where(ms[key] > 0, ms[key], np.nan)
        ax_ms.semilogy(clock - t0, values, lw=1, label=f"m/z {key[2:]}")
    ax_ms.set_ylabel("ion current (A)")
    ax_ms.legend(fontsize=6, ncol=4)
    if "primary" in run:
        pot = _columns(run)
        ax_e.plot(pot["clock"] - t0, pot["Ewe"], color="k", lw=1)
        ax_i = ax_e.twinx()
        ax_i.plot(pot["clock"] - t0, pot["I"], color="tab:red", lw=0.8)
        ax_i.set_ylabel("I (mA)", color="tab:red")
    ax_e.set_ylabel("$E_{we}$ (V)")
    ax_e.set_xlabel("time from the start of the set (s)")
    fig.suptitle(f"EC-MS: {_title(run)}", fontsize=9)
    return _save(fig, path)


def plot_xas_spectra(run, summary, path: str | pathlib.Path) -> pathlib.Path:
    """Normalised absorption (larch pre_edge) of every spectrum against energy (eV)."""
    from ..analysis.xas import normalize

    ds = run["primary"].read()
    names = np.asarray(ds["spectrum"].values).astype(str)
    energy, mu = np.asarray(ds["energy"].values, float), np.asarray(ds["mu"].values, float)
    fig = Figure(figsize=(7, 5))
    ax = fig.subplots()
    for name in dict.fromkeys(names):
        sel = names == name
        try:
            n = normalize(energy[sel], mu[sel])
            ax.plot(n.energy, n.norm, lw=1, label=name)
        except (ValueError, RuntimeError):
            ax.plot(energy[sel], mu[sel], lw=1, label=f"{name} (raw mu)")
    ax.set_xlabel("energy (eV)")
    ax.set_ylabel("normalised absorption")
    ax.legend(fontsize=7)
    fig.suptitle(_title(run), fontsize=9)
    return _save(fig, path)


def _cycling(run, summary, stem) -> None:
    from .figures import plot_cycling

    sample = run.metadata["start"]["sample"]
    label = sample.get("formula") or sample.get("material") or "material not given"
    plot_cycling(run, f"{stem}_cycle.png", title=f"{sample['name']} ({label})")


IMPORTED_FIGURES = {
    "imported_cycling": (_cycling,),
    "imported_impedance": (
        lambda run, summary, stem: plot_nyquist(run, f"{stem}_nyquist.png", summary),
    ),
    "imported_voltammetry": (lambda run, summary, stem: plot_voltammogram(run, f"{stem}_cv.png"),),
    "imported_trace": (lambda run, summary, stem: plot_trace(run, f"{stem}_trace.png"),),
    "imported_ecms": (lambda run, summary, stem: plot_ecms(run, f"{stem}_ecms.png"),),
    "imported_xas": (lambda run, summary, stem: plot_xas_spectra(run, summary, f"{stem}_xas.png"),),
}
