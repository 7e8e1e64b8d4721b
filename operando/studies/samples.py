"""Samples for a study: the material (by name or formula), its 1C, and whether the
simulator has physics for it (checked before anything moves)."""

from __future__ import annotations

from ..errors import BadRequest
from ..materials import resolve_material
from ..sample import Sample, sample_for


def simulated_materials() -> list[str]:
    """Names of the cathode materials the simulator has physics for."""
    from ..sim.models.materials import MATERIALS

    return sorted(MATERIALS)


def refuse_unsimulated(sample: Sample) -> None:
    """BadRequest unless the simulator can build a cell of the sample's material."""
    names = simulated_materials()
    if sample.material not in names:
        raise BadRequest(
            f"the simulator has no physics for {sample.material} ({sample.formula}); "
            f"simulated materials: {', '.join(names)}"
        )


def study_sample(
    *,
    material: str | None,
    formula: str | None,
    mass_mg: float,
    area_cm2: float,
    name: str | None = None,
    materials_dir: str | None = None,
    simulated: bool = True,
) -> tuple[Sample, float]:
    """(Sample, 1C in mA/g) of a named material or a formula; refuses, when the study runs on
    the simulator, a material it cannot simulate."""
    m = resolve_material(material, formula, materials_dir)
    sample = sample_for(m.name if material else None, mass_mg, area_cm2, name=name,
                        formula=formula, materials_dir=materials_dir)  # fmt: skip
    if simulated:
        refuse_unsimulated(sample)
    return sample, m.one_c
