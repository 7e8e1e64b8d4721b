"""Simulator physics of four more cathodes: LiCoO2, NMC811, LiFePO4, LiNi0.5Mn1.5O4 spinel.

Written with today's :class:`CathodeMaterial` / :class:`RedoxProcess` (see ``cell.py``): each
redox process is a capacity (electrons per formula unit -> mAh/g through the molar mass),
a charge and a discharge potential and width (V), and the share of its first oxidation that
never comes back. The potentials are those of the peaks of the measured differential
capacity (dQ/dV) at slow rate; a two-phase reaction is a narrow width (a flat plateau), a
solid solution a broad one. Every number's source is in the comment beside it.

Kinetics (particle size, diffusion, exchange current, ohmic resistance) are in ``kinetics.py``.

``OXIDATION`` says which element each process oxidises, for the X-ray models: element ->
(valence in the pristine material, {process: electrons per formula unit}).
"""

from __future__ import annotations

from .gas import GasReaction
from .redox import F_MAH_PER_MOL, CathodeMaterial, RedoxProcess
from .side_reactions import electrolyte_oxidation, surface_carbonate

# Standard atomic weights (IUPAC 2021, g/mol) of the elements used here.
_AW = {
    "Li": 6.94, "Co": 58.933, "Ni": 58.693, "Mn": 54.938, "Fe": 55.845, "P": 30.974,
    "O": 15.999, "Ru": 101.07,
}  # fmt: skip


def _mass(composition: dict[str, float]) -> float:
    return sum(_AW[el] * n for el, n in composition.items())


def _cap(electrons_per_fu: float, composition: dict[str, float]) -> float:
    """mAh/g carried by electrons_per_fu electrons per formula unit."""
    return electrons_per_fu * F_MAH_PER_MOL / _mass(composition)


def _electrolyte_oxidation() -> GasReaction:
    # The same carbonate-solvent oxidation as on the Li-rich oxides (side_reactions.py): the
    # electrolyte's property, not the cathode's; negligible below ~4.3 V.
    return electrolyte_oxidation()


def _lithium_counter_electrode() -> GasReaction:
    # Electrolyte reduction on Li plated on the counter electrode (as in materials.py).
    return GasReaction(
        "SEI on Li", products=(("H2", 1.0), ("C2H4", 0.5), ("CO", 0.4), ("CH4", 0.2)),
        electrons=0.0, rate_umol_g_h=0.009, driver="charging current", reservoir_umol_g=0.5,
    )  # fmt: skip


def _surface_carbonate(per_fu: float, composition: dict[str, float]) -> GasReaction:
    # Li2CO3 left by synthesis on layered oxides, oxidised by a Tafel law about its 3.82 V
    # thermodynamic potential (side_reactions.py); Ni-rich oxides carry more of it (Renfrew &
    # McCloskey, JACS 139, 17853 (2017)).
    return surface_carbonate(per_fu * 1e6 / _mass(composition), rate_at_e0_umol_g_h=2.7e-4)


# --- LiCoO2 ---------------------------------------------------------------------------
# Reimers & Dahn, J. Electrochem. Soc. 139, 2091 (1992) [RD92]: Li(x)CoO2 charges from
# ~3.88 V; a two-phase region 0.93 > x > 0.75 at 3.93 V (the strong dQ/dV peak); a
# hexagonal solid solution to x = 0.5; the order/disorder transitions around x = 0.5 near
# 4.07 and 4.17 V; x ~ 0.5 at 4.2 V (~140 mAh/g). Above 4.2 V the O3 -> H1-3 reactions near
# 4.55 V (Amatucci, Tarascon & Klein, J. Electrochem. Soc. 143, 1114 (1996)).
# First-cycle coulombic efficiency ~97-98 % (Amatucci et al. 1996).
_LCO = {"Li": 1.0, "Co": 1.0, "O": 2.0}
LCO = CathodeMaterial(
    name="lco",
    formula="LiCoO2",
    pristine_ocv_V=3.05,
    processes=(
        RedoxProcess("Co3+/Co4+ (x 1-0.93)", _cap(0.07, _LCO), 3.88, 0.03, 3.86, 0.03, 0.1),
        RedoxProcess("Co3+/Co4+ two-phase", _cap(0.18, _LCO), 3.925, 0.006, 3.905, 0.006),
        RedoxProcess("Co3+/Co4+ solid solution", _cap(0.21, _LCO), 4.00, 0.05, 3.98, 0.05),
        RedoxProcess("order/disorder I", _cap(0.03, _LCO), 4.075, 0.01, 4.06, 0.01),
        RedoxProcess("order/disorder II", _cap(0.03, _LCO), 4.175, 0.01, 4.16, 0.01),
        RedoxProcess("O3 -> H1-3", _cap(0.30, _LCO), 4.55, 0.05, 4.50, 0.05),
    ),
    side_reactions=(
        _surface_carbonate(0.005, _LCO), _electrolyte_oxidation(), _lithium_counter_electrode(),
    ),
)  # fmt: skip

# --- NMC811 ---------------------------------------------------------------------------
# LiNi0.8Mn0.1Co0.1O2. Noh et al., J. Power Sources 233, 121 (2013) [N13]: at 0.1C, 3.0-4.3 V,
# ~225 mAh/g charge and ~200 mAh/g discharge (first CE ~ 89 %). dQ/dV peaks of the phase
# changes H1 -> M ~3.7 V, M -> H2 ~4.0 V, H2 -> H3 ~4.2 V: Ryu et al., Chem. Mater. 30, 1155
# (2018) [R18]. The first-cycle loss is kinetic, at the end of discharge (Li cannot re-enter
# the nearly full lattice above 3.0 V): Kasnatscheew et al., PCCP 18, 3956 (2016) [K16].
_NMC811 = {"Li": 1.0, "Ni": 0.8, "Mn": 0.1, "Co": 0.1, "O": 2.0}
NMC811 = CathodeMaterial(
    name="nmc811",
    formula="LiNi0.8Mn0.1Co0.1O2",
    pristine_ocv_V=3.10,
    processes=(
        # [R18] sloping start of charge; [K16] a third of it does not return above 3.0 V.
        RedoxProcess("Ni (H1)", _cap(0.12, _NMC811), 3.58, 0.06, 3.52, 0.06, 0.30),
        RedoxProcess("Ni (H1 -> M)", _cap(0.28, _NMC811), 3.70, 0.025, 3.66, 0.04, 0.15),
        RedoxProcess("Ni (M)", _cap(0.20, _NMC811), 3.90, 0.06, 3.87, 0.06),
        RedoxProcess("Ni (M -> H2)", _cap(0.10, _NMC811), 4.02, 0.02, 4.00, 0.02),
        RedoxProcess("Ni/Co (H2 -> H3)", _cap(0.12, _NMC811), 4.20, 0.015, 4.17, 0.015),
        RedoxProcess("beyond 4.3 V", _cap(0.15, _NMC811), 4.50, 0.05, 4.45, 0.05),
    ),
    side_reactions=(
        _surface_carbonate(0.02, _NMC811), _electrolyte_oxidation(), _lithium_counter_electrode(),
    ),
)  # fmt: skip

# --- LiFePO4 ----------------------------------------------------------------------------
# Padhi, Nanjundaswamy & Goodenough, J. Electrochem. Soc. 144, 1188 (1997): a flat two-phase
# Fe2+/Fe3+ plateau near 3.45 V, 170 mAh/g theoretical. Dreyer et al., Nat. Mater. 9, 448
# (2010): equilibrium ~3.42-3.43 V with a ~20 mV charge/discharge hysteresis of the many-
# particle electrode. Yamada et al., Nat. Mater. 5, 357 (2006): narrow single-phase ends
# (Li-rich and Li-poor solid solutions, a few % each). Practical ~160 mAh/g at C/10.
_LFP = {"Li": 1.0, "Fe": 1.0, "P": 1.0, "O": 4.0}
LFP = CathodeMaterial(
    name="lfp",
    formula="LiFePO4",
    pristine_ocv_V=3.25,
    processes=(
        RedoxProcess("Fe2+/Fe3+ (Li-rich solid solution)", _cap(0.03, _LFP), 3.36, 0.04,
                     3.35, 0.04),
        RedoxProcess("Fe2+/Fe3+ two-phase", _cap(0.90, _LFP), 3.432, 0.003, 3.412, 0.003, 0.02),
        RedoxProcess("Fe2+/Fe3+ (Li-poor solid solution)", _cap(0.03, _LFP), 3.52, 0.04,
                     3.48, 0.04),
    ),
    side_reactions=(_electrolyte_oxidation(), _lithium_counter_electrode()),
)  # fmt: skip

# --- LiNi0.5Mn1.5O4 spinel ---------------------------------------------------------------
# Zhong et al., J. Electrochem. Soc. 144, 205 (1997): Ni2+/Ni3+ and Ni3+/Ni4+ as two steps
# near 4.7 V, ~60 mV apart (4.70 / 4.76 V); Kim et al., Chem. Mater. 16, 906 (2004): the
# disordered (Fd-3m) spinel keeps a little Mn3+ (a ~4.0 V step of ~5 % of the capacity).
# 146.7 mAh/g theoretical; ~135 mAh/g practical discharge, first CE ~ 90 % from electrolyte
# oxidation at 4.9 V (Kim et al. 2004).
_SPINEL = {"Li": 1.0, "Ni": 0.5, "Mn": 1.5, "O": 4.0}
LNMO_SPINEL = CathodeMaterial(
    name="lnmo-spinel",
    formula="LiNi0.5Mn1.5O4",
    pristine_ocv_V=3.20,
    processes=(
        RedoxProcess("Mn3+/Mn4+", _cap(0.05, _SPINEL), 4.02, 0.03, 3.99, 0.03),
        RedoxProcess("Ni2+/Ni3+", _cap(0.47, _SPINEL), 4.705, 0.010, 4.68, 0.012, 0.03),
        RedoxProcess("Ni3+/Ni4+", _cap(0.47, _SPINEL), 4.755, 0.010, 4.73, 0.012, 0.03),
    ),
    side_reactions=(_electrolyte_oxidation(), _lithium_counter_electrode()),
)  # fmt: skip

CHEMISTRIES: dict[str, CathodeMaterial] = {m.name: m for m in (LCO, NMC811, LFP, LNMO_SPINEL)}

# element -> (pristine valence, {process: electrons it removes per formula unit}).
# Ni in LNMO/LNRO and NMC811: Ni2+ in the Li-rich oxides, ~Ni3+ in NMC811 (Mn4+, Co3+);
# Fe2+ in LiFePO4; Co3+ in LiCoO2; Ni2+ / Mn4+ in the ordered spinel.
OXIDATION: dict[str, dict[str, tuple[float, dict[str, float]]]] = {
    "lnmo": {
        "Ni": (2.0, {"Ni2+/Ni3+": 0.2, "Ni3+/Ni4+": 0.2}),
        "Mn": (4.0, {}),
    },
    "lnro": {
        "Ni": (2.0, {"Ni2+/Ni3+": 0.2, "Ni3+/Ni4+": 0.1}),
        "Ru": (4.0, {"Ru4+/Ru5+": 0.6}),
    },
    "lco": {"Co": (3.0, {p.name: n for p, n in zip(LCO.processes, (0.07, 0.18, 0.21, 0.03,
                                                                      0.03, 0.30), strict=True)})},
    "nmc811": {
        # Ni takes the charge to 4.2 V; Co joins at H2 -> H3 (half of that step).
        "Ni": (2.9, {"Ni (H1)": 0.12, "Ni (H1 -> M)": 0.28, "Ni (M)": 0.20,
                     "Ni (M -> H2)": 0.10, "Ni/Co (H2 -> H3)": 0.06, "beyond 4.3 V": 0.10}),
        "Co": (3.0, {"Ni/Co (H2 -> H3)": 0.06, "beyond 4.3 V": 0.05}),
        "Mn": (4.0, {}),
    },
    "lfp": {"Fe": (2.0, {p.name: 0.9 if "two-phase" in p.name else 0.03
                         for p in LFP.processes})},
    "lnmo-spinel": {
        "Ni": (2.0, {"Ni2+/Ni3+": 0.47, "Ni3+/Ni4+": 0.47}),
        # Mn3.95+ in the disordered spinel: 0.05 Mn3+ per formula unit (1.5 Mn).
        "Mn": (4.0 - 0.05 / 1.5, {"Mn3+/Mn4+": 0.05}),
    },
}  # fmt: skip
