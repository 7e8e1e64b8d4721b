"""Ru K-edge absorption (XANES and EXAFS) of LNRO and of the Ru reference compounds.

A spectrum is built site by site, from physics with its sources, never from the shift the
paper measured on LNRO:

- **Sites.** A Ru site is a RuL6 octahedron (L = O or Cl) or metallic Ru. LNRO holds Ru4+
  and Ru5+ sites in the proportions the electrochemistry sets, x(Ru4+/Ru5+) Ru5+ (the
  pristine oxide is Ru4+ by charge balance of Li1.2Ni0.2Ru0.6O2 with Ni2+). Its spectrum is
  the sum of its sites' spectra (a mixed-valence sample absorbs as its sites do), so the
  half-height edge moves with the Ru5+ fraction by the lever rule, not by a slope.
- **Edges.** The Ru4+O6 site (RuO2 and LNRO's Ru4+) and the RuCl3 edge are parameters of
  the references (``REFERENCE_EDGES_EV``, whose provenance is stated there: not yet
  tabulated values); the metal's onset is the tabulated Ru K edge
  (xraydb: J. A. Bearden & A. F. Burr, Rev. Mod. Phys. 39, 125 (1967)). The Ru5+O6 site
  sits ``RU5_SITE_SHIFT_EV`` = 1.5 eV above Ru4+O6: the Ru K shift between the Ru4+ and
  Ru5+ oxides SrRuO3 and Sr2GdRuO6 (the literature comparison of Xu et al., ref. 66 there)
  -- an independent measurement on other compounds, not the shift of LNRO. A calibration
  through the references therefore *tests* whether LNRO's Ru5+ reads as 5+.
- **Distances.** Ru-O of a site = the Shannon ionic radii of Ru^v+ (VI) and O2- (VI):
  Ru3+ 0.68, Ru4+ 0.62, Ru5+ 0.565, O2- 1.40 A (R. D. Shannon, Acta Cryst. A32, 751 (1976));
  the in-plane Ru-TM distance of the edge-sharing octahedra of a layered oxide is sqrt(2)
  x Ru-O (ideal octahedra), shared by Ru, Ni and Li neighbours as the TM layer
  Li0.2Ni0.2Ru0.6 is composed. RuO2 (rutile; Ru-O 1.946 x2, 1.985 x4, Ru-Ru 3.107 x2,
  3.540 x8), hcp Ru (2.650 x6, 2.706 x6) and alpha-RuCl3 (Ru-Cl 2.35 x6, Ru-Ru 3.45 x3) from
  their crystal structures.
- **EXAFS** from the EXAFS equation with FEFF's k-dependent amplitude, phase, reduction
  factor and mean free path of each pair (``feff_paths``), Debye-Waller factors typical of
  room temperature and S0^2 = 0.9; Li neighbours (three electrons) are left out.

XANES line shapes (step widths, white-line heights) are chosen to look like K edges of
4d oxides at a Si(111) resolution; they are shapes, not results.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from .feff_paths import paths
from .line_shapes import arctan_step, pseudo_voigt
from .xas_generic import HC_KEV_A

S0_SQUARED = 0.9  # many-body amplitude reduction, typical of K edges (0.8-1.0)
EXAFS_ONSET_EV = 15.0  # above E0: XANES below, EXAFS above (a smooth switch)

# Shannon (1976) effective ionic radii, sixfold coordination (A).
SHANNON_RADIUS_A = {"Ru3+": 0.68, "Ru4+": 0.62, "Ru5+": 0.565, "O2-": 1.40}
# Half-height edge energies of the reference sites (eV), for a Ru foil calibrated to 22117 eV.
# The Ru4+O6 edge is that of an oxide of octahedral Ru4+ (RuO2 and LNRO's Ru4+ alike);
# RuCl3's is lower (Ru3+ and the softer chloride ligand). Provenance, plainly: neither is a
# tabulated value. 22126.8 eV is Xu et al.'s measured edge of pristine LNRO, which is Ru4+O6,
# standing in for RuO2's because no tabulation of RuO2 or RuCl3 edges could be reached and
# checked here; RuCl3's is a representative value 1.9 eV lower. They set the absolute energy
# scale only: the valence a calibration reads comes from where the sample sits between the
# references, and LNRO's charged edge moves by RU5_SITE_SHIFT_EV, cited from other compounds.
# Replace both with cited tabulated values when a source is at hand.
REFERENCE_EDGES_EV = {"Ru4+O6": 22126.8, "RuCl3": 22124.9}
RU5_SITE_SHIFT_EV = 1.5  # Ru5+O6 above Ru4+O6: SrRuO3 -> Sr2GdRuO6 (see the docstring)
# Debye-Waller sigma^2 (A^2) at room temperature, typical of metal-oxygen (0.003-0.005) and
# metal-metal (0.004-0.007) shells.
SIGMA2_A2 = {"Ru-O": 0.004, "Ru-Cl": 0.004, "Ru-Ru": 0.005, "Ru-Ni": 0.005, "Ru-Ru metal": 0.0035}


@functools.cache
def _ru_foil_e0_eV() -> float:
    import xraydb  # tabulated edge energies (Bearden & Burr)

    return float(xraydb.xray_edge("Ru", "K").energy)


@dataclass(frozen=True)
class Shell:
    pair: str  # a key of feff_paths.paths()
    n: float  # coordination number
    r_A: float
    sigma2_A2: float


@dataclass(frozen=True)
class Site:
    """One kind of Ru site: its edge (step + white line) and its neighbour shells."""

    edge_eV: float  # half-height of the step alone
    step_width_eV: float
    white_line: float  # height of the white line, in edge steps
    shells: tuple[Shell, ...]

    def mu(self, e: np.ndarray) -> np.ndarray:
        """Absorption of the site (edge step 1): XANES times (1 + chi)."""
        mu = arctan_step(e, self.edge_eV, self.step_width_eV)
        mu = mu + self.white_line * pseudo_voigt(e, self.edge_eV + 6.5, 6.0, eta=0.3)
        e0 = self.edge_eV - 1.0
        return mu * (1 + chi(e, e0, self.shells) * arctan_step(e, e0 + EXAFS_ONSET_EV, 5.0))


def chi(e: np.ndarray, e0: float, shells: tuple[Shell, ...]) -> np.ndarray:
    """EXAFS chi(E) above e0 (eV): sum over shells of
    N S0^2 F(k) red(k) / (k R^2) exp(-2 sigma^2 k^2) exp(-2R / lambda(k)) sin(2kR + phi(k)),
    F, phi, red and lambda from FEFF for the shell's pair."""
    k = np.sqrt(np.clip(np.asarray(e, float) - e0, 0, None) * HC_KEV_A)
    safe_k = np.maximum(k, 0.05)
    out = np.zeros_like(k)
    for shell in shells:
        amplitude, phase, reduction, mfp = paths()[shell.pair].at(k)
        out += (
            shell.n
            * S0_SQUARED
            * amplitude
            * reduction
            / (safe_k * shell.r_A**2)
            * np.exp(-2 * shell.sigma2_A2 * k**2 - 2 * shell.r_A / mfp)
            * np.sin(2 * k * shell.r_A + phase)
        )
    return np.where(k > 0, out, 0.0)


def ru_o_distance_A(valence: int) -> float:
    """Ru-O bond length (A) of an octahedral Ru^valence+ site from Shannon's radii."""
    return SHANNON_RADIUS_A[f"Ru{valence}+"] + SHANNON_RADIUS_A["O2-"]


# In-plane neighbours of a Ru in the TM layer Li0.2Ni0.2Ru0.6 of LNRO (six sites).
LNRO_TM_NEIGHBOURS = {"Ru-Ru": 6 * 0.6, "Ru-Ni": 6 * 0.2}  # and 1.2 Li, not scattering


def layered_oxide_site(valence: int) -> Site:
    """A Ru4+ or Ru5+ site of LNRO."""
    r_o = ru_o_distance_A(valence)
    r_tm = math.sqrt(2) * r_o  # edge-sharing ideal octahedra
    edge = REFERENCE_EDGES_EV["Ru4+O6"] + RU5_SITE_SHIFT_EV * (valence - 4)
    shells = (Shell("Ru-O", 6.0, r_o, SIGMA2_A2["Ru-O"]),) + tuple(
        Shell(pair, n, r_tm, SIGMA2_A2[pair]) for pair, n in LNRO_TM_NEIGHBOURS.items()
    )
    return Site(edge, 2.2, 0.45, shells)


def reference_site(material: str) -> Site:
    """The site of a Ru reference compound: "ru" (metal foil), "rucl3" or "ruo2"."""
    if material == "ru":
        raise ValueError("the metal has no octahedral site; use metal_mu")
    if material == "rucl3":
        shells = (
            Shell("Ru-Cl", 6.0, 2.35, SIGMA2_A2["Ru-Cl"]),
            Shell("Ru-Ru", 3.0, 3.45, 0.006),
        )
        return Site(REFERENCE_EDGES_EV["RuCl3"], 2.2, 0.30, shells)
    if material == "ruo2":
        shells = (
            Shell("Ru-O", 2.0, 1.946, SIGMA2_A2["Ru-O"]),
            Shell("Ru-O", 4.0, 1.985, SIGMA2_A2["Ru-O"]),
            Shell("Ru-Ru", 2.0, 3.107, SIGMA2_A2["Ru-Ru"]),
            Shell("Ru-Ru", 8.0, 3.540, 0.006),
        )
        return Site(REFERENCE_EDGES_EV["Ru4+O6"], 2.2, 0.45, shells)
    raise ValueError(f"no Ru K model for {material!r}; references are ru, rucl3, ruo2")


METAL_SHELLS = (
    Shell("Ru-Ru metal", 6.0, 2.650, SIGMA2_A2["Ru-Ru metal"]),
    Shell("Ru-Ru metal", 6.0, 2.706, SIGMA2_A2["Ru-Ru metal"]),
)


def metal_mu(e: np.ndarray) -> np.ndarray:
    """Ru metal: a sharp onset at the tabulated edge, then a broad rise; no white line."""
    e0 = _ru_foil_e0_eV()
    mu = 0.4 * arctan_step(e, e0, 0.8) + 0.6 * arctan_step(e, e0 + 5.5, 3.0)
    return mu * (1 + chi(e, e0, METAL_SHELLS) * arctan_step(e, e0 + EXAFS_ONSET_EV, 5.0))


def ru_k_mu(e: np.ndarray, material: str, ru5_fraction: float = 0.0) -> np.ndarray:
    """Ru K absorption (edge step 1 above a flat pre-edge 0) of a reference compound or of
    LNRO with ``ru5_fraction`` of its Ru as Ru5+ (0..1)."""
    e = np.asarray(e, float)
    if material == "ru":
        return metal_mu(e)
    if material in ("rucl3", "ruo2"):
        return reference_site(material).mu(e)
    x = min(max(ru5_fraction, 0.0), 1.0)
    return (1 - x) * layered_oxide_site(4).mu(e) + x * layered_oxide_site(5).mu(e)
