"""Ex situ electrodes: bring fresh cells to the states of a series, then hand each
electrode to the X-ray sample holder.

    for each state (pristine, 4.5V, 4.8V, 2.0V):
        assemble a fresh cell of the material
        pristine: nothing; a cutoff above 3.5 V: charge to it; a cutoff at or below 3.5 V:
            one cycle, charging to v_max and discharging to it
        take the cell apart at the cutoff and mount the electrode in the next holder slot

On the simulated beamline the cell is assembled and the electrode mounted through the
simulator's controls (``SimControl``): the simulator takes the electrode out at the
instrument instant the technique ends (``SIM:MountOnEnd``), so its state does not depend on
how fast the client is, and it keeps that state in the holder.
On a real beamline (``sim=None``) the electrochemistry runs and the transfer is done by
hand; the plan records which slot each electrode is meant for.
"""

from __future__ import annotations

from dataclasses import replace

import bluesky.plan_stubs as bps
from bluesky.utils import MsgGenerator

from ..devices.potentiostat import Potentiostat
from ..devices.simcontrol import SimControl
from ..errors import BadRequest
from ..instruments import N_SLOTS, pv_string
from ..sample import Sample
from .checks import check_recording, state_steps
from .electrochem import galvanostatic, galvanostatic_cycle
from .stubs import configure_cell, plan

# A preparation's curve is not the measurement (the electrode's state is): it is recorded
# every 10 min or 20 mV. The state reached does not depend on it (the simulator's LNMO and
# LNRO cycled at C/50 end within 1e-5 of the same oxidised fractions at 60 s / 5 mV), and it
# takes a tenth of the points.
PREPARATION_RECORD_DT_S = 600.0
PREPARATION_RECORD_DE_V = 0.02


def assemble_cell(pstat: Potentiostat, sim: SimControl, sample: Sample) -> MsgGenerator[None]:
    """Simulator: put a pristine cell of the sample's material on the channel."""
    yield from configure_cell(pstat, sample)
    yield from bps.mv(sim.new_cell, 1)


def mount_electrode(sim: SimControl, slot: int, name: str) -> MsgGenerator[None]:
    """Simulator: take the electrode out of the cell, as it is, into holder slot."""
    yield from bps.mv(sim.mount_name, pv_string(name))
    yield from bps.mv(sim.mount, slot)


def mount_electrode_at_end(sim: SimControl, slot: int, name: str) -> MsgGenerator[None]:
    """Simulator: take the electrode into holder slot the instant the next technique ends
    (the cell is taken apart at its cutoff, however long the client takes to notice)."""
    yield from bps.mv(sim.mount_name, pv_string(name))
    yield from bps.mv(sim.mount_on_end, slot)


@plan
def prepare_ex_situ_electrodes(
    pstat: Potentiostat,
    sim: SimControl | None,
    sample: Sample,
    states: tuple[str, ...] = ("pristine", "4.5V", "4.8V", "2.0V"),
    *,
    first_slot: int = 1,
    c_rate: float = 0.1,
    v_max: float = 4.8,
    md: dict | None = None,
    one_c_mA_g: float | None = None,
    record_dt_s: float = PREPARATION_RECORD_DT_S,
    record_dE_V: float = PREPARATION_RECORD_DE_V,
) -> MsgGenerator[dict[str, int]]:
    """Prepare one electrode of sample's material per state and mount each in a slot.

    Parameters
    ----------
    pstat : the potentiostat channel.
    sim : the simulator's controls (assembly and mounting); None on a real beamline.
    sample : the electrode type (material, active mass mg, area cm2); each electrode is
        named "<sample.name> <state>".
    states : "pristine" or cutoffs such as "4.5V" (charged to it) or "2.0V" (charged to
        v_max, then discharged to it).
    first_slot : holder slot of the first electrode (1..16), the others follow.
    c_rate : current of the preparation (1/h); 1C = one_c_mA_g (None: the material's).
    v_max : upper cutoff of the first cycle for discharged states (V).
    md : extra start metadata of the preparation runs.
    record_dt_s, record_dE_V : record a point of the preparation every dt (s) or dE (V).

    Returns
    -------
    The holder slot of each electrode, by name.
    """
    cutoffs = [state_steps(s, sample.material, v_max) for s in states]  # refuse bad states
    if one_c_mA_g is None:
        from ..materials import resolve_material

        one_c_mA_g = resolve_material(formula=sample.formula).one_c
    rate = {"c_rate": c_rate, "one_c_mA_g": one_c_mA_g, "record_dt_s": record_dt_s,
            "record_dE_V": record_dE_V}  # fmt: skip
    if not states:
        raise BadRequest("give at least one state")
    if not 1 <= first_slot <= N_SLOTS - len(states) + 1:
        raise BadRequest(
            f"{len(states)} electrodes from slot {first_slot} do not fit slots 1..{N_SLOTS}"
        )
    if not 0 < c_rate <= 10:
        raise BadRequest(f"c_rate must lie in (0, 10] 1/h, got {c_rate!r}")
    check_recording(record_dt_s, record_dE_V)

    def prepare() -> MsgGenerator[dict[str, int]]:
        slots = {}
        for n, (state, cutoff) in enumerate(zip(states, cutoffs, strict=True)):
            slot = first_slot + n
            electrode = replace(sample, name=f"{sample.name} {state}")
            run_md = {"purpose": f"ex situ electrode {electrode.name} for holder slot {slot}",
                      "ex_situ": {"state": state, "slot": slot}, **(md or {})}  # fmt: skip
            if sim is not None:
                yield from assemble_cell(pstat, sim, electrode)
            if cutoff is None:
                if sim is not None:  # pristine: straight from the cell
                    yield from mount_electrode(sim, slot, electrode.name)
            else:
                if sim is not None:
                    yield from mount_electrode_at_end(sim, slot, electrode.name)
                if cutoff[1] is None:
                    yield from galvanostatic(pstat, electrode, cutoff_V=cutoff[0], md=run_md,
                                             **rate)  # fmt: skip
                else:
                    yield from galvanostatic_cycle(pstat, electrode, v_min=cutoff[1],
                                                   v_max=cutoff[0], md=run_md, **rate)  # fmt: skip
            slots[electrode.name] = slot
        return slots

    return prepare()
