"""report.md: the study's computed numbers beside the paper's, with the figures.

Built from summary.json (itself computed from stored runs) and ``operando.reports.paper``'s list of
published values and tolerances.
"""

from __future__ import annotations

from itertools import groupby

from .paper import compare

FIGURES = [
    ("Fig. 2: first cycle at C/50 (voltage profile, dQ/dV)", ["lnmo_cycle.png", "lnro_cycle.png"]),
    ("Fig. 3: operando DEMS (potential, O2/CO2/H2 rates)", ["lnmo_dems.png", "lnro_dems.png"]),
    ("Fig. 4: ex situ soft XAS (Ni L, O K, Mn L; TEY and FY)", ["exsitu_soft_xas.png"]),
    ("Fig. 5: O K RIXS maps", ["rixs_maps.png"]),
    ("Fig. 6: Ru K XANES and EXAFS; in situ Ru valence", ["ru_k.png", "in_situ_ru_k.png"]),
]


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def report_markdown(summary: dict, *, title: str = "operando demo: the paper's study") -> str:
    """The report as Markdown text."""
    rows = compare(summary)
    held = sum(r["holds"] for r in rows)
    lines = [
        f"# {title}",
        "",
        "Simulated beamline; every number computed from stored runs (see summary.json). "
        "Paper: J. Xu et al., Nat. Commun. 9, 947 (2018).",
        "",
        f"**{held} of {len(rows)} quantities within tolerance.**",
        "",
    ]
    known = [r for r in rows if r["differs"]]
    if known:
        lines += [
            "Known differences: where the simulator's physics, from cited sources, is not "
            "expected to give the published value (it is not tuned to it):",
            "",
            *(f"- {r['section']}, {r['quantity']}: {r['differs']}." for r in known),
            "",
        ]
    for section, group in groupby(rows, key=lambda r: r["section"]):
        group = list(group)
        lines += [f"## {section}", "", f"Source: {group[0]['source']}.", "",
                  "| quantity | computed | paper | tolerance | within |",
                  "|---|---|---|---|---|"]  # fmt: skip
        for r in group:
            mark = "yes" if r["holds"] else ("no (known)" if r["differs"] else "**NO**")
            lines.append(f"| {r['quantity']} | {_fmt(r['computed'])} | {r['paper']} | "
                         f"{r['tolerance']} | {mark} |")  # fmt: skip
        lines.append("")
    scans = (summary.get("lnro") or {}).get("in_situ_ru") or []
    if scans:
        lines += [
            "## In situ Ru K scans (LNRO, first cycle)",
            "",
            "| scan | direction | x in Li_x | Ewe (V) | Ru valence |",
            "|---|---|---|---|---|",
        ]
        for n, scan in enumerate(scans):
            lines.append(f"| {n + 1} | {scan['direction']} | {_fmt(scan['x_li'])} | "
                         f"{_fmt(scan['ewe_V'])} | {_fmt(scan['valence'])} |")  # fmt: skip
        lines.append("")
    lines += ["## Figures", ""]
    for caption, files in FIGURES:
        lines.append(f"### {caption}")
        lines += [f"![{name}]({name})" for name in files]
        lines.append("")
    return "\n".join(lines)
