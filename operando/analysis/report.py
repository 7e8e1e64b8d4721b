"""Reports from stored runs: tables read back from tiled, figures (PNG) and summaries.

A report reads only what storage holds (``run[stream].read()`` and the start document), so
it can be built days later, in a new process, from any copy of the catalog.
"""

from __future__ import annotations

import pathlib

import matplotlib

matplotlib.use("Agg")  # reports are files; no screen needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .electrochem import dqdv, pair_cycles, split_half_cycles  # noqa: E402
from .live import run_cycling_summary  # noqa: E402


def primary_columns(run) -> dict[str, np.ndarray]:
    """The potentiostat columns (t s, Ewe V, I mA, Q mAh, step) of a stored run."""
    ds = run["primary"].read()
    return {k: np.asarray(ds[k].values) for k in ("t", "Ewe", "I", "Q", "step")}


def cycling_summary(run) -> dict:
    """The cycling summary of a stored run, computed from its stored table."""
    return run_cycling_summary(run.metadata["start"], primary_columns(run))


def plot_cycling(run, path: str | pathlib.Path, title: str | None = None) -> pathlib.Path:
    """Voltage vs specific capacity and dQ/dV vs voltage of every cycle, as one PNG."""
    start = run.metadata["start"]
    sample = start["sample"]
    mass_g = sample["active_mass_mg"] * 1e-3
    c = primary_columns(run)
    cycles = pair_cycles(split_half_cycles(c["t"], c["Ewe"], c["I"], c["step"]))
    fig, (ax_v, ax_d) = plt.subplots(1, 2, figsize=(11, 4.5))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
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
    ax_v.legend(fontsize=8)
    ax_d.set_xlabel("$E_{we}$ (V vs Li/Li$^+$)")
    ax_d.set_ylabel("dQ/dV (mAh g$^{-1}$ V$^{-1}$; discharge negative)")
    ax_d.axhline(0, color="0.6", lw=0.5)
    fig.suptitle(title or f"{sample['name']} ({sample['formula']})")
    fig.tight_layout()
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
