"""Cycling and DEMS experiments as the command line runs them: one cell, one run."""

from __future__ import annotations

from ..analysis.results import CyclingSummary, DemsSummary, Summary
from ..errors import BadRequest
from ..plans.checks import check_temperature
from ..plans.dems import check_dems_parameters, dems_cycling
from ..plans.electrochem import check_cycle_parameters, galvanostatic_cycle
from .running import open_session, run_plan
from .samples import study_sample


def _check_time_scale(time_scale: float) -> None:
    if not time_scale > 0:
        raise BadRequest(f"--time-scale must be positive, got {time_scale}")


def _live_summary(session) -> Summary:
    """The summary the session computed live from the run's documents."""
    if session.run_summary.summary is None:
        raise BadRequest(f"the run has no summary: {session.run_summary.error}")
    return session.run_summary.summary


def run_cycle(
    *,
    material: str | None,
    mass_mg: float,
    area_cm2: float,
    c_rate: float,
    v_min: float,
    v_max: float,
    cycles: int,
    time_scale: float,
    data: str,
    prefix: str | None = None,
    ca_port: int | None = None,
    sample_name: str | None = None,
    formula: str | None = None,
    materials_dir: str | None = None,
    temperature_C: float | None = None,
) -> CyclingSummary:
    """Galvanostatic cycling of a fresh cell (C-rate in 1/h, cutoffs in V, mass in mg, area
    in cm2); returns the live cycling summary (first cycle at the top, every cycle under
    ``cycles``); temperature_C (C) sets the cell's climate chamber first."""
    # Every parameter is checked before anything starts or any PV is written.
    sample, one_c = study_sample(
        material=material, formula=formula, mass_mg=mass_mg, area_cm2=area_cm2,
        name=sample_name, materials_dir=materials_dir, simulated=prefix is None,
    )  # fmt: skip
    check_cycle_parameters(
        sample, v_min=v_min, v_max=v_max, cycles=cycles, c_rate=c_rate, one_c_mA_g=one_c
    )
    check_temperature(temperature_C)
    _check_time_scale(time_scale)
    with open_session(data, prefix, ca_port, time_scale) as session:
        if session.sim_control is not None:
            session.assemble_sim_cell(sample)
        plan = galvanostatic_cycle(
            session.potentiostat, sample, v_min=v_min, v_max=v_max, cycles=cycles,
            c_rate=c_rate, one_c_mA_g=one_c, temperature_C=temperature_C,
        )  # fmt: skip
        run_plan(session, plan)
        return _live_summary(session)


def run_dems(
    *,
    material: str | None,
    mass_mg: float,
    area_cm2: float,
    current_mA_g: float,
    cycles: int,
    v_min: float,
    v_max: float,
    rest_h: float,
    sample_interval_s: float,
    time_scale: float,
    data: str,
    prefix: str | None = None,
    ca_port: int | None = None,
    sample_name: str | None = None,
    formula: str | None = None,
    materials_dir: str | None = None,
    temperature_C: float | None = None,
) -> DemsSummary:
    """Rest (h), cycle at a specific current (mA/g) and sample the gas every interval (s)
    (DEMS); returns the live cycling + gas summary."""
    sample, _ = study_sample(
        material=material, formula=formula, mass_mg=mass_mg, area_cm2=area_cm2,
        name=sample_name or f"{material or formula} DEMS cell", materials_dir=materials_dir,
        simulated=prefix is None,
    )  # fmt: skip
    dems = {
        "rest_s": rest_h * 3600.0, "current_mA_g": current_mA_g, "v_min": v_min,
        "v_max": v_max, "cycles": cycles, "sample_interval_s": sample_interval_s,
    }  # fmt: skip
    check_dems_parameters(sample, **dems)
    check_temperature(temperature_C)
    dems["temperature_C"] = temperature_C
    _check_time_scale(time_scale)
    with open_session(data, prefix, ca_port, time_scale) as session:
        if session.mass_spectrometer is None:
            raise BadRequest("this beamline has no DEMS mass spectrometer (no PVs ...DEMS:)")
        if session.sim_control is not None:
            session.assemble_sim_cell(sample)
        plan = dems_cycling(session.potentiostat, session.mass_spectrometer, sample, **dems)
        run_plan(session, plan)
        return _live_summary(session)
