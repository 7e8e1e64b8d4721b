"""Cathode materials of the simulated study: Li1.2Ni0.2Mn0.6O2 (LNMO), Li1.2Ni0.2Ru0.6O2 (LNRO).

Capacities follow from electron counts per formula unit: capacity = n e- x F / M, with F in
mAh/mol and M the formula's molar mass. Potentials and widths are those of the redox couples
(Ni2+/Ni3+/Ni4+ near 3.8 and 4.1 V, Ru4+/Ru5+ near 3.6 V, lattice-oxygen oxidation on the
4.5 V plateau of LNMO). The first-cycle losses are physical processes too: lattice oxygen
released as O2 (4 e- per O2), surface carbonate and electrolyte oxidation, and a share of
oxidised lattice oxygen that does not come back on discharge.
"""

from __future__ import annotations

from .gas import GasReaction
from .kinetics import KINETICS
from .redox import F_MAH_PER_MOL, CathodeMaterial, RedoxProcess
from .side_reactions import (
    electrolyte_oxidation,
    near_surface_oxygen_per_fu,
    surface_carbonate,
    surface_film,
)

_ATOMIC_MASS = {"Li": 6.941, "Ni": 58.693, "Mn": 54.938, "Ru": 101.07, "O": 15.999}


def _molar_mass(composition: dict[str, float]) -> float:
    return sum(_ATOMIC_MASS[el] * n for el, n in composition.items())


def _capacity(electrons_per_fu: float, composition: dict[str, float]) -> float:
    """mAh/g carried by electrons_per_fu electrons per formula unit."""
    return electrons_per_fu * F_MAH_PER_MOL / _molar_mass(composition)


def _per_fu(amount_per_fu: float, composition: dict[str, float]) -> float:
    """umol per g of active material of amount_per_fu (per formula unit)."""
    return amount_per_fu * 1e6 / _molar_mass(composition)


def _lithium_counter_electrode(scale: float) -> GasReaction:
    """Electrolyte reduction on Li freshly plated on the counter electrode while the cathode
    charges (EC -> C2H4, traces of water -> H2, ...): fades as the Li surface is covered."""
    return GasReaction(
        "SEI on Li",
        products=(("H2", 1.0), ("C2H4", 0.5), ("CO", 0.4), ("CH4", 0.2)),
        electrons=0.0,
        rate_umol_g_h=0.009 * scale,
        driver="charging current",
        reservoir_umol_g=0.5 * scale,
    )


_LNMO = {"Li": 1.2, "Ni": 0.2, "Mn": 0.6, "O": 2.0}
_LNRO = {"Li": 1.2, "Ni": 0.2, "Ru": 0.6, "O": 2.0}

LNMO = CathodeMaterial(
    name="lnmo",
    formula="Li1.2Ni0.2Mn0.6O2",
    pristine_ocv_V=3.05,
    processes=(
        # 0.2 Ni per f.u.: two one-electron steps, both reversible.
        RedoxProcess("Ni2+/Ni3+", _capacity(0.2, _LNMO), 3.76, 0.05, 3.72, 0.12),
        RedoxProcess("Ni3+/Ni4+", _capacity(0.2, _LNMO), 4.10, 0.07, 3.85, 0.14),
        # Lattice oxygen oxidation on the plateau; after activation it recharges lower.
        RedoxProcess(
            "O2-/On-", _capacity(0.435, _LNMO), 4.522, 0.010, 3.15, 0.32, 0.20, 3.70, 0.25
        ),
    ),
    side_reactions=(
        # Li2CO3 left on the particles by synthesis (0.03 per f.u.), its decomposition slow
        # enough that some survives the first charge (see side_reactions.py).
        surface_carbonate(_per_fu(0.03, _LNMO), rate_at_e0_umol_g_h=2.7e-4),
        electrolyte_oxidation(),
        # Oxidised lattice oxygen at the surface oxidises the solvent chemically (2 e- per
        # CO2 taken back from the oxide), whatever the potential, every cycle; parabolic
        # film growth slows it.
        GasReaction(
            "solvent oxidation by oxidised lattice oxygen", (("CO2", 1.0),), electrons=2.0,
            rate_umol_g_h=30.0, e_ref_V=4.8, tafel_V=1.0, passivation_umol_g=6.0,
            gated_by="O2-/On-",
        ),
        # Oxidised lattice oxygen within the densification depth of the surface leaves as
        # O2 (4 e- per event) until that shell has densified: the pool follows from the
        # particle radius (kinetics.py) and the depth (side_reactions.py); a tenth of it is
        # singlet oxygen that burns the solvent to CO2 instead of leaving as O2.
        GasReaction(
            "lattice oxygen release", (("O2", 0.9), ("CO2", 0.22)), electrons=4.0,
            rate_umol_g_h=3000.0, e_ref_V=4.8, tafel_V=0.04,
            reservoir_umol_g=_per_fu(
                near_surface_oxygen_per_fu(KINETICS["lnmo"].particle_radius_um), _LNMO
            ),
            gated_by="O2-/On-", depletion="front",
        ),
        _lithium_counter_electrode(1.0),
    ),
    # Voltage fade: reducing oxidised lattice oxygen lets Mn/Ni migrate into the Li layer
    # (layered -> spinel-like domains, Gu et al., ACS Nano 7, 760 (2013)); the migrated
    # domains discharge ~0.5 V lower (their Mn3+/Mn4+ near 2.9 V against ~3.4 V of the
    # layered oxygen redox, Croy et al., Acc. Chem. Res. 48, 2813 (2015)). A few per cent of
    # the layered sites per cycle (the 10-20 mV/cycle of early cycles reported there).
    migration_driver="O2-/On-", migration_rate=0.04, migration_shift_V=0.5,
)  # fmt: skip

LNRO = CathodeMaterial(
    name="lnro",
    formula="Li1.2Ni0.2Ru0.6O2",
    pristine_ocv_V=3.10,
    processes=(
        # 0.6 Ru per f.u., Ru4+/Ru5+: the strong 3.6 V charge feature.
        RedoxProcess("Ru4+/Ru5+", _capacity(0.6, _LNRO), 3.62, 0.022, 3.43, 0.05),
        RedoxProcess("Ni2+/Ni3+", _capacity(0.2, _LNRO), 3.74, 0.03, 3.73, 0.05),
        # Ni3+/Ni4+ at 4.1 V (0.1 e, reversible; Ni ends mixed 3+/4+ when charged). The
        # charge that does not come back at 4.1 V is a surface film (side reactions below).
        RedoxProcess("Ni3+/Ni4+", _capacity(0.1, _LNRO), 4.10, 0.06, 3.72, 0.08),
    ),
    side_reactions=(
        # Little carbonate on the Ru oxide and a slow solvent oxidation; no oxygen redox,
        # so no oxidised lattice oxygen to release.
        surface_carbonate(_per_fu(0.003, _LNRO), rate_at_e0_umol_g_h=8.2e-4),
        electrolyte_oxidation(),
        # The Ru5+ surface oxidises the solvent to a solid film (no gas) until it is
        # FILM_LIMIT_NM thick: LNRO's first-cycle irreversible capacity.
        surface_film(KINETICS["lnro"].surface_area_cm2(1.0)),
        _lithium_counter_electrode(1.0),
    ),
)  # fmt: skip

MATERIALS: dict[str, CathodeMaterial] = {m.name: m for m in (LNMO, LNRO)}

# More chemistries (LiCoO2, NMC811, LiFePO4, LiNi0.5Mn1.5O4): chemistries.py.
from .chemistries import CHEMISTRIES  # noqa: E402

MATERIALS.update(CHEMISTRIES)
