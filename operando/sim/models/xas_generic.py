"""Absorption of any element of an electrode's formula: the generic X-ray model.

Where the paper's detailed models (Ni L, O K, Mn L, RIXS, Ru K in ``xray.py``) do not apply,
the absorption of an electrode is built from tabulated physics:

- Cross-sections: xraydb's photo-absorption (Elam et al.), per element, weighted by the
  formula. Near an element's edge the tabulated jump is replaced by a broadened step (core-
  hole width from xraydb plus 1 eV resolution) so that it can move with the chemistry.
- Chemical shift: the edge of a redox-active element moves with its oxidation state in the
  cell's present state (``chemistries.OXIDATION``), ``K_EV_PER_VALENCE`` per unit for K
  edges (2-3 eV per unit in 3d oxides, e.g. Fe2+/Fe3+ in LixFePO4: Deb et al., Electrochim.
  Acta 50, 5200 (2005); Co in LixCoO2 and Ni in NMC: Yoon et al., Chem. Mater. 17, 3695
  (2005)), ``L_EV_PER_VALENCE`` for L edges; relative to the metal (valence 0), the
  energy xraydb tabulates.
- A white line above the step (strong at L2,3 edges of 3d metals, moderate at K edges of
  oxides), and EXAFS from the first two shells: metal-oxygen at the bond-valence distance
  ``R = R0 - 0.37 ln(v / 6)`` (Brese & O'Keeffe, Acta Cryst. B47, 192 (1991)) and metal-
  metal at ``METAL_SHELL_RATIO`` times it (edge-sharing octahedra).

``mass_mu(e, state)`` is the mass absorption coefficient (cm2/g) of the electrode.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from .line_shapes import arctan_step, pseudo_voigt

K_EV_PER_VALENCE = 3.0
L_EV_PER_VALENCE = 1.0
METAL_SHELL_RATIO = 1.48  # M-M / M-O in edge-sharing octahedra (LiCoO2: 2.82 / 1.92 A)
RESOLUTION_EV = 1.0
HC_KEV_A = 0.262468  # k^2 (1/A^2) per eV above E0
EDGES = ("K", "L1", "L2", "L3")
NEAR_EV = 1000.0  # an edge this close shapes the absorption (EXAFS region and more)
# Bond-valence R0 (A) of M-O bonds, Brese & O'Keeffe (1991), by element and valence.
BOND_VALENCE_R0 = {
    "Co": {2: 1.692, 3: 1.70},
    "Ni": {2: 1.654, 3: 1.686},
    "Fe": {2: 1.734, 3: 1.759},
    "Mn": {2: 1.790, 3: 1.760, 4: 1.753},
    "Cu": {1: 1.610, 2: 1.679},
    "V": {3: 1.743, 4: 1.784, 5: 1.803},
    "Ti": {3: 1.791, 4: 1.815},
    "Cr": {3: 1.724},
}


@lru_cache(maxsize=512)
def _edge(element: str, edge: str) -> tuple[float, float, float, float] | None:
    """(energy eV, mu just below, mu just above (cm2/g), core-hole width eV) or None."""
    import xraydb

    edges = xraydb.xray_edges(element)
    if edge not in edges or edges[edge].energy < 100.0:
        return None
    e0 = float(edges[edge].energy)
    below, above = xraydb.mu_elam(element, [e0 - 0.5, e0 + 0.5])
    try:
        width = float(xraydb.core_width(element, edge) or 1.0)
    except Exception:  # no tabulated width: a typical 3d K-shell value
        width = 1.0
    return e0, float(below), float(above), width


@lru_cache(maxsize=64)
def _composition(formula: str) -> tuple[tuple[str, float, float], ...]:
    """(element, atoms per formula unit, atomic mass) of a formula."""
    import xraydb

    from ...materials import parse_formula

    return tuple((el, n, xraydb.atomic_mass(el)) for el, n in parse_formula(formula).items())


def element_valence(state, element: str) -> float | None:
    """Oxidation state of element in the electrode's present state (None: not redox-active
    in the simulator's chemistry)."""
    from .chemistries import OXIDATION
    from .materials import MATERIALS

    entry = OXIDATION.get(state.material, {}).get(element)
    if entry is None:
        return None
    v0, processes = entry
    atoms = dict((el, n) for el, n, _ in _composition(MATERIALS[state.material].formula))
    removed = sum(state.x(p) * e for p, e in processes.items())
    return v0 + removed / atoms[element]


def _shells(element: str, valence: float) -> list[tuple[float, float, float, float]]:
    """(N, R in A, sigma^2 in A^2, k of strongest backscattering) of the first two shells."""
    table = BOND_VALENCE_R0.get(element, {3: 1.75})
    vs = sorted(table)
    r0 = float(np.interp(valence, vs, [table[v] for v in vs]))
    r1 = r0 - 0.37 * math.log(max(valence, 0.5) / 6.0)
    return [(6.0, r1, 0.004, 4.0), (6.0, METAL_SHELL_RATIO * r1, 0.006, 8.0)]


def _shape(
    e: np.ndarray, edge: str, e_edge: float, width: float, valence: float | None, element: str
) -> np.ndarray:
    """Normalised near-edge shape (step 1) of one edge at e_edge: step, white line, EXAFS."""
    k_edge = edge == "K"
    broad = (width + RESOLUTION_EV) / 2
    mu = arctan_step(e, e_edge, broad)
    if valence is None or valence <= 0:
        return mu  # a metal or a spectator: the step only
    if k_edge:
        mu = mu + 0.5 * pseudo_voigt(e, e_edge + 8.0, 8.0)
        e0 = e_edge - 1.0
        k = np.sqrt(np.clip(e - e0, 0, None) * HC_KEV_A)
        chi = np.zeros_like(e)
        for n, r, s2, k_peak in _shells(element, valence):
            amp = n * 0.9 * np.exp(-2 * s2 * k**2) * np.exp(-2 * r / 8.0)
            amp = amp / (np.maximum(k, 1.0) * r**2)
            back = 0.8 * np.exp(-((k - k_peak) ** 2) / 30.0) * (k_peak / 4.0)
            chi += amp * back * np.sin(2 * k * (r - 0.5) + 0.6)  # phase shift: -2k 0.5 A
        return mu * (1 + chi * arctan_step(e, e0 + 15.0, 5.0))
    if edge in ("L3", "L2"):  # the strong 2p -> 3d white line of transition metals
        return mu + (2.5 if edge == "L3" else 1.2) * pseudo_voigt(e, e_edge + 1.5, 2.0)
    return mu


def _element_mu(e: np.ndarray, element: str, valence: float | None) -> np.ndarray:
    """Mass absorption (cm2/g) of element near its nearest edge, with its chemical shift."""
    import xraydb

    centre = float(np.median(e))
    near = [(ed, d) for ed in EDGES if (d := _edge(element, ed)) and abs(d[0] - centre) < NEAR_EV]
    if not near:
        return np.asarray(xraydb.mu_elam(element, e), float)
    edge, (e_tab, below, above, width) = min(near, key=lambda item: abs(item[1][0] - centre))
    slope = K_EV_PER_VALENCE if edge == "K" else L_EV_PER_VALENCE
    e_edge = e_tab + slope * (valence or 0.0)
    scale = (e_tab / np.maximum(e, 1.0)) ** 2.8  # photo-absorption falls as ~E^-2.8
    return scale * (below + (above - below) * _shape(e, edge, e_edge, width, valence, element))


def mass_mu(e, state) -> np.ndarray:
    """Mass absorption coefficient (cm2/g) of the electrode of ``state`` at energies e (eV)."""
    from .materials import MATERIALS

    e = np.atleast_1d(np.asarray(e, float))
    formula = MATERIALS[state.material].formula
    parts = _composition(formula)
    total_mass = sum(n * a for _, n, a in parts)
    mu = np.zeros_like(e)
    for el, n, a in parts:
        mu += n * a / total_mass * _element_mu(e, el, element_valence(state, el))
    return mu


def foil_step(e, state) -> np.ndarray:
    """Normalised absorption of the reference metal foil: the metal of the sample's redox
    element whose edge lies nearest (the foil a beamline mounts for that edge)."""
    from .chemistries import OXIDATION

    e = np.atleast_1d(np.asarray(e, float))
    centre = float(np.median(e))
    best = None
    for el in OXIDATION.get(state.material, {}):
        for ed in EDGES:
            d = _edge(el, ed)
            if d and (best is None or abs(d[0] - centre) < abs(best[0] - centre)):
                best = (d[0], d[3])
    if best is None or abs(best[0] - centre) > NEAR_EV:
        return np.zeros_like(e)
    return arctan_step(e, best[0], (best[1] + RESOLUTION_EV) / 2)


def has_model(state) -> bool:
    """Whether the generic model knows the electrode's formula (simulated materials)."""
    from .materials import MATERIALS

    return state.material in MATERIALS
