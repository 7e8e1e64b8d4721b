"""Ex situ electrodes: cells brought to a state by the potentiostat, then taken apart and
mounted in the X-ray sample holders (simulated beamline).

States, as in the paper's ex situ series: ``pristine``; ``4.5V`` and ``4.8V`` (first charge
to that cutoff); ``2.0V`` (first charge to 4.8 V, then discharge to 2.0 V). A sample is
named ``<material>:<state>``, e.g. ``lnmo:4.8V``; the Ru K references are ``ru``,
``rucl3`` and ``ruo2``.
"""

from __future__ import annotations

from ..errors import BadRequest
from ..instruments import COIN_CELL_AREA_CM2, EX_SITU_ELECTRODE_MASS_MG, RU_REFERENCES
from ..sample import KNOWN_MATERIALS, sample_for

STATES = ("pristine", "4.5V", "4.8V", "2.0V")
REFERENCE_SLOTS = {key: position for key, (position, _, _) in RU_REFERENCES.items()}
REFERENCE_NAMES = {key: name for key, (_, name, _) in RU_REFERENCES.items()}
REFERENCE_VALENCE = {name: valence for _, name, valence in RU_REFERENCES.values()}
PREPARATION_C_RATE = 0.1


def parse_sample(text: str) -> tuple[str, str]:
    """(material, state) from ``material[:state]``; refuses unknown names with the choices."""
    material, _, state = text.strip().lower().partition(":")
    if material in REFERENCE_SLOTS and not state:
        return material, "reference"
    if material not in KNOWN_MATERIALS:
        raise BadRequest(
            f"unknown sample {text!r}: use <material>:<state> with material one of "
            f"{sorted(KNOWN_MATERIALS)} and state one of {list(STATES)}, or a Ru reference "
            f"{sorted(REFERENCE_SLOTS)}"
        )
    state = state or "pristine"
    matches = [s for s in STATES if s.lower() == state]
    if not matches:
        raise BadRequest(f"unknown state {state!r} of {material}; states are {list(STATES)}")
    return material, matches[0]


def sample_label(material: str, state: str) -> str:
    return f"{material} {state}"


def prepare_electrode(session, material: str, state: str, slot: int) -> str:
    """Bring a fresh cell to state with the potentiostat, then mount its electrode in slot
    (runs :func:`operando.plans.prepare_ex_situ_electrodes` for one electrode).

    Returns the electrode's name (what the holder reports when it is in the beam).
    """
    from ..plans.ex_situ import prepare_ex_situ_electrodes

    if session.sim_control is None:
        raise BadRequest("electrodes are mounted by hand on a real beamline")
    if state not in STATES:
        raise BadRequest(f"unknown state {state!r}; states are {list(STATES)}")
    sample = sample_for(material, EX_SITU_ELECTRODE_MASS_MG, COIN_CELL_AREA_CM2, name=material)
    plan = prepare_ex_situ_electrodes(
        session.potentiostat, session.sim_control, sample, (state,), first_slot=slot,
        c_rate=PREPARATION_C_RATE,
    )  # fmt: skip
    session.RE(plan)
    return sample_label(material, state)  # the name the plan gives the electrode
