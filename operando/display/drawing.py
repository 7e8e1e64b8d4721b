"""Panels shared by the live figure and the reports: drawn on given matplotlib axes."""

from __future__ import annotations

import matplotlib

from ..analysis.electrochem import dqdv, pair_cycles, split_half_cycles
from ..analysis.tables import live_gas_rates


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
