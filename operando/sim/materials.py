"""Cathode materials of the simulated study: Li1.2Ni0.2Mn0.6O2 (LNMO), Li1.2Ni0.2Ru0.6O2 (LNRO).

Capacities follow from electron counts per formula unit: capacity = n e- x F / M, with F in
mAh/mol and M the formula's molar mass. Potentials and widths are those of the redox couples
(Ni2+/Ni3+/Ni4+ near 3.8 and 4.1 V, Ru4+/Ru5+ near 3.6 V, lattice-oxygen oxidation on the
4.5 V plateau of LNMO). The first-cycle losses are physical processes too: lattice oxygen
released as O2 (4 e- per O2), surface carbonate and electrolyte oxidation, and a share of
oxidised lattice oxygen that does not come back on discharge.
"""

from __future__ import annotations

from .cell import F_MAH_PER_MOL, CathodeMaterial, RedoxProcess

_ATOMIC_MASS = {"Li": 6.941, "Ni": 58.693, "Mn": 54.938, "Ru": 101.07, "O": 15.999}


def _capacity(electrons_per_fu: float, composition: dict[str, float]) -> float:
    """mAh/g carried by electrons_per_fu electrons per formula unit."""
    molar_mass = sum(_ATOMIC_MASS[el] * n for el, n in composition.items())
    return electrons_per_fu * F_MAH_PER_MOL / molar_mass


_LNMO = {"Li": 1.2, "Ni": 0.2, "Mn": 0.6, "O": 2.0}
_LNRO = {"Li": 1.2, "Ni": 0.2, "Ru": 0.6, "O": 2.0}

LNMO = CathodeMaterial(
    name="lnmo",
    formula="Li1.2Ni0.2Mn0.6O2",
    pristine_ocv_V=3.05,
    asr_ohm_cm2=60.0,
    exchange_current_mA_g=2.0,
    processes=(
        # 0.2 Ni per f.u.: two one-electron steps, both reversible.
        RedoxProcess("Ni2+/Ni3+", _capacity(0.2, _LNMO), 3.76, 0.05, 3.72, 0.12),
        RedoxProcess("Ni3+/Ni4+", _capacity(0.2, _LNMO), 4.10, 0.07, 3.85, 0.14),
        # Surface carbonate / electrolyte oxidation: irreversible, from ~4.0 V.
        RedoxProcess("electrolyte", _capacity(0.03, _LNMO), 4.35, 0.10, 4.35, 0.10, 1.0),
        # Lattice oxygen oxidation on the plateau; after activation it recharges lower.
        RedoxProcess(
            "O2-/On-", _capacity(0.445, _LNMO), 4.522, 0.010, 3.15, 0.32, 0.20, 3.70, 0.25
        ),
        # Lattice oxygen lost as O2 at 4 e- per O2 (0.028 O2 per f.u.).
        RedoxProcess("O2 loss", _capacity(4 * 0.028, _LNMO), 4.54, 0.012, 4.54, 0.012, 1.0),
    ),
)

LNRO = CathodeMaterial(
    name="lnro",
    formula="Li1.2Ni0.2Ru0.6O2",
    pristine_ocv_V=3.10,
    asr_ohm_cm2=60.0,
    exchange_current_mA_g=2.0,
    processes=(
        # 0.6 Ru per f.u., Ru4+/Ru5+: the strong 3.6 V charge feature.
        RedoxProcess("Ru4+/Ru5+", _capacity(0.6, _LNRO), 3.62, 0.022, 3.43, 0.05),
        RedoxProcess("Ni2+/Ni3+", _capacity(0.2, _LNRO), 3.74, 0.03, 3.73, 0.05),
        # Ni3+/Ni4+ is only partly reversible in LNRO.
        RedoxProcess("Ni3+/Ni4+", _capacity(0.2, _LNRO), 4.10, 0.06, 3.72, 0.08, 0.50),
        RedoxProcess("electrolyte", _capacity(0.01, _LNRO), 4.40, 0.12, 4.40, 0.12, 1.0),
    ),
)

MATERIALS: dict[str, CathodeMaterial] = {m.name: m for m in (LNMO, LNRO)}
