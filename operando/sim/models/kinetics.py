"""Transport and interfacial kinetics of each simulated cathode material.

One :class:`Kinetics` per material: the radius of its (primary) particles, the chemical
diffusion coefficient of Li in the solid, the exchange current density of charge transfer
per cm2 of particle surface, their activation energies (Arrhenius), the ohmic
area-specific resistance of the cell (electrolyte in separator and pores, contacts) per cm2
of electrode, and the double-layer capacitance per cm2 of particle surface.

The particles are spheres of radius r and density rho, so m grams of active material
expose ``3 m / (rho r)`` cm2 of surface: the exchange current of the electrode is
``i0 * 3 m / (rho r)``, and the diffusion time of a particle ``r**2 / D``.

:func:`small_signal` linearises the cell about its present state (the impedance an EIS
experiment sees): ohmic resistance, charge-transfer resistance ``R T / (F I0)`` of the
linearised Butler-Volmer equation, double-layer capacitance, Warburg coefficient
``sigma = (dE/dc) / (F A sqrt(2 D))`` with ``dE/dc`` the slope of the open-circuit potential
against Li concentration in the solid at the present state, and the diffusion time.

Sources of the numbers are beside them. Diffusion coefficients and exchange currents of
cathode oxides scatter over orders of magnitude between reports (they depend on the area
they are normalised to and on state of charge); the values here are representative of the
reported ranges, chosen so that the model's polarisation at slow rate matches what these
materials show in half cells. None of them is a quantity the study's analysis reports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .cell import Cell

R_J_MOL_K = 8.314462618
F_C_MOL = 96485.33212
F_MAH_PER_MOL = F_C_MOL / 3.6
T_REF_K = 298.15


@dataclass(frozen=True)
class Kinetics:
    """Transport and kinetic parameters of one cathode material (values at 25 C).

    Parameters
    ----------
    particle_radius_um : radius of the (primary) particles that Li diffuses through, um.
    diffusion_coefficient_cm2_s : chemical diffusion coefficient of Li in the solid, cm2/s.
    diffusion_activation_kJ_mol : activation energy of diffusion, kJ/mol.
    exchange_current_density_mA_cm2 : exchange current density of Li+ transfer per cm2 of
        particle surface, mA/cm2.
    charge_transfer_activation_kJ_mol : activation energy of charge transfer, kJ/mol.
    area_specific_resistance_ohm_cm2 : ohmic resistance (electrolyte, contacts) times the
        electrode area, ohm cm2.
    double_layer_F_cm2 : double-layer capacitance per cm2 of particle surface, F/cm2.
    density_g_cm3 : crystallographic density of the active material, g/cm3.
    transfer_coefficient : anodic transfer coefficient alpha of Butler-Volmer (cathodic
        1 - alpha).
    """

    particle_radius_um: float
    diffusion_coefficient_cm2_s: float
    diffusion_activation_kJ_mol: float
    exchange_current_density_mA_cm2: float
    charge_transfer_activation_kJ_mol: float
    area_specific_resistance_ohm_cm2: float
    double_layer_F_cm2: float
    density_g_cm3: float = 4.5
    transfer_coefficient: float = 0.5

    def __post_init__(self) -> None:
        positive = (
            self.particle_radius_um, self.diffusion_coefficient_cm2_s,
            self.exchange_current_density_mA_cm2, self.area_specific_resistance_ohm_cm2,
            self.double_layer_F_cm2, self.density_g_cm3,
        )  # fmt: skip
        if min(positive) <= 0:
            raise ValueError("radius, D, i0, ASR, C_dl and density must be positive")
        if min(self.diffusion_activation_kJ_mol, self.charge_transfer_activation_kJ_mol) < 0:
            raise ValueError("activation energies must not be negative")
        if not 0.0 < self.transfer_coefficient < 1.0:
            raise ValueError("the transfer coefficient must lie in (0, 1)")

    @property
    def radius_cm(self) -> float:
        return self.particle_radius_um * 1e-4

    def surface_area_cm2(self, active_mass_g: float) -> float:
        """Total particle surface (cm2) of active_mass_g grams of spheres: 3 m / (rho r)."""
        return 3.0 * active_mass_g / (self.density_g_cm3 * self.radius_cm)

    def diffusion_coefficient(self, temperature_K: float = T_REF_K) -> float:
        """D (cm2/s) at temperature_K."""
        return arrhenius(
            self.diffusion_coefficient_cm2_s, self.diffusion_activation_kJ_mol, temperature_K
        )

    def exchange_current_density(self, temperature_K: float = T_REF_K) -> float:
        """i0 (mA per cm2 of particle surface) at temperature_K."""
        return arrhenius(
            self.exchange_current_density_mA_cm2,
            self.charge_transfer_activation_kJ_mol,
            temperature_K,
        )

    def diffusion_time_s(self, temperature_K: float = T_REF_K) -> float:
        """r^2 / D (s) at temperature_K."""
        return self.radius_cm**2 / self.diffusion_coefficient(temperature_K)


def arrhenius(value_25C: float, activation_kJ_mol: float, temperature_K: float) -> float:
    """value_25C * exp(-Ea/R (1/T - 1/298.15 K)): a rate constant at temperature_K (K)."""
    if temperature_K <= 0:
        raise ValueError(f"temperature must be positive (K), got {temperature_K}")
    ea = activation_kJ_mol * 1e3
    return value_25C * math.exp(-ea / R_J_MOL_K * (1.0 / temperature_K - 1.0 / T_REF_K))


@dataclass(frozen=True)
class SmallSignal:
    """The cell linearised about its present state (what potentiostatic EIS sees).

    r_s_ohm : ohmic resistance (ohm); r_ct_ohm : charge-transfer resistance (ohm);
    c_dl_F : double-layer capacitance (F); warburg_sigma_ohm_s_half : Warburg coefficient
    (ohm s^-1/2, Z_W = sigma (1 - j) / sqrt(omega)); diffusion_time_s : r^2/D (s).
    """

    r_s_ohm: float
    r_ct_ohm: float
    c_dl_F: float
    warburg_sigma_ohm_s_half: float
    diffusion_time_s: float


# --- parameters ----------------------------------------------------------------------
# Charge transfer at layered-oxide / carbonate-electrolyte interfaces has activation energies
# of 50-60 kJ/mol (Jow et al., J. Electrochem. Soc. 165, A361 (2018)); Li diffusion in
# layered oxides ~30-50 kJ/mol (Okubo et al., J. Phys. Chem. B 113, 2840 (2009): LiCoO2).
# Double-layer capacitance ~10 uF per cm2 of real oxide surface (Bard & Faulkner,
# Electrochemical Methods, 2nd ed., ch. 13: 10-40 uF/cm2 on electrodes in electrolytes).
# Ohmic ASR: lab coin / Swagelok cells with a glass-fibre separator soaked in carbonate
# electrolyte (~10 mS/cm) and a porous electrode, tens of ohm cm2.
_EA_CT, _EA_D, _C_DL = 50.0, 40.0, 1.0e-5

KINETICS: dict[str, Kinetics] = {
    # Li-rich layered oxides: primary particles of 100-300 nm (sol-gel / co-precipitation
    # syntheses); chemical diffusion coefficients from GITT of 1e-16 to 1e-14 cm2/s, lowest on
    # the oxygen plateau (e.g. Rozier & Tarascon, J. Electrochem. Soc. 162, A2490 (2015),
    # review). Exchange current: sluggish, ~1e-4 mA per cm2 of BET surface, which gives the
    # ~25 mV charge-transfer polarisation these oxides show at C/50. Density from the R-3m
    # cell (a = 2.86 A, c = 14.25 A, Z = 3): 4.2 g/cm3 for LNMO; Ru makes LNRO denser.
    "lnmo": Kinetics(0.10, 6.0e-15, _EA_D, 1.0e-4, _EA_CT, 60.0, _C_DL, density_g_cm3=4.2),
    "lnro": Kinetics(0.10, 6.0e-15, _EA_D, 1.3e-4, _EA_CT, 60.0, _C_DL, density_g_cm3=5.2),
    # LiCoO2: ~3 um radius particles, D ~1e-11-1e-10 cm2/s (e.g. Okubo et al. 2009), fast
    # charge transfer; density 5.05 g/cm3.
    "lco": Kinetics(3.0, 3.0e-11, _EA_D, 5.0e-2, _EA_CT, 60.0, _C_DL, density_g_cm3=5.05),
    # NMC811: primary particles ~0.3 um inside secondary spheres; D ~1e-11-1e-10 cm2/s (GITT on
    # Ni-rich NMC, e.g. Yang et al., Electrochim. Acta 66, 88 (2012) for NMC532: 1e-11 to
    # 1e-9); density 4.75 g/cm3.
    "nmc811": Kinetics(0.3, 1.0e-11, _EA_D, 5.0e-3, _EA_CT, 60.0, _C_DL, density_g_cm3=4.75),
    # LiFePO4: nanoparticles ~50 nm radius (carbon-coated), effective D ~1e-14 cm2/s;
    # density 3.6 g/cm3.
    "lfp": Kinetics(0.05, 1.0e-14, _EA_D, 1.0e-3, _EA_CT, 60.0, _C_DL, density_g_cm3=3.6),
    # LiNi0.5Mn1.5O4 spinel: solid-state octahedra of 3-5 um (Ma, Kang & Ceder, J.
    # Electrochem. Soc. 157, A925 (2010)), radius 2 um; D ~1e-11 cm2/s over most of the Li
    # range by chronoamperometry (Electrochim. Acta 108, 867 (2013): 1e-11, up to 1e-9 at
    # low Li content); density 4.45 g/cm3. Exchange current: no LNMO set is in PyBaMM; the
    # oxide-cathode sets there give, at half lithiation in 1 M LiPF6, 0.34 mA/cm2 (Chen et
    # al., J. Electrochem. Soc. 167, 080534 (2020), NMC811: m_ref 3.42e-6 A m-2 (m3/mol)^1.5
    # times sqrt(c_e c_s (c_max - c_s))), 0.27 (Mohtat 2020, NMC532), 0.25 (Ecker 2015),
    # 0.42 (Xu 2019): Chen et al.'s value here.
    "lnmo-spinel": Kinetics(2.0, 1.0e-11, _EA_D, 0.34, _EA_CT, 60.0, _C_DL, density_g_cm3=4.45),
}


def kinetics_of(material: str) -> Kinetics:
    """The kinetic parameters of a simulated material (by its simulator name)."""
    try:
        return KINETICS[material]
    except KeyError:
        raise KeyError(f"no kinetic parameters for material {material!r}") from None


def _de_dq_V_per_mAh_g(cell: Cell) -> float:
    """Slope of the open-circuit potential against oxidised charge (V per mAh/g) at the
    cell's present state, on the branch it is on (centred finite difference)."""
    slope = getattr(cell, "ocp_slope_V_per_mAh_g", None)
    if slope is not None:
        return float(slope())
    e, de = cell.e_eq_V, 2e-3
    dq = cell._charge_on_branch(e + de, cell.charging) - cell._charge_on_branch(
        e - de, cell.charging
    )
    return 2 * de / max(dq, 1e-9)


def small_signal(cell: Cell, temperature_K: float) -> SmallSignal:
    """Linearise a cell (operando.sim.models.cell.Cell) about its present state at
    temperature_K: ohmic and charge-transfer resistances, double layer, Warburg, r^2/D."""
    k = kinetics_of(cell.material.name)
    area = k.surface_area_cm2(cell.mass_g)
    i0_A = k.exchange_current_density(temperature_K) * 1e-3 * area
    r_ct = R_J_MOL_K * temperature_K / (F_C_MOL * i0_A)
    d = k.diffusion_coefficient(temperature_K)
    # dE/dc (V cm3/mol): c (mol Li per cm3 of solid) = q (mAh/g) * rho / F (mAh/mol).
    de_dc = _de_dq_V_per_mAh_g(cell) * F_MAH_PER_MOL / k.density_g_cm3
    sigma = de_dc / (F_C_MOL * area * math.sqrt(2.0 * d))
    return SmallSignal(
        r_s_ohm=k.area_specific_resistance_ohm_cm2 / cell.area_cm2,
        r_ct_ohm=r_ct,
        c_dl_F=k.double_layer_F_cm2 * area,
        warburg_sigma_ohm_s_half=sigma,
        diffusion_time_s=k.diffusion_time_s(temperature_K),
    )
