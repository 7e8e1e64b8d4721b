"""Absorption edges of any element, from xraydb: energy, endstation and the default scan.

An edge is named ``<element>-<edge>``: ``co-k``, ``ni-k``, ``fe-k``, ``ni-l3``, ``ni-l2``,
``ce-m5``; ``<element>-l`` scans L3 and L2 together (``ni-l``, ``mn-l``). Its energy is
xraydb's tabulated edge (Elam et al.); below ``SOFT_BELOW_EV`` it is measured at the soft
X-ray endstation (TEY/FY), above at the hard one (transmission). The default grid is coarse
before the edge, fine across the XANES and, for a hard edge, constant steps of the
photoelectron wavenumber k through the EXAFS (the dwell rising with k). The paper's edges
(``ni-l``, ``o-k``, ``mn-l``, ``ru-k``) keep their grids (``operando.plans.xray.EDGES``).
Per-edge overrides (any :class:`operando.plans.xray.Edge` field) come from the
configuration, e.g. ``[edges.co-k] k_max = 14.0``.
"""

from __future__ import annotations

import re
from dataclasses import fields, replace

from .errors import BadRequest

SOFT_BELOW_EV = 2000.0  # soft X-ray endstation (250-1500 eV mono) below, hard above
EDGE_NAMES = ("k", "l1", "l2", "l3", "m1", "m2", "m3", "m4", "m5", "l")
_NAME = re.compile(r"^([a-z]{1,2})-(k|l|l1|l2|l3|m1|m2|m3|m4|m5)$")


def edge_element(name: str) -> str:
    """The element symbol of an edge name (``"co-k"`` -> ``"Co"``)."""
    match = _NAME.match(str(name).strip().lower())
    if not match:
        raise BadRequest(
            f"unknown edge {name!r}: write <element>-<edge>, e.g. co-k, ni-k, ni-l, o-k, mn-l3"
        )
    return match.group(1).capitalize()


def edge_energy_eV(element: str, edge: str) -> float:
    """xraydb's tabulated energy (eV) of an element's edge ("K", "L3", ...)."""
    import xraydb

    try:
        edges = xraydb.xray_edges(element)
    except (ValueError, KeyError):
        raise BadRequest(f"{element!r} is not a chemical element") from None
    if edge not in edges or edges[edge].energy < 50.0:
        have = sorted(e.lower() for e, v in edges.items() if v.energy >= 50.0)
        raise BadRequest(f"{element} has no {edge} edge in xraydb; it has {have}")
    return float(edges[edge].energy)


def resolve_edge(name: str, overrides: dict | None = None):
    """The :class:`operando.plans.xray.Edge` of ``name``: the paper's four as they are,
    any other from xraydb; ``overrides`` (field -> value) replace its defaults."""
    from .plans.xray import EDGES, Edge

    key = str(name).strip().lower()
    if key in EDGES:
        edge = EDGES[key]
    else:
        element = edge_element(key)
        which = key.split("-", 1)[1].upper()
        e0 = edge_energy_eV(element, "L3" if which == "L" else which)
        label = f"{element} {'L3,2' if which == 'L' else which}"
        end = edge_energy_eV(element, "L2") + 15.0 if which == "L" else e0 + 30.0
        if e0 < SOFT_BELOW_EV:
            edge = Edge(label, "soft", e0, e0 - 10.0, e0 - 3.0, e0 + 12.0, end, 1.0, 0.1, 0.5)
        else:
            # Pre-edge 150 eV at 5 eV, XANES -20..+30 eV at 0.5 eV, EXAFS to k = 12 /A.
            edge = Edge(label, "hard", e0, e0 - 150.0, e0 - 20.0, e0 + 30.0, 0.0, 5.0, 0.5,
                        k_max=12.0, k_step=0.1)  # fmt: skip
    if overrides:
        allowed = {f.name for f in fields(edge)} - {"label", "station"}
        unknown = set(overrides) - allowed
        if unknown:
            raise BadRequest(
                f"edge {key}: unknown settings {sorted(unknown)}; allowed {sorted(allowed)}"
            )
        edge = replace(edge, **{k: float(v) for k, v in overrides.items()})
    return edge


def check_element_in(edge_name: str, formula: str, sample: str) -> None:
    """BadRequest unless the edge's element is in the sample's formula."""
    from .materials import parse_formula

    element = edge_element(edge_name)
    if element not in parse_formula(formula):
        raise BadRequest(
            f"{sample} ({formula}) contains no {element}: the {edge_name} edge cannot be measured"
        )
