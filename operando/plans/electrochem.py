"""Electrochemistry protocols, one run each: rest, charge or discharge, hold, cycle.

Every plan checks its parameters before anything moves (pure checks when the plan is
made, the instrument's compliance as the first step of the run), records the sample and the
protocol in the start document, collects the potentiostat's points into ``primary``, and
leaves the cell at open circuit however it ends: success, exception, Ctrl-C then abort.

Sign convention: positive current charges (oxidises) the cathode.
"""

from __future__ import annotations

import bluesky.plan_stubs as bps
from bluesky.utils import MsgGenerator

from ..devices.dems import MassSpectrometer
from ..devices.potentiostat import Potentiostat
from ..errors import BadRequest
from ..sample import Sample
from .checks import (  # noqa: F401  (check_cycle_parameters is part of this module's API)
    DEFAULT_RECORD_DE_V,
    DEFAULT_RECORD_DT_S,
    HOURS_PER_YEAR,
    applied_current_mA,
    check_cutoffs,
    check_cycle_parameters,
    check_duration,
    check_positive,
    check_recording,
    check_sample,
    check_temperature,
)
from .stubs import (
    ONE_C_MA_G,
    Step,
    clear_buffer,
    finish_gas_sampling,
    plan,
    run_procedure,
    safe_run,
    start_gas_sampling,
)


def electrochem_run(
    pstat: Potentiostat,
    sample: Sample,
    protocol: str,
    parameters: dict,
    steps: list[Step],
    *,
    currents_mA: tuple[float, ...] = (),
    voltages_V: tuple[float, ...] = (),
    mass_spectrometer: MassSpectrometer | None = None,
    md: dict | None = None,
) -> MsgGenerator[str]:
    """One run of a procedure: compliance check, cell configuration, clean end at OCV.

    ``parameters`` must hold ``record_dt_s`` and ``record_dE_V`` (and, with a mass
    spectrometer, ``sample_interval_s``: its headspace is sampled from the start of the
    procedure until a sample has covered its end, into the ``dems`` stream). Start metadata:
    ``sample``, ``protocol`` {name, parameters}, and whatever md adds. The session puts
    ``experiment``, ``operator`` and ``simulated`` in RE.md for every run.
    """
    _md = {
        "sample": sample.as_metadata(),
        "protocol": {"name": protocol, "parameters": parameters},
        "plan_name": protocol,
        "hints": {"dimensions": [(["t"], "primary")]},
        **(md or {}),
    }
    recording = {k: parameters[k] for k in ("record_dt_s", "record_dE_V")}
    flyers = () if mass_spectrometer is None else (mass_spectrometer,)

    def measure() -> MsgGenerator[str]:
        if parameters.get("temperature_C") is not None:  # the climate chamber first
            yield from bps.mv(pstat.temperature, parameters["temperature_C"])
        yield from clear_buffer(pstat)
        if mass_spectrometer is not None:
            yield from start_gas_sampling(mass_spectrometer, parameters["sample_interval_s"])
        reason = yield from run_procedure(pstat, steps, also_collect=flyers, **recording)
        if mass_spectrometer is not None:
            yield from finish_gas_sampling(mass_spectrometer)
        return reason

    return (
        yield from safe_run(
            pstat, sample, measure(), _md, currents_mA=currents_mA, voltages_V=voltages_V,
            mass_spectrometer=mass_spectrometer,
        )
    )  # fmt: skip


@plan
def ocv_rest(
    pstat: Potentiostat,
    sample: Sample,
    duration_s: float,
    *,
    record_dt_s: float = DEFAULT_RECORD_DT_S,
    record_dE_V: float = DEFAULT_RECORD_DE_V,
    md: dict | None = None,
) -> MsgGenerator[str]:
    """Rest the cell at open circuit for duration_s seconds of instrument time.

    Parameters
    ----------
    pstat : the potentiostat channel with the cell.
    sample : the electrode (its mass and formula go into the run's metadata).
    duration_s : rest length (s, instrument time).
    record_dt_s, record_dE_V : record a point every dt (s) or every dE (V).
    md : extra start metadata.
    """
    check_sample(sample)
    check_positive("duration_s", duration_s, "s")
    check_recording(record_dt_s, record_dE_V)
    params = {"duration_s": duration_s, "record_dt_s": record_dt_s, "record_dE_V": record_dE_V}

    steps = [Step("OCV", duration_s=duration_s)]

    return electrochem_run(pstat, sample, "ocv_rest", params, steps, md=md)


@plan
def galvanostatic(
    pstat: Potentiostat,
    sample: Sample,
    *,
    direction: str = "charge",
    cutoff_V: float,
    current_mA: float | None = None,
    current_mA_g: float | None = None,
    c_rate: float | None = None,
    one_c_mA_g: float = ONE_C_MA_G,
    max_duration_s: float = 0.0,
    record_dt_s: float = DEFAULT_RECORD_DT_S,
    record_dE_V: float = DEFAULT_RECORD_DE_V,
    md: dict | None = None,
) -> MsgGenerator[str]:
    """Charge or discharge at constant current to a voltage cutoff.

    Parameters
    ----------
    pstat : the potentiostat channel with the cell.
    sample : the electrode.
    direction : "charge" (oxidise, current positive) or "discharge".
    cutoff_V : stop when Ewe reaches this (V vs Li/Li+).
    current_mA, current_mA_g, c_rate : the current magnitude, as exactly one of mA, mA
        per g of active material, or C-rate (1/h) with 1C = one_c_mA_g mA/g.
    max_duration_s : also stop after this long (s, instrument time); 0 for no limit.
    record_dt_s, record_dE_V : record a point every dt (s) or every dE (V).
    md : extra start metadata.
    """
    check_sample(sample)
    if direction not in ("charge", "discharge"):
        raise BadRequest(f"direction must be 'charge' or 'discharge', got {direction!r}")
    check_positive("cutoff_V", cutoff_V, "V")
    if max_duration_s < 0:
        raise BadRequest(f"max_duration_s must not be negative, got {max_duration_s}")
    check_recording(record_dt_s, record_dE_V)
    i = applied_current_mA(
        sample, current_mA=current_mA, current_mA_g=current_mA_g, c_rate=c_rate,
        one_c_mA_g=one_c_mA_g,
    )  # fmt: skip
    signed = i if direction == "charge" else -i
    # The cutoff on the far side is a guard rail only; keep it inside the voltage window.
    if direction == "charge":
        e_upper, e_lower = cutoff_V, min(0.5, cutoff_V / 2)
    else:
        e_upper, e_lower = max(5.0, cutoff_V + 0.5), cutoff_V
    params = {
        "direction": direction,
        "cutoff_V": cutoff_V,
        "current_mA": i,
        "c_rate": c_rate,
        "current_mA_g": current_mA_g,
        "one_c_mA_g": one_c_mA_g,
        "max_duration_s": max_duration_s,
        "record_dt_s": record_dt_s,
        "record_dE_V": record_dE_V,
    }

    steps = [
        Step("CC", current_mA=signed, e_upper_V=e_upper, e_lower_V=e_lower,
             duration_s=max_duration_s)
    ]  # fmt: skip

    return electrochem_run(
        pstat, sample, "galvanostatic", params, steps, currents_mA=(i,),
        voltages_V=(e_lower, e_upper), md=md,
    )  # fmt: skip


@plan
def potentiostatic_hold(
    pstat: Potentiostat,
    sample: Sample,
    voltage_V: float,
    *,
    duration_s: float,
    current_floor_mA: float = 0.0,
    record_dt_s: float = DEFAULT_RECORD_DT_S,
    record_dE_V: float = DEFAULT_RECORD_DE_V,
    md: dict | None = None,
) -> MsgGenerator[str]:
    """Hold the electrode at voltage_V until duration_s passes or |I| < current_floor_mA.

    Parameters
    ----------
    voltage_V : the potential to hold (V vs Li/Li+).
    duration_s : longest hold (s, instrument time).
    current_floor_mA : end the hold early once |I| falls below this (mA); 0: never.
    """
    check_sample(sample)
    check_positive("voltage_V", voltage_V, "V")
    check_positive("duration_s", duration_s, "s")
    if current_floor_mA < 0:
        raise BadRequest(f"current_floor_mA must not be negative, got {current_floor_mA}")
    check_recording(record_dt_s, record_dE_V)
    params = {
        "voltage_V": voltage_V,
        "duration_s": duration_s,
        "current_floor_mA": current_floor_mA,
        "record_dt_s": record_dt_s,
        "record_dE_V": record_dE_V,
    }

    steps = [
        Step("CV", voltage_V=voltage_V, duration_s=duration_s,
             current_floor_mA=current_floor_mA)
    ]  # fmt: skip

    return electrochem_run(
        pstat, sample, "potentiostatic_hold", params, steps, voltages_V=(voltage_V,), md=md
    )


@plan
def galvanostatic_cycle(
    pstat: Potentiostat,
    sample: Sample,
    *,
    v_min: float,
    v_max: float,
    cycles: int = 1,
    current_mA: float | None = None,
    current_mA_g: float | None = None,
    c_rate: float | None = None,
    one_c_mA_g: float = ONE_C_MA_G,
    first: str = "charge",
    rest_s: float = 0.0,
    record_dt_s: float = DEFAULT_RECORD_DT_S,
    record_dE_V: float = DEFAULT_RECORD_DE_V,
    temperature_C: float | None = None,
    md: dict | None = None,
) -> MsgGenerator[str]:
    """Cycle at constant current between two voltage cutoffs, n times, in one run.

    The whole cycling procedure is programmed into the instrument, which moves from one
    half-cycle to the next by itself.

    Parameters
    ----------
    v_min, v_max : lower and upper cutoffs (V vs Li/Li+).
    cycles : number of charge + discharge cycles.
    current_mA, current_mA_g, c_rate : the current magnitude, as in :func:`galvanostatic`.
    first : "charge" (the usual first step of a pristine cathode) or "discharge".
    rest_s : open-circuit rest after each half-cycle (s, instrument time); 0 for none.
    record_dt_s, record_dE_V : record a point every dt (s) or every dE (V).
    temperature_C : cell temperature (C) set on the climate chamber before the first step;
        None leaves it as it is (the run's configuration records it either way).

    Returns
    -------
    The instrument's end reason of the last step.
    """
    check_temperature(temperature_C)
    i = check_cycle_parameters(
        sample, v_min=v_min, v_max=v_max, cycles=cycles, current_mA=current_mA,
        current_mA_g=current_mA_g, c_rate=c_rate, one_c_mA_g=one_c_mA_g, first=first,
        rest_s=rest_s, record_dt_s=record_dt_s, record_dE_V=record_dE_V,
    )  # fmt: skip
    params = {
        "v_min": v_min,
        "v_max": v_max,
        "cycles": cycles,
        "current_mA": i,
        "c_rate": c_rate,
        "current_mA_g": current_mA_g,
        "one_c_mA_g": one_c_mA_g,
        "first": first,
        "rest_s": rest_s,
        "record_dt_s": record_dt_s,
        "record_dE_V": record_dE_V,
        "temperature_C": temperature_C,
    }
    signs = (1, -1) if first == "charge" else (-1, 1)
    steps = []
    for _ in range(cycles):
        for sign in signs:
            steps.append(Step("CC", current_mA=sign * i, e_upper_V=v_max, e_lower_V=v_min))
            if rest_s > 0:
                steps.append(Step("OCV", duration_s=rest_s))

    return electrochem_run(
        pstat, sample, "galvanostatic_cycle", params, steps, currents_mA=(i,),
        voltages_V=(v_min, v_max), md=md,
    )  # fmt: skip
