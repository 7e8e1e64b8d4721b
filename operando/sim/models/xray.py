"""X-ray absorption and RIXS of the electrodes, from the state of their redox processes.

What a spectrum depends on is the electrode's *state*: the oxidised fraction of each redox
process (``Cell.state_of_charge``), frozen when an electrode is taken out of its cell (ex
situ) or read live from the potentiostat's cell (in situ). From it:

- Ni valence = 2 + x(Ni2+/Ni3+) + x(Ni3+/Ni4+). The surface probed by TEY (~10 nm) keeps
  ``SURFACE_REDUCTION`` of the bulk's oxidation back (a reduced surface layer); FY (~100 nm)
  sees the bulk.
- Ni L3: a weighted mix of Ni2+ (main peak 852.9 eV), Ni3+ (853.6 / 854.6 eV) and Ni4+
  (855.1 eV) line shapes, the weights from the valence (piecewise linear between integers).
- O K: the material's t2g/eg pre-edge peaks, a 527.8 eV shoulder growing with the Ni4+
  fraction, a broad band above 535 eV; in TEY also the C=O pi* (534 eV) of a surface film
  (carbonate species: Qiao et al., PLoS ONE 7, e49182 (2012)), by its share of the TEY
  depth.
- Mn L3/L2 of Mn4+, with a little Mn3+ after the activated oxygen redox has been discharged.
- RIXS at the O K edge: fluorescence stripes at ~525 eV emission following the O K
  absorption, the elastic line, and the oxidised-oxygen feature at 530.8 eV excitation /
  523.75 eV emission in proportion to the lattice oxygen held oxidised (reversibly).
- Ru K: LNRO as the sum of its Ru4+ and Ru5+ sites (x(Ru4+/Ru5+) Ru5+), each with its own
  edge and neighbour shells; EXAFS from FEFF's scattering paths (``ru_k``, ``feff_paths``).

Counting noise is added by the detectors (``counts``), not here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import ru_k
from .line_shapes import arctan_step, pseudo_voigt
from .side_reactions import FILM, film_thickness_nm

SURFACE_REDUCTION = 0.15  # share of the bulk Ni oxidation that the surface layer lacks
TEY_DEPTH_NM = 10.0  # electron escape depth of total electron yield

# --- electrode state --------------------------------------------------------------------


@dataclass(frozen=True)
class ElectrodeState:
    """What the X-ray models need to know about an electrode."""

    name: str
    material: str  # "lnmo", "lnro", or a reference compound ("ru", "rucl3", "ruo2")
    oxidised: dict[str, float]  # process name -> oxidised fraction
    locked: dict[str, float]  # process name -> irreversibly oxidised fraction
    capacity: dict[str, float] = field(default_factory=dict)  # process name -> mAh/g
    film_nm: float = 0.0  # surface film (cathode-electrolyte interphase) thickness, nm

    @classmethod
    def of_cell(cls, name: str, cell) -> ElectrodeState:
        processes = cell.material.processes
        locked = {p.name: s.locked for p, s in zip(processes, cell.states, strict=True)}
        capacity = {p.name: p.capacity_mAh_g for p in processes}
        film = sum(
            film_thickness_nm(extent, cell.kinetics.surface_area_cm2(1.0))
            for r, extent in zip(cell.material.side_reactions, cell.extents, strict=True)
            if r.name == FILM
        )
        return cls(name, cell.material.name, dict(cell.state_of_charge()), locked, capacity, film)

    def x(self, process: str) -> float:
        return self.oxidised.get(process, 0.0)

    @property
    def ni_valence(self) -> float:
        """2 + electrons removed per Ni: Ni2+/Ni3+ is one electron per Ni; the Ni3+/Ni4+
        process carries its capacity's share of a second one."""
        per_ni = self.capacity.get("Ni2+/Ni3+", 0.0)
        if per_ni <= 0:
            return 2.0
        second = self.capacity.get("Ni3+/Ni4+", 0.0) / per_ni
        return 2.0 + self.x("Ni2+/Ni3+") + second * self.x("Ni3+/Ni4+")

    @property
    def ni_valence_surface(self) -> float:
        return 2.0 + (1 - SURFACE_REDUCTION) * (self.ni_valence - 2.0)

    @property
    def oxidised_oxygen(self) -> float:
        """Oxidised lattice oxygen held reversibly (0..1 of the O redox capacity)."""
        return max(0.0, self.x("O2-/On-") - self.locked.get("O2-/On-", 0.0))

    @property
    def ru_valence(self) -> float:
        return REFERENCE_RU_VALENCE.get(self.material, 4.0 + self.x("Ru4+/Ru5+"))


REFERENCE_RU_VALENCE = {"ru": 0.0, "rucl3": 3.0, "ruo2": 4.0}
REFERENCES = {
    "ru": ElectrodeState("Ru metal foil", "ru", {}, {}),
    "rucl3": ElectrodeState("RuCl3", "rucl3", {}, {}),
    "ruo2": ElectrodeState("RuO2", "ruo2", {}, {}),
}


def _valence_weights(v: float) -> tuple[float, float, float]:
    """Fractions of Ni2+, Ni3+, Ni4+ for a mean valence v."""
    v = min(max(v, 2.0), 4.0)
    if v <= 3.0:
        return 3.0 - v, v - 2.0, 0.0
    return 0.0, 4.0 - v, v - 3.0


# --- soft X-ray absorption --------------------------------------------------------------


def ni_l3(e: np.ndarray, valence: float) -> np.ndarray:
    """Ni L3 (and L2) absorption for a mean Ni valence; edge step 1."""
    w2, w3, w4 = _valence_weights(valence)
    ni2 = pseudo_voigt(e, 852.9, 0.9) * 3.0 + pseudo_voigt(e, 854.6, 1.2) * 0.6
    ni3 = pseudo_voigt(e, 853.6, 1.2) * 1.8 + pseudo_voigt(e, 854.6, 1.2) * 1.6
    ni4 = pseudo_voigt(e, 855.1, 1.1) * 3.0 + pseudo_voigt(e, 853.2, 1.2) * 0.3
    white = w2 * ni2 + w3 * ni3 + w4 * ni4
    l2 = 0.5 * (w2 * pseudo_voigt(e, 870.2, 1.5) + (w3 + w4) * pseudo_voigt(e, 871.5, 1.8))
    return white + l2 + arctan_step(e, 853.5, 1.0) * 0.7 + arctan_step(e, 870.8, 1.0) * 0.3


O_K_PREEDGE = {"lnmo": (529.2, 531.5), "lnro": (528.5, 531.1)}


def o_k(e: np.ndarray, state: ElectrodeState, valence: float, probe: str = "bulk") -> np.ndarray:
    """O K absorption: t2g/eg pre-edge, the Ni4+ shoulder at 527.8 eV, band above 535 eV;
    seen by TEY ("surface"), also the C=O pi* of a surface film at 534 eV, in proportion to
    the share of the ~10 nm TEY depth the film fills."""
    t2g, eg = O_K_PREEDGE.get(state.material, (529.0, 531.5))
    ni4 = _valence_weights(valence)[2]
    shoulder = 0.8 * ni4 * pseudo_voigt(e, 527.8, 0.8, eta=0.0)  # Gaussian: no far tails
    pre = 0.9 * pseudo_voigt(e, t2g, 1.0) + 0.6 * pseudo_voigt(e, eg, 1.2) + shoulder
    if probe == "surface" and state.film_nm > 0:
        pre = pre + 0.8 * min(1.0, state.film_nm / TEY_DEPTH_NM) * pseudo_voigt(e, 534.0, 1.4)
    return pre + 1.2 * pseudo_voigt(e, 540.5, 6.0, eta=0.2) + arctan_step(e, 536.0, 1.5)


def mn_l(e: np.ndarray, state: ElectrodeState) -> np.ndarray:
    """Mn L3/L2 of Mn4+, with a little Mn3+ once activated oxygen redox is discharged: the
    discharge after activation takes part of its reduction from Mn4+/Mn3+, in proportion to
    the activated (locked) oxygen that has been reduced again (1 - its oxidised share)."""
    s = next((p for p in ("O2-/On-",) if p in state.locked), None)
    activated = 0.0 if s is None else min(1.0, state.locked[s] / 0.2)
    mn3 = 0.0 if s is None else 0.15 * activated * (1.0 - state.x(s))
    mn4 = (
        pseudo_voigt(e, 641.6, 1.0) * 0.8
        + pseudo_voigt(e, 643.5, 1.3) * 1.5
        + pseudo_voigt(e, 654.5, 2.0) * 0.9
    )
    mn3_shape = (
        pseudo_voigt(e, 640.3, 1.0) * 1.2
        + pseudo_voigt(e, 642.2, 1.5) * 1.2
        + pseudo_voigt(e, 653.4, 2) * 0.8
    )
    edges = arctan_step(e, 642.5, 1.0) * 0.7 + arctan_step(e, 653.5, 1.0) * 0.3
    return (1 - mn3) * mn4 + mn3 * mn3_shape + edges


def soft_absorption(e: np.ndarray, state: ElectrodeState, probe: str) -> np.ndarray:
    """Absorption (arbitrary units, edge step ~1) seen by TEY ("surface") or FY ("bulk")."""
    e = np.asarray(e, float)
    valence = state.ni_valence_surface if probe == "surface" else state.ni_valence
    has_ni = state.material in ("lnmo", "lnro")
    mu = 0.05 + 0.0 * e
    if has_ni:
        mu = mu + 0.3 * ni_l3(e, valence) * (e > 840)
        mu = mu + o_k(e, state, valence, probe) * ((e > 510) & (e < 600))
        if state.material == "lnmo":
            mu = mu + mn_l(e, state) * ((e > 620) & (e < 700))
    return mu


# --- RIXS ---------------------------------------------------------------------------------


def rixs_spectrum(
    e_in: float, e_out: np.ndarray, state: ElectrodeState, valence: float | None = None
) -> np.ndarray:
    """Emission intensity at e_out for excitation e_in at the O K edge (per unit I0)."""
    e_out = np.asarray(e_out, float)
    v = state.ni_valence if valence is None else valence
    absorption = float(o_k(np.array([e_in]), state, v)[0])
    stripes = absorption * (
        pseudo_voigt(e_out, 525.0, 2.2, eta=0.3) + 0.45 * pseudo_voigt(e_out, 522.3, 3.0, eta=0.3)
    )
    elastic = 0.25 * absorption * pseudo_voigt(e_out, e_in, 0.35, eta=0.2)
    # Trapped O2 needs two neighbouring oxidised O: the feature goes as the square of the
    # oxidised fraction (a little left after discharge shows next to nothing).
    feature = (
        4.0
        * state.oxidised_oxygen**2
        * math.exp(-0.5 * ((e_in - 530.8) / 0.35) ** 2)
        * pseudo_voigt(e_out, 523.75, 0.45, eta=0.2)
    )
    return stripes + elastic + feature


# --- hard X-ray: Ru K edge (the model is ru_k.py) ---------------------------------------


def ru_k_mu(e: np.ndarray, state: ElectrodeState) -> np.ndarray:
    """Ru K absorption (edge step 1 above a flat pre-edge 0) of an electrode or reference."""
    return ru_k.ru_k_mu(e, state.material, state.x("Ru4+/Ru5+"))


def ru_foil_mu(e: np.ndarray) -> np.ndarray:
    """The Ru metal foil of the reference path."""
    return ru_k.metal_mu(np.asarray(e, float))
