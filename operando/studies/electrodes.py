"""Ex situ electrodes: cells brought to a state by the potentiostat, then taken apart and
mounted in the X-ray sample holders (simulated beamline).

States: ``pristine``; ``<V>V`` (first charge to that cutoff, e.g. ``4.2V``);
``<Vmax>V-<Vmin>V`` (charged to Vmax, then discharged to Vmin). For the paper's materials a
cutoff at or below 3.5 V keeps its meaning: ``lnmo:2.0V`` is 4.8 V, then 2.0 V. A sample is
named ``<material>:<state>``, e.g. ``lco:4.2V``; the Ru K references are ``ru``, ``rucl3``
and ``ruo2``. The preparation C-rate is settable (1C: the material's).
"""

from __future__ import annotations

from ..errors import BadRequest
from ..instruments import COIN_CELL_AREA_CM2, EX_SITU_ELECTRODE_MASS_MG, RU_REFERENCES
from ..materials import load_materials
from ..sample import sample_for

STATES = ("pristine", "4.5V", "4.8V", "2.0V")
REFERENCE_SLOTS = {key: position for key, (position, _, _) in RU_REFERENCES.items()}
REFERENCE_NAMES = {key: name for key, (_, name, _) in RU_REFERENCES.items()}
REFERENCE_VALENCE = {name: valence for _, name, valence in RU_REFERENCES.values()}
PREPARATION_C_RATE = 0.1


def parse_sample(text: str, materials_dir: str | None = None) -> tuple[str, str]:
    """(material, state) from ``material[:state]``; refuses unknown names with the choices."""
    from ..plans.checks import state_steps

    material, _, state = text.strip().lower().partition(":")
    if material in REFERENCE_SLOTS and not state:
        return material, "reference"
    known = load_materials(materials_dir)
    if material not in known:
        raise BadRequest(
            f"unknown sample {text!r}: use <material>:<state> with material one of "
            f"{sorted(known)} and state pristine, <V>V or <Vmax>V-<Vmin>V, or a Ru reference "
            f"{sorted(REFERENCE_SLOTS)}"
        )
    state = (state or "pristine").replace("v", "V")
    try:
        state_steps(state, material)
    except ValueError as exc:
        raise BadRequest(f"sample {text!r}: {exc}") from None
    return material, state


def sample_label(material: str, state: str) -> str:
    return f"{material} {state}"


def prepare_electrode(
    session, material: str, state: str, slot: int, c_rate: float = PREPARATION_C_RATE
) -> str:
    """Bring a fresh cell to state with the potentiostat, then mount its electrode in slot
    (runs :func:`operando.plans.prepare_ex_situ_electrodes` for one electrode).

    Returns the electrode's name (what the holder reports when it is in the beam).
    """
    from ..plans.ex_situ import prepare_ex_situ_electrodes

    if session.sim_control is None:
        raise BadRequest("electrodes are mounted by hand on a real beamline")
    sample = sample_for(material, EX_SITU_ELECTRODE_MASS_MG, COIN_CELL_AREA_CM2, name=material)
    plan = prepare_ex_situ_electrodes(
        session.potentiostat, session.sim_control, sample, (state,), first_slot=slot,
        c_rate=c_rate,
    )  # fmt: skip
    session.RE(plan)
    return sample_label(material, state)  # the name the plan gives the electrode


def check_xas_request(edge: str, samples: list[str]) -> None:
    """Refuse, before anything moves, an unknown edge or a sample without its element."""
    from ..edges import check_element_in, edge_named

    edge_named(edge)
    known = load_materials()
    for text in samples:
        material, state = parse_sample(text)
        if state != "reference":
            check_element_in(edge, known[material].formula, text)
