"""The sample on the instrument: what it is made of and how much of it there is.

A :class:`Sample` is metadata entered by the operator; it goes into the start document of
every run (``sample``) and the analysis computes per-gram and per-formula-unit quantities
from it. It carries no physics of the simulator.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .errors import BadRequest
from .instruments import COIN_CELL_AREA_CM2
from .materials import molar_mass, parse_formula, resolve_material

__all__ = ["KNOWN_MATERIALS", "Sample", "molar_mass", "parse_formula", "sample_for"]

# The paper's two cathodes (the demo's study); every other material: operando.materials.
KNOWN_MATERIALS = {
    "lnmo": "Li1.2Ni0.2Mn0.6O2",
    "lnro": "Li1.2Ni0.2Ru0.6O2",
}

DEFAULT_ELECTROLYTE = "1 M LiPF6 in EC:DEC (1:2)"


@dataclass(frozen=True)
class Sample:
    """An electrode: name, material, formula, active mass (mg), area (cm2), electrolyte;
    molar_mass_g_mol (g/mol) follows from the formula."""

    name: str
    material: str
    formula: str
    active_mass_mg: float
    area_cm2: float
    electrolyte: str = DEFAULT_ELECTROLYTE
    molar_mass_g_mol: float = field(default=0.0)

    def __post_init__(self) -> None:
        if not self.name:
            raise BadRequest("a sample needs a name")
        if not self.active_mass_mg > 0:
            raise BadRequest(f"active mass must be positive (mg), got {self.active_mass_mg}")
        if not self.area_cm2 > 0:
            raise BadRequest(f"electrode area must be positive (cm2), got {self.area_cm2}")
        # Raises on a formula that cannot be read; the molar mass always follows from it.
        object.__setattr__(self, "molar_mass_g_mol", round(molar_mass(self.formula), 4))

    @property
    def active_mass_g(self) -> float:
        return self.active_mass_mg * 1e-3

    def as_metadata(self) -> dict:
        return asdict(self)


def sample_for(
    material: str | None,
    active_mass_mg: float,
    area_cm2: float = COIN_CELL_AREA_CM2,
    name: str | None = None,
    electrolyte: str = DEFAULT_ELECTROLYTE,
    *,
    formula: str | None = None,
    materials_dir: str | None = None,
) -> Sample:
    """A Sample of a named material (built-in or from materials_dir) or of a formula."""
    m = resolve_material(material, formula, materials_dir)
    return Sample(
        name=name or f"{m.name}-{active_mass_mg:g}mg",
        material=m.name,
        formula=m.formula,
        active_mass_mg=active_mass_mg,
        area_cm2=area_cm2,
        electrolyte=electrolyte,
    )
