"""Side reactions shared by the simulated cathodes, written from their mechanisms.

- Surface Li2CO3 left by synthesis: ``Li2CO3 -> 2 Li+ + 2 e- + CO2 + 1/2 O2`` (the O2
  leaves as singlet oxygen that the electrolyte consumes: 2 e- per CO2). Its thermodynamic
  potential is 3.82 V vs Li/Li+ (from the standard Gibbs energies of formation; Mahne et
  al., Angew. Chem. Int. Ed. 57, 5529 (2018)); the rate is a Tafel law about it, in series
  with the slow decomposition of the solid. The CO2 onset a DEMS sees is where that rate
  crosses the spectrometer's detection limit: it follows from E0, the rate constant and the
  Tafel slope, it is not set.
- Electrolyte (carbonate solvent) oxidation on the charged oxide: a Tafel law, 2 e- per
  CO2, with parabolic passivation by the film it leaves. Its rate keeps growing with
  potential above 4.8 V (an e-fold per 70 mV: carbonate oxidation currents on oxide
  electrodes rise by about a decade per 150-200 mV above ~4.7 V, e.g. Xu, Chem. Rev. 114,
  11503 (2014)).
- A surface film on LNRO: carbonate solvent oxidised on the Ru5+ surface (Ru oxides
  catalyse oxidation) to solid, not gaseous, products (2 e- per solvent molecule, 88 g/mol
  for ethylene carbonate), until the film is thick enough to stop electron transfer through
  it (``FILM_LIMIT_NM``: cathode-electrolyte interphases of a few nm after the first cycle,
  Gauthier et al., J. Phys. Chem. Lett. 6, 4653 (2015)). Its charge never comes back: the
  first-cycle irreversible capacity of LNRO, from the particles' surface area and the film's
  limiting thickness; the film is what TEY sees on the discharged electrode (Xu et al. 2018
  ascribe the O K difference between pristine and discharged LNRO to surface species).
- Near-surface lattice oxygen: a shell of depth ``DENSIFICATION_DEPTH_NM`` under the
  particle surface loses oxygen when it reconstructs to a densified, spinel-like M3O4
  surface (Li1.2TM0.8O2 -> TM0.8O1.07: 0.93 O per formula unit of the shell); the shell is
  ``1 - (1 - d/r)^3`` of the particle. A surface reconstruction layer of 2-3 nm forms on
  Li1.2Ni0.2Mn0.6O2 in the first cycle (Yan et al., Nano Lett. 15, 514 (2015)).
"""

from __future__ import annotations

from .gas import GasReaction

FILM = "surface film"  # name of the film-forming reaction (read by the X-ray models)
FILM_LIMIT_NM = 4.5  # thickness at which the film stops electron transfer (nm)
FILM_DENSITY_G_CM3 = 1.5  # organic/carbonate interphase
FILM_MOLAR_MASS_G_MOL = 88.06  # per event: one ethylene carbonate molecule, 2 e-
LI2CO3_E0_V = 3.82  # thermodynamic potential of Li2CO3 oxidation (V vs Li/Li+)
DENSIFICATION_DEPTH_NM = 2.3  # reconstructed surface layer (Yan et al. 2015: 2-3 nm)
O_LOST_BY_DENSIFICATION = 2.0 - 0.8 * 4.0 / 3.0  # O per f.u.: Li1.2TM0.8O2 -> TM0.8O(4/3 x 0.8)


def surface_carbonate(reservoir_umol_g: float, rate_at_e0_umol_g_h: float) -> GasReaction:
    """Surface Li2CO3 (reservoir: umol/g) oxidised by a Tafel law about E0 = 3.82 V
    (rate_at_e0: umol/g/h at E0, 50 mV per e-fold), in series with a 2 umol/g/h
    decomposition of the solid."""
    return GasReaction(
        "surface carbonate", (("CO2", 1.0),), electrons=2.0, rate_umol_g_h=rate_at_e0_umol_g_h,
        e_ref_V=LI2CO3_E0_V, tafel_V=0.05, max_rate_umol_g_h=2.0,
        reservoir_umol_g=reservoir_umol_g,
    )  # fmt: skip


def electrolyte_oxidation() -> GasReaction:
    """Carbonate-solvent oxidation on the charged surface: 12 umol/g/h at 4.8 V, an e-fold
    per 80 mV, halved by the film of 100 umol/g it has made."""
    return GasReaction(
        "electrolyte oxidation", (("CO2", 1.0),), electrons=2.0, rate_umol_g_h=12.0,
        e_ref_V=4.8, tafel_V=0.08, passivation_umol_g=100.0,
    )  # fmt: skip


def near_surface_oxygen_per_fu(radius_um: float, depth_nm: float = DENSIFICATION_DEPTH_NM) -> float:
    """O2 molecules per formula unit (of the whole particle) the densifying surface shell
    can release: shell fraction 1 - (1 - d/r)^3 times the O it loses, halved (2 O per O2)."""
    if not 0 < depth_nm < radius_um * 1e3:
        raise ValueError("the densification depth must lie between 0 and the radius")
    shell = 1.0 - (1.0 - depth_nm * 1e-3 / radius_um) ** 3
    return shell * O_LOST_BY_DENSIFICATION / 2.0


def film_events_umol_g(area_cm2_g: float, thickness_nm: float) -> float:
    """Film-forming events (umol per g of active material) in a film of thickness_nm over
    area_cm2_g of particle surface."""
    grams_per_cm2 = thickness_nm * 1e-7 * FILM_DENSITY_G_CM3
    return grams_per_cm2 / FILM_MOLAR_MASS_G_MOL * area_cm2_g * 1e6


def film_thickness_nm(events_umol_g: float, area_cm2_g: float) -> float:
    """Thickness (nm) of the film events_umol_g have made over area_cm2_g."""
    return events_umol_g / film_events_umol_g(area_cm2_g, 1.0)


def surface_film(area_cm2_g: float) -> GasReaction:
    """Solvent oxidised to a solid film on the oxidised surface, 2 e- per event: the
    thickness it can grow to rises with potential (half of FILM_LIMIT_NM at 4.10 V, a
    sigmoid 60 mV wide, over the particles' area_cm2_g, cm2/g), reached within minutes
    (100 000 umol/g/h per reservoir: fast against any charge rate)."""
    return GasReaction(
        FILM, (), electrons=2.0, rate_umol_g_h=1e5, e_ref_V=4.10, tafel_V=0.06,
        reservoir_umol_g=film_events_umol_g(area_cm2_g, FILM_LIMIT_NM),
        depletion="potential-limited",
    )  # fmt: skip
