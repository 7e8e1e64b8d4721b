"""Plans for bluesky-queueserver: plain parameters only (numbers, strings, lists).

A queue client (bluesky-queueserver-api, the HTTP server, a GUI) can only send JSON-like
parameters; the operando plans take a :class:`~operando.sample.Sample` and endstation
objects. These plans take the cell by name: ``add_cell`` registers a cell (and, on the
simulated beamline, puts a pristine one on the potentiostat); the others find it in the
registry and the devices in the session. The profile (``profile/startup``) puts them in the
worker's namespace with :func:`queue_plans`.

    qserver queue add plan '{"name": "add_cell", "args": ["A", "lnmo", 3.85]}'
    qserver queue add plan '{"name": "cycle", "kwargs": {"cell": "A", "v_min": 3.5,
                              "v_max": 4.9, "c_rate": 1}}'
"""

from __future__ import annotations

from typing import Any

from bluesky.utils import plan

from .errors import BadRequest
from .instruments import COIN_CELL_AREA_CM2


def queue_plans(session: Any) -> dict[str, Any]:
    """The plain-parameter plans of a session, by name (``cells``: the registry)."""
    from . import plans
    from .sample import sample_for

    cells: dict[str, Any] = {}

    def cell_named(name: str):
        if name not in cells:
            known = sorted(cells) or "none yet: run add_cell first"
            raise BadRequest(f"no cell named {name!r}; registered: {known}")
        return cells[name]

    @plan
    def add_cell(name: str, material: str, mass_mg: float,
                 area_cm2: float = COIN_CELL_AREA_CM2):  # fmt: skip
        """Register the cell ``name`` (material, active mass in mg, area in cm2); on the
        simulated beamline also put a pristine cell of it on the potentiostat."""
        sample = sample_for(material, mass_mg, area_cm2, name=name)  # checks before moving
        if session.sim_control is not None:
            from .plans.ex_situ import assemble_cell

            yield from assemble_cell(session.potentiostat, session.sim_control, sample)
        cells[name] = sample

    @plan
    def rest(cell: str, duration_s: float, record_dt_s: float = 60.0):
        """Open-circuit rest of duration_s (s, instrument time), a point every record_dt_s."""
        return (yield from plans.ocv_rest(
            session.potentiostat, cell_named(cell), duration_s, record_dt_s=record_dt_s
        ))  # fmt: skip

    @plan
    def charge(cell: str, cutoff_V: float, c_rate: float | None = None,
               current_mA_g: float | None = None, direction: str = "charge",
               record_dt_s: float = 60.0):  # fmt: skip
        """Charge (or discharge) at constant current to cutoff_V (V vs Li/Li+)."""
        return (yield from plans.galvanostatic(
            session.potentiostat, cell_named(cell), direction=direction, cutoff_V=cutoff_V,
            c_rate=c_rate, current_mA_g=current_mA_g, record_dt_s=record_dt_s,
        ))  # fmt: skip

    @plan
    def cycle(cell: str, v_min: float, v_max: float, cycles: int = 1,
              c_rate: float | None = None, current_mA_g: float | None = None,
              rest_s: float = 0.0, record_dt_s: float = 60.0):  # fmt: skip
        """Galvanostatic cycling between v_min and v_max (V), ``cycles`` times, one run."""
        return (yield from plans.galvanostatic_cycle(
            session.potentiostat, cell_named(cell), v_min=v_min, v_max=v_max, cycles=cycles,
            c_rate=c_rate, current_mA_g=current_mA_g, rest_s=rest_s, record_dt_s=record_dt_s,
        ))  # fmt: skip

    @plan
    def charge_measure(cell: str, cutoffs_V: list[float], c_rate: float | None = None,
                       current_mA_g: float | None = None, soft_edges: list[str] | None = None,
                       hard_edges: list[str] | None = None, gas_sample: bool = False,
                       rest_s: float = 0.0):  # fmt: skip
        """Charge/discharge to each cutoff in turn and measure there (X-ray edges by name,
        e.g. "ni-l", "o-k", "ru-k"; the endstations and mass spectrometer of the session)."""
        return (yield from plans.charge_and_measure(
            session.potentiostat, cell_named(cell), list(cutoffs_V), c_rate=c_rate,
            current_mA_g=current_mA_g, soft_xray=session.soft_xray,
            hard_xray=session.hard_xray, mass_spectrometer=session.mass_spectrometer,
            soft_edges=tuple(soft_edges or ()), hard_edges=tuple(hard_edges or ()),
            gas_sample=gas_sample, rest_s=rest_s,
        ))  # fmt: skip

    return {
        "cells": cells,
        "add_cell": add_cell,
        "rest": rest,
        "charge": charge,
        "cycle": cycle,
        "charge_measure": charge_measure,
    }
