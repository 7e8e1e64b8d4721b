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
    """Bring a fresh cell to state with the potentiostat, then mount its electrode in slot.

    Returns the electrode's name (what the holder reports when it is in the beam).
    """
    from .plans.electrochem import galvanostatic, galvanostatic_cycle

    if session.sim_control is None:
        raise RuntimeError("electrodes are prepared only on the simulated beamline")
    if state not in STATES:
        raise ValueError(f"unknown state {state!r}; states are {list(STATES)}")
    cell = sample_for(material, ELECTRODE_MASS_MG, ELECTRODE_AREA_CM2, name=f"{material} {state}")
    session.assemble_sim_cell(cell)
    pstat, rate = session.potentiostat, PREPARATION_C_RATE
    md = {"purpose": f"ex situ electrode {material} {state} for X-ray slot {slot}"}
    if state in ("4.5V", "4.8V"):
        cutoff = float(state[:-1])
        session.RE(galvanostatic(pstat, cell, cutoff_V=cutoff, c_rate=rate, md=md))
    elif state == "2.0V":
        session.RE(galvanostatic_cycle(pstat, cell, v_min=2.0, v_max=4.8, c_rate=rate, md=md))
    name = sample_label(material, state)
    session.sim_control.mount_electrode(slot, name)
    return name
