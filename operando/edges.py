"""Absorption edges of any element, from xraydb: energy, endstation and the default scan.

An edge is named ``<element>-<edge>``: ``co-k``, ``ni-k``, ``fe-k``, ``ni-l3``, ``ni-l2``,
``ce-m5``; ``<element>-l`` scans L3 and L2 together (``ni-l``, ``mn-l``). Its energy is
xraydb's tabulated edge (Elam et al.); below ``SOFT_BELOW_EV`` it is measured at the soft
X-ray endstation (TEY/FY), above at the hard one (transmission). The default grid is coarse
before the edge, fine across the XANES and, for a hard edge, constant steps of the
photoelectron wavenumber k through the EXAFS (the dwell rising with k). The paper's edges
(``ni-l``, ``o-k``, ``mn-l``, ``ru-k``) keep their grids (``EDGES``).
Per-edge overrides (any :class:`Edge` field) come from the
configuration, e.g. ``[edges.co-k] k_max = 14.0``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace

import numpy as np

from .errors import BadRequest

ETOK = 0.2624682917  # k^2 (1/A^2) per eV above E0


@dataclass(frozen=True)
class Edge:
    """An absorption edge and how to scan it (energies in eV, k in 1/A)."""

    label: str
    station: str  # "soft" or "hard"
    e0_eV: float
    start_eV: float  # first point
    fine_from_eV: float  # fine steps from here ...
    fine_to_eV: float  # ... to here
    end_eV: float  # last point of the XANES grid (soft) or start of the k grid (hard)
    coarse_step_eV: float
    fine_step_eV: float
    post_step_eV: float = 0.5
    k_max: float = 0.0  # hard X-ray EXAFS: up to this k, 0 for none
    k_step: float = 0.05

    def grid(self, dwell_s: float, max_dwell_factor: float = 4.0) -> tuple[np.ndarray, np.ndarray]:
        """Energies (eV) and dwell times (s) of the scan."""
        pre = np.arange(self.start_eV, self.fine_from_eV, self.coarse_step_eV)
        fine = np.arange(self.fine_from_eV, self.fine_to_eV, self.fine_step_eV)
        if self.k_max <= 0:
            post = np.arange(self.fine_to_eV, self.end_eV + 1e-9, self.post_step_eV)
            energies = np.concatenate([pre, fine, post])
            return energies, np.full(energies.size, dwell_s)
        k_start = np.sqrt(ETOK * (self.fine_to_eV - self.e0_eV))
        k = np.arange(k_start, self.k_max + 1e-9, self.k_step)
        exafs = self.e0_eV + k**2 / ETOK
        energies = np.concatenate([pre, fine, exafs])
        dwell = np.concatenate(
            [
                np.full(pre.size + fine.size, dwell_s),
                dwell_s * np.minimum(k / k_start, max_dwell_factor),  # dwell rising with k
            ]
        )
        return energies, dwell


EDGES: dict[str, Edge] = {
    "ni-l": Edge("Ni L3,2", "soft", 853.0, 845.0, 850.0, 858.0, 880.0, 1.0, 0.1, 0.4),
    "o-k": Edge("O K", "soft", 530.0, 520.0, 526.0, 536.0, 560.0, 0.5, 0.1, 0.5),
    "mn-l": Edge("Mn L3,2", "soft", 643.0, 630.0, 638.0, 658.0, 665.0, 1.0, 0.2, 0.5),
    "ru-k": Edge(
        "Ru K", "hard", 22117.0, 21967.0, 22097.0, 22150.0, 0.0, 5.0, 0.5, k_max=14.0, k_step=0.1
    ),
}


def edge_named(name: str, station: str | None = None) -> Edge:
    """The edge called ``name`` (the paper's four, or any from xraydb), measured at
    ``station`` ("soft" or "hard") if given; refuses others, saying which are allowed."""
    edge = resolve_edge(name)
    if station is not None and edge.station != station:
        known = sorted(k for k, e in EDGES.items() if e.station == station)
        raise BadRequest(
            f"{name} is measured at the {edge.station} X-ray endstation, not the {station} one "
            f"(e.g. {known})"
        )
    return edge


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
    from .materials import chemical_element

    try:  # first without xraydb, whose import takes most of a refusal's time
        chemical_element(element)
    except ValueError:
        raise BadRequest(f"{element!r} is not a chemical element") from None
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
    """The :class:`Edge` of ``name``: the paper's four as they are,
    any other from xraydb; ``overrides`` (field -> value) replace its defaults."""
    key = str(name).strip().lower()
    if key in EDGES:
        edge = EDGES[key]
    else:
        element = edge_element(key)
        which = key.split("-", 1)[1].upper()
        try:
            e0 = edge_energy_eV(element, "L3" if which == "L" else which)
        except BadRequest as exc:
            raise BadRequest(f"unknown edge {name!r}: {exc}") from None
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
