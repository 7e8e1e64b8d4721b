"""How commands print: one JSON object (``--json``) or a few readable lines."""

from __future__ import annotations

import json

from ..analysis.results import (
    CyclingSummary,
    DemsSummary,
    RixsSummary,
    Summary,
    XasSummary,
)


def print_json(obj: dict) -> None:
    print(json.dumps(obj))


def print_summary(summary: Summary, as_json: bool) -> None:
    """A run's summary: its JSON, or text by kind of result."""
    if as_json:
        print_json(summary.to_json())
    elif isinstance(summary, (CyclingSummary, DemsSummary)):
        _print_cycling(summary)
    elif isinstance(summary, XasSummary):
        _print_xas(summary.to_json())
    elif isinstance(summary, RixsSummary):
        s = summary.to_json()
        print(
            f"run {s['uid']}: {s.get('sample', '')}: oxidised-oxygen feature "
            f"{s['feature_intensity']} +- {s['feature_intensity_sigma']} "
            "(relative to the 533 / 525 eV stripe)"
        )
    else:
        print(json.dumps(summary.to_json(), indent=2))


def _print_xas(summary: dict) -> None:
    print(f"run {summary['uid']}: {summary['edge']}")
    for name, entry in summary["samples"].items():
        print(f"  {name}: {entry}")
    if summary.get("calibration"):
        print(f"  valence calibration: {summary['calibration']}")


def _print_cycling(summary: CyclingSummary | DemsSummary) -> None:
    cycling = summary.cycling if isinstance(summary, DemsSummary) else summary
    gas = summary.gas_cycles if isinstance(summary, DemsSummary) else []
    print(f"run {summary.uid}")
    for n, cycle in enumerate(cycling.cycles):
        c = cycle.to_json()
        print(
            f"  cycle {n + 1}: charge {c['charge_capacity_mAh_g']} mAh/g, discharge "
            f"{c['discharge_capacity_mAh_g']} mAh/g, CE {c['coulombic_efficiency_pct']} %"
            f", Li removed {c['li_removed']}, inserted {c['li_inserted']}"
            f", mean discharge {c.get('mean_discharge_V')} V"
        )
        print(
            f"    dQ/dV peaks (V, strongest first): charge {c['dqdv_charge_peaks_V']}, "
            f"discharge {c['dqdv_discharge_peaks_V']}"
        )
        if n < len(gas):
            g = summary.to_json()["cycles"][n]
            print(
                f"    gas (umol): O2 {g['o2_umol']}, CO2 {g['co2_umol']}, H2 {g['h2_umol']}; "
                f"onsets (V): O2 {g['o2_onset_V']}, CO2 {g['co2_onset_V']}; peak rates "
                f"(nmol/min): O2 {g['o2_max_rate_nmol_min']}, CO2 {g['co2_max_rate_nmol_min']}"
            )
    if isinstance(summary, DemsSummary):
        s = summary.to_json()
        print(
            f"  first cycle: lattice O lost {s['lattice_o_loss_pct']} % of formula "
            f"units; O2 carried {s['o2_capacity_mAh_g']} mAh/g of the "
            f"{s['irreversible_capacity_mAh_g']} mAh/g irreversible capacity "
            f"({s['o2_share_of_irreversible_pct']} %)"
        )
        print(f"  detection limits (nmol/min): {s['detection_limits_nmol_min']}")
