"""Electrode materials: a name and a chemical formula, and what follows from them.

A :class:`Material` is metadata: its molar mass comes from the formula (periodictable's
standard atomic weights), its theoretical capacity from the lithium it holds (per Li) or the
electrons that transfer (``transferable_electrons`` per formula unit), and 1C (mA/g) from
that capacity unless the field uses a convention (``one_c_mA_g``, e.g. 250 mA/g for Li-rich
layered oxides). Built-in materials are TOML files shipped in ``operando/materials/builtin``;
a lab adds its own in a materials directory (``[materials] directory`` in the configuration,
``--materials-dir`` on the command line). Nothing here knows the simulator's physics.

A material file::

    name = "lco"
    formula = "LiCoO2"
    description = "LiCoO2, layered O3"
    transferable_electrons = 0.5   # per formula unit, to the usual upper cutoff
    source = "Reimers & Dahn, J. Electrochem. Soc. 139, 2091 (1992)"
"""

from __future__ import annotations

import functools
import pathlib
import re
import tomllib
from dataclasses import dataclass
from importlib import resources

from ..errors import BadRequest

F_MAH_PER_MOL = 96485.332 / 3.6  # mAh per mol of electrons
_TOKEN = re.compile(r"([A-Z][a-z]?)(\d*\.?\d*)")


def chemical_element(symbol: str):
    """periodictable's element of a symbol ("Ni"): its standard atomic weight is ``.mass``.
    ValueError for anything else, an isotope's symbol (D, T) included."""
    from periodictable import elements  # light: a command line's checks use it

    element = elements.symbol(symbol)
    if element is not elements[element.number]:
        raise ValueError(f"{symbol!r} names an isotope, not an element")
    return element


def parse_formula(formula: str) -> dict[str, float]:
    """Element -> atoms per formula unit, e.g. ``"Li1.2Ni0.2Mn0.6O2"`` (no brackets)."""
    text = str(formula).strip()
    tokens = _TOKEN.findall(text)
    if not tokens or "".join(el + n for el, n in tokens) != text:
        raise BadRequest(f"cannot read the chemical formula {formula!r} (write e.g. LiCoO2)")
    composition: dict[str, float] = {}
    for element, count in tokens:
        try:
            chemical_element(element)
        except ValueError:
            raise BadRequest(f"{element!r} in {formula!r} is not a chemical element") from None
        composition[element] = composition.get(element, 0.0) + float(count or 1)
    return composition


@functools.lru_cache(maxsize=256)  # a cycling summary asks once per cycle (~95 for 1M points)
def molar_mass(formula: str) -> float:
    """Molar mass (g/mol) of one formula unit, from periodictable's standard atomic weights
    (IUPAC)."""
    return sum(chemical_element(el).mass * n for el, n in parse_formula(formula).items())


def same_composition(a: str, b: str) -> bool:
    """Whether two formulas describe one composition (to 1e-6 atoms per formula unit)."""
    ca, cb = parse_formula(a), parse_formula(b)
    return ca.keys() == cb.keys() and all(abs(ca[k] - cb[k]) < 1e-6 for k in ca)


@dataclass(frozen=True)
class Material:
    """A cathode (or any electrode) material.

    transferable_electrons: electrons per formula unit cycled in normal use (None: one per
    Li of the formula); one_c_mA_g: 1C by the field's convention (None: the capacity of the
    transferable electrons).
    """

    name: str
    formula: str
    description: str = ""
    transferable_electrons: float | None = None
    one_c_mA_g: float | None = None
    source: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            raise BadRequest("a material needs a name")
        composition = parse_formula(self.formula)
        n = self.transferable_electrons
        if n is None and composition.get("Li", 0.0) <= 0:
            raise BadRequest(
                f"{self.formula} holds no Li: give transferable_electrons per formula unit"
            )
        if n is not None and not n > 0:
            raise BadRequest(f"{self.name}: transferable_electrons must be positive, got {n}")
        if self.one_c_mA_g is not None and not self.one_c_mA_g > 0:
            raise BadRequest(f"{self.name}: one_c_mA_g must be positive, got {self.one_c_mA_g}")

    @property
    def composition(self) -> dict[str, float]:
        return parse_formula(self.formula)

    @property
    def molar_mass_g_mol(self) -> float:
        return molar_mass(self.formula)

    @property
    def capacity_per_li_mAh_g(self) -> float:
        """Theoretical capacity (mAh/g) of removing every Li of the formula."""
        return self.composition.get("Li", 0.0) * F_MAH_PER_MOL / self.molar_mass_g_mol

    @property
    def capacity_mAh_g(self) -> float:
        """Capacity (mAh/g) of the transferable electrons (every Li when not given)."""
        n = self.transferable_electrons
        if n is None:
            return self.capacity_per_li_mAh_g
        return n * F_MAH_PER_MOL / self.molar_mass_g_mol

    @property
    def one_c(self) -> float:
        """1C in mA per g of active material."""
        return self.one_c_mA_g if self.one_c_mA_g is not None else self.capacity_mAh_g


def _from_toml(text: str, origin: str) -> Material:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadRequest(f"material file {origin}: {exc}") from None
    allowed = {"name", "formula", "description", "transferable_electrons", "one_c_mA_g", "source"}
    unknown = set(raw) - allowed - {"references"}
    if unknown or "name" not in raw or "formula" not in raw:
        raise BadRequest(
            f"material file {origin}: needs name and formula; keys allowed {sorted(allowed)}"
            + (f", not {sorted(unknown)}" if unknown else "")
        )
    return Material(**{k: v for k, v in raw.items() if k in allowed})


def builtin_materials() -> dict[str, Material]:
    """The materials shipped with operando, by name."""
    folder = resources.files(__name__).joinpath("builtin")
    out = {}
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml"):
            m = _from_toml(entry.read_text(), f"builtin/{entry.name}")
            out[m.name] = m
    return out


def load_materials(directory: str | pathlib.Path | None = None) -> dict[str, Material]:
    """Built-in materials, then the user's ``*.toml`` in directory (same name: user wins)."""
    out = builtin_materials()
    if directory:
        folder = pathlib.Path(directory).expanduser()
        if not folder.is_dir():
            raise BadRequest(f"materials directory {str(folder)!r} does not exist")
        for path in sorted(folder.glob("*.toml")):
            m = _from_toml(path.read_text(), str(path))
            out[m.name] = m
    return out


def resolve_material(
    name: str | None = None,
    formula: str | None = None,
    directory: str | pathlib.Path | None = None,
) -> Material:
    """The material named ``name``, or the one of ``formula`` (a known material of that
    composition, else a new material named by its formula, 1C from its Li)."""
    if (name is None) == (formula is None):
        raise BadRequest(
            "give exactly one of a material name (--material) or a formula (--formula)"
        )
    materials = load_materials(directory)
    if name is not None:
        key = str(name).strip().lower()
        if key not in materials:
            raise BadRequest(
                f"unknown material {name!r}; known materials are {sorted(materials)} "
                "(or give --formula, or add a TOML file to the materials directory)"
            )
        return materials[key]
    parse_formula(formula)
    for m in materials.values():
        if same_composition(m.formula, formula):
            return m
    return Material(name=str(formula).strip(), formula=str(formula).strip())
