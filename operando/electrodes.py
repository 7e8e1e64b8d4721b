"""Ex situ electrodes: cells brought to a state by the potentiostat, then taken apart and
mounted in the X-ray sample holders (simulated beamline).

States, as in the paper's ex situ series: ``pristine``; ``4.5V`` and ``4.8V`` (first charge
to that cutoff); ``2.0V`` (first charge to 4.8 V, then discharge to 2.0 V). A sample is
named ``<material>:<state>``, e.g. ``lnmo:4.8V``; the Ru K references are ``ru``,
``rucl3`` and ``ruo2``.
"""

from __future__ import annotations

from .sample import KNOWN_MATERIALS, sample_for

STATES = ("pristine", "4.5V", "4.8V", "2.0V")
REFERENCE_SLOTS = {"ru": 17, "rucl3": 18, "ruo2": 19}
REFERENCE_NAMES = {"ru": "Ru metal foil", "rucl3": "RuCl3", "ruo2": "RuO2"}
REFERENCE_VALENCE = {"Ru metal foil": 0, "RuCl3": 3, "RuO2": 4}  # formal valences
PREPARATION_C_RATE = 0.1
ELECTRODE_MASS_MG, ELECTRODE_AREA_CM2 = 3.85, 1.54


def parse_sample(text: str) -> tuple[str, str]:
    """(material, state) from ``material[:state]``; refuses unknown names with the choices."""
    material, _, state = text.strip().lower().partition(":")
    if material in REFERENCE_SLOTS and not state:
        return material, "reference"
    if material not in KNOWN_MATERIALS:
        raise ValueError(
            f"unknown sample {text!r}: use <material>:<state> with material one of "
            f"{sorted(KNOWN_MATERIALS)} and state one of {list(STATES)}, or a Ru reference "
            f"{sorted(REFERENCE_SLOTS)}"
        )
    state = state or "pristine"
    matches = [s for s in STATES if s.lower() == state]
    if not matches:
        raise ValueError(f"unknown state {state!r} of {material}; states are {list(STATES)}")
    return material, matches[0]


def sample_label(material: str, state: str) -> str:
    return f"{material} {state}"


def prepare_electrode(session, material: str, state: str, slot: int) -> str:
    """Bring a fresh cell to state with the potentiostat, then mount its electrode in slot
    (runs :func:`operando.plans.prepare_ex_situ_electrodes` for one electrode).

    Returns the electrode's name (what the holder reports when it is in the beam).
    """
    from .plans.ex_situ import prepare_ex_situ_electrodes

    if session.sim_control is None:
        raise RuntimeError("electrodes are mounted by hand on a real beamline")
    if state not in STATES:
        raise ValueError(f"unknown state {state!r}; states are {list(STATES)}")
    sample = sample_for(material, ELECTRODE_MASS_MG, ELECTRODE_AREA_CM2, name=material)
    plan = prepare_ex_situ_electrodes(
        session.potentiostat, session.sim_control, sample, (state,), first_slot=slot,
        c_rate=PREPARATION_C_RATE,
    )  # fmt: skip
    session.RE(plan)
    return sample_label(material, state)  # the name the plan gives the electrode
