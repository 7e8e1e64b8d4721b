"""CV, GITT and EIS experiments as the command line runs them: one fresh cell, one run."""

from __future__ import annotations

from ..analysis.results import CvSummary, EisSummary, GittSummary
from ..errors import BadRequest
from ..plans.checks import check_positive, check_temperature
from ..plans.techniques import (
    check_cv_parameters,
    check_eis_parameters,
    check_gitt_parameters,
    cyclic_voltammetry,
    eis,
    gitt,
    gitt_pulses,
)
from .cycling import _check_time_scale, _live_summary
from .running import open_session, run_plan
from .samples import study_sample


def _sample(material, formula, mass_mg, area_cm2, materials_dir, prefix):
    return study_sample(
        material=material, formula=formula, mass_mg=mass_mg, area_cm2=area_cm2, name=None,
        materials_dir=materials_dir, simulated=prefix is None,
    )  # fmt: skip


def run_cv(
    *, material: str | None, formula: str | None = None, materials_dir: str | None = None,
    mass_mg: float, area_cm2: float, v_min: float, v_max: float, scan_rate_mV_s: float,
    cycles: int, record_dE_V: float = 0.005, temperature_C: float | None = None,
    time_scale: float, data: str, prefix: str | None = None, ca_port: int | None = None,
) -> CvSummary:  # fmt: skip
    """Cyclic voltammetry of a fresh cell (V, mV/s, mg, cm2); the live peak summary."""
    sample, _ = _sample(material, formula, mass_mg, area_cm2, materials_dir, prefix)
    check_cv_parameters(
        sample, v_min=v_min, v_max=v_max, scan_rate_mV_s=scan_rate_mV_s, cycles=cycles,
        record_dE_V=record_dE_V,
    )  # fmt: skip
    check_temperature(temperature_C)
    _check_time_scale(time_scale)
    with open_session(data, prefix, ca_port, time_scale) as session:
        if session.sim_control is not None:
            session.assemble_sim_cell(sample)
        plan = cyclic_voltammetry(
            session.potentiostat, sample, v_min=v_min, v_max=v_max,
            scan_rate_mV_s=scan_rate_mV_s, cycles=cycles, record_dE_V=record_dE_V,
            temperature_C=temperature_C,
        )  # fmt: skip
        run_plan(session, plan)
        return _live_summary(session)


def run_gitt(
    *, material: str | None, formula: str | None = None, materials_dir: str | None = None,
    mass_mg: float, area_cm2: float, pulse_c_rate: float, pulse_s: float, rest_s: float,
    v_max: float, particle_radius_um: float, pulses: int | None = None,
    temperature_C: float | None = None, time_scale: float, data: str,
    prefix: str | None = None, ca_port: int | None = None,
) -> GittSummary:  # fmt: skip
    """GITT on charge of a fresh cell (C-rate 1/h, s, V); D per pulse for particles of
    particle_radius_um (um), recorded with the run as a parameter of its analysis."""
    sample, one_c = _sample(material, formula, mass_mg, area_cm2, materials_dir, prefix)
    check_positive("--particle-radius-um", particle_radius_um, "um")
    check_positive("--pulse-c-rate", pulse_c_rate, "1/h")
    check_positive("--pulse-s", pulse_s, "s")
    n = gitt_pulses(pulse_c_rate, pulse_s) if pulses is None else pulses
    check_gitt_parameters(
        sample, pulse_c_rate=pulse_c_rate, pulse_s=pulse_s, rest_s=rest_s, v_max=v_max,
        pulses=n, one_c_mA_g=one_c,
    )  # fmt: skip
    check_temperature(temperature_C)
    _check_time_scale(time_scale)
    md = {"analysis": {"particle_radius_um": particle_radius_um}}
    with open_session(data, prefix, ca_port, time_scale) as session:
        if session.sim_control is not None:
            session.assemble_sim_cell(sample)
        plan = gitt(
            session.potentiostat, sample, pulse_c_rate=pulse_c_rate, pulse_s=pulse_s,
            rest_s=rest_s, v_max=v_max, pulses=n, one_c_mA_g=one_c,
            temperature_C=temperature_C, md=md,
        )  # fmt: skip
        run_plan(session, plan)
        return _live_summary(session)


def run_eis(
    *, material: str | None, formula: str | None = None, materials_dir: str | None = None,
    mass_mg: float, area_cm2: float, state_V: float, f_min_Hz: float, f_max_Hz: float,
    per_decade: int = 8, hold_h: float = 4.0, rest_s: float = 600.0,
    temperature_C: float | None = None, time_scale: float, data: str,
    prefix: str | None = None, ca_port: int | None = None,
) -> EisSummary:  # fmt: skip
    """A fresh cell held at state_V (V, at most hold_h h), rested rest_s (s), then one
    impedance spectrum (Hz); the live Randles fit."""
    from ..devices.impedance import ImpedanceAnalyzer

    sample, one_c = _sample(material, formula, mass_mg, area_cm2, materials_dir, prefix)
    check_positive("--hold-h", hold_h, "h")
    check_eis_parameters(
        sample, state_V=state_V, f_min_Hz=f_min_Hz, f_max_Hz=f_max_Hz, per_decade=per_decade,
        hold_s=hold_h * 3600.0, rest_s=rest_s,
    )  # fmt: skip
    check_temperature(temperature_C)
    _check_time_scale(time_scale)
    with open_session(data, prefix, ca_port, time_scale) as session:
        analyzer = ImpedanceAnalyzer(session.potentiostat.prefix, name="eis")
        try:
            analyzer.wait_for_connection(timeout=5.0)
        except TimeoutError:
            raise BadRequest("this potentiostat has no impedance analyser (PVs ...EIS:)") from None
        if session.sim_control is not None:
            session.assemble_sim_cell(sample)
        plan = eis(
            session.potentiostat, analyzer, sample, state_V=state_V, f_min_Hz=f_min_Hz,
            f_max_Hz=f_max_Hz, per_decade=per_decade, hold_s=hold_h * 3600.0, rest_s=rest_s,
            one_c_mA_g=one_c, temperature_C=temperature_C,
        )  # fmt: skip
        run_plan(session, plan)
        return _live_summary(session)
