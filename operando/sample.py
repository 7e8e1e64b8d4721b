"""The sample on the instrument: what it is made of and how much of it there is.

A :class:`Sample` is metadata entered by the operator; it goes into the start document of
every run (``sample``) and the analysis computes per-gram and per-formula-unit quantities
from it. It carries no physics of the simulator.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from .errors import BadRequest
from .instruments import COIN_CELL_AREA_CM2

# Standard atomic weights (g/mol) of the elements the cathodes of this field contain.
ATOMIC_MASS_G_MOL = {
    "H": 1.008, "Li": 6.941, "C": 12.011, "N": 14.007, "O": 15.999, "F": 18.998,
    "Na": 22.990, "Mg": 24.305, "Al": 26.982, "P": 30.974, "S": 32.06, "Ti": 47.867,
    "V": 50.942, "Cr": 51.996, "Mn": 54.938, "Fe": 55.845, "Co": 58.933, "Ni": 58.693,
    "Cu": 63.546, "Zn": 65.38, "Nb": 92.906, "Mo": 95.95, "Ru": 101.07, "Sn": 118.71,
    "Ir": 192.22, "W": 183.84,
}  # fmt: skip

# Cathode materials this lab works with: short name -> chemical formula.
KNOWN_MATERIALS = {
    "lnmo": "Li1.2Ni0.2Mn0.6O2",
    "lnro": "Li1.2Ni0.2Ru0.6O2",
}

DEFAULT_ELECTROLYTE = "1 M LiPF6 in EC:DEC (1:2)"


def parse_formula(formula: str) -> dict[str, float]:
    """Element -> atoms per formula unit, e.g. ``"Li1.2Ni0.2Mn0.6O2"``."""
    tokens = re.findall(r"([A-Z][a-z]?)(\d*\.?\d*)", formula)
    if not tokens or "".join(el + n for el, n in tokens) != formula:
        raise BadRequest(f"cannot read the chemical formula {formula!r}")
    composition: dict[str, float] = {}
    for element, count in tokens:
        if element not in ATOMIC_MASS_G_MOL:
            raise BadRequest(f"element {element!r} of {formula!r} has no atomic weight here")
        composition[element] = composition.get(element, 0.0) + float(count or 1)
    return composition


def molar_mass(formula: str) -> float:
    """Molar mass (g/mol) of a formula unit."""
    return sum(ATOMIC_MASS_G_MOL[el] * n for el, n in parse_formula(formula).items())


@dataclass(frozen=True)
class Sample:
    """An electrode: name, material, formula, active mass (mg), area (cm2), electrolyte."""

    name: str
    material: str
    formula: str
    active_mass_mg: float
    area_cm2: float
    electrolyte: str = DEFAULT_ELECTROLYTE

    def __post_init__(self) -> None:
        if not self.name:
            raise BadRequest("a sample needs a name")
        if not self.active_mass_mg > 0:
            raise BadRequest(f"active mass must be positive (mg), got {self.active_mass_mg}")
        if not self.area_cm2 > 0:
            raise BadRequest(f"electrode area must be positive (cm2), got {self.area_cm2}")
        molar_mass(self.formula)  # raises on a formula that cannot be read

    @property
    def active_mass_g(self) -> float:
        return self.active_mass_mg * 1e-3

    def as_metadata(self) -> dict:
        return asdict(self)


def sample_for(
    material: str,
    active_mass_mg: float,
    area_cm2: float = COIN_CELL_AREA_CM2,
    name: str | None = None,
    electrolyte: str = DEFAULT_ELECTROLYTE,
) -> Sample:
    """A Sample of one of the lab's known materials (see KNOWN_MATERIALS)."""
    key = str(material).strip().lower()
    if key not in KNOWN_MATERIALS:
        raise BadRequest(
            f"unknown material {material!r}; known materials are {sorted(KNOWN_MATERIALS)} "
            "(or build a Sample with an explicit formula)"
        )
    return Sample(
        name=name or f"{key}-{active_mass_mg:g}mg",
        material=key,
        formula=KNOWN_MATERIALS[key],
        active_mass_mg=active_mass_mg,
        area_cm2=area_cm2,
        electrolyte=electrolyte,
    )
