"""Reports from stored runs: tables read back from tiled, figures (PNG) and summaries.

A report reads only what storage holds (``run[stream].read()`` and the start document), so
it can be built days later, in a new process, from any copy of the catalog.
"""

from __future__ import annotations

import pathlib

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from .electrochem import dqdv, pair_cycles, split_half_cycles
from .gas import Calibration, GasRates, gas_rates
from .live import run_cycling_summary, run_gas_summary


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


def primary_columns(run) -> dict[str, np.ndarray]:
    """The potentiostat columns (clock s, t s, Ewe V, I mA, Q mAh, step) of a stored run."""
    ds = run["primary"].read()
    keys = [k for k in ("clock", "t", "Ewe", "I", "Q", "step") if k in ds]
    return {k: np.asarray(ds[k].values) for k in keys}


def dems_columns(run) -> tuple[dict[str, np.ndarray], dict]:
    """The mass spectrometer's columns (clock s, interval s, mz<N> A, pressure mbar) of a
    stored run, and the stream's configuration (with the calibration table)."""
    stream = run["dems"]
    ds = stream.read()
    columns = {k: np.asarray(ds[k].values, dtype=float) for k in ds.data_vars}
    return columns, stream.metadata["configuration"]


def cycling_summary(run) -> dict:
    """The cycling summary of a stored run, computed from its stored table."""
    return run_cycling_summary(run.metadata["start"], primary_columns(run))


def gas_summary(run) -> dict:
    """Cycling and gas summary of a stored DEMS run, computed from its stored tables."""
    columns, configuration = dems_columns(run)
    return run_gas_summary(run.metadata["start"], primary_columns(run), columns, configuration)


def live_gas_rates(primary: dict, dems: dict, configuration: dict) -> GasRates:
    """Gas evolution rates from the dems columns, the background being the samples taken
    before the first current (ValueError while fewer than 3 are in)."""
    calibration = Calibration.from_configuration(configuration)
    flowing = np.flatnonzero(primary["I"] != 0)
    t_first = primary["clock"][flowing[0]] if flowing.size else np.inf
    ion = {mz: dems[f"mz{mz}"] for mz in calibration.channels}
    return gas_rates(dems["clock"], dems["interval"], ion, calibration, dems["clock"] <= t_first)


def draw_gas(ax_v, ax_g, primary: dict, dems: dict, configuration: dict) -> None:
    """Ewe (V) and O2, CO2, H2 evolution rates (nmol/min) against time (h) on two axes."""
    rates = live_gas_rates(primary, dems, configuration)  # first: it may refuse
    t0 = primary["clock"][0]
    ax_v.plot((primary["clock"] - t0) / 3600, primary["Ewe"], color="k", lw=1)
    ax_v.set_ylabel("$E_{we}$ (V vs Li/Li$^+$)")
    t_h = (rates.t_mid - t0) / 3600
    for gas, color in (("O2", "tab:blue"), ("CO2", "tab:red"), ("H2", "tab:green")):
        if gas in rates.rates:
            ax_g.plot(t_h, rates.nmol_min(gas), color=color, lw=1, label=gas)
    ax_g.set_xlabel("time (h)")
    ax_g.set_ylabel("gas evolution rate (nmol min$^{-1}$)")
    ax_g.axhline(0, color="0.6", lw=0.5)
    ax_g.legend()


def plot_gas(run, path: str | pathlib.Path, title: str | None = None) -> pathlib.Path:
    """Potential and gas evolution rates against time (as the DEMS figure of a paper)."""
    sample = run.metadata["start"]["sample"]
    dems, configuration = dems_columns(run)
    fig, (ax_v, ax_g) = _figure(2, 1, (8, 6), sharex=True)  # inches
    draw_gas(ax_v, ax_g, primary_columns(run), dems, configuration)
    fig.suptitle(title or f"DEMS: {sample['name']} ({sample['formula']})")
    return _save(fig, path, dpi=120)


def draw_cycling(ax_v, ax_d, c: dict, mass_g: float) -> None:
    """Ewe against specific capacity (mAh/g) and dQ/dV against Ewe, every half-cycle."""
    cycles = pair_cycles(split_half_cycles(c["t"], c["Ewe"], c["I"], c["step"]))
    colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    for n, pair in enumerate(cycles):
        color = colors[n % len(colors)]
        for seg in pair:
            if seg is None:
                continue
            q = seg.cumulative_mAh() / mass_g
            style = "-" if seg.direction == "charge" else "--"
            label = f"cycle {n + 1} {seg.direction}"
            ax_v.plot(q, seg.ewe_V, style, color=color, label=label)
            try:
                v_axis, d = dqdv(q, seg.ewe_V)
            except ValueError:
                continue
            sign = 1 if seg.direction == "charge" else -1
            ax_d.plot(v_axis, sign * d, style, color=color, label=label)
    ax_v.set_xlabel("specific capacity (mAh g$^{-1}$)")
    ax_v.set_ylabel("$E_{we}$ (V vs Li/Li$^+$)")
    if cycles:
        ax_v.legend(fontsize=8)
    ax_d.set_xlabel("$E_{we}$ (V vs Li/Li$^+$)")
    ax_d.set_ylabel("dQ/dV (mAh g$^{-1}$ V$^{-1}$; discharge negative)")
    ax_d.axhline(0, color="0.6", lw=0.5)


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
