"""Checks of electrochemistry parameters, made when a plan is made (before anything moves).

Pure: they touch no instrument, so a command line refuses bad input before it starts or
connects to anything; the instrument's compliance is checked by each plan's first step.
"""

from __future__ import annotations

import math
import re

from ..errors import BadRequest
from ..instruments import CELL_TEMPERATURE_RANGE_C, MAX_STEPS
from ..sample import Sample

ONE_C_MA_G = 250.0  # the field's convention for Li-rich oxides: 1C = 250 mA/g

DEFAULT_RECORD_DT_S = 60.0  # s between recorded points ...
DEFAULT_RECORD_DE_V = 0.005  # ... or V of potential change, whichever comes first


HOURS_PER_YEAR = 8766.0  # the longest procedure accepted: a year of instrument time


def check_positive(name: str, value: float, units: str) -> None:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
        raise BadRequest(f"{name} must be a positive number ({units}) and finite, got {value!r}")


def check_duration(
    cycles: int, current_mA: float, sample: Sample, one_c_mA_g: float, rest_s: float = 0.0
) -> None:
    """Refuse cycling that would take longer than a year of instrument time.

    Each half-cycle moves at most the material's nominal capacity (one_c_mA_g mAh/g), so it
    lasts about one_c_mA_g * mass / current hours.
    """
    half_h = one_c_mA_g * sample.active_mass_g / current_mA
    total_h = 2 * cycles * half_h + cycles * 2 * rest_s / 3600.0
    if not total_h <= HOURS_PER_YEAR:
        raise BadRequest(
            f"{cycles} cycle(s) at {current_mA:.3g} mA would take about {total_h:.3g} h of "
            f"instrument time; the limit is a year ({HOURS_PER_YEAR:g} h): use a larger current"
        )


def check_temperature(temperature_C: float | None) -> None:
    """A cell temperature (C) the climate chamber can hold, or None (leave it as it is)."""
    if temperature_C is None:
        return
    lo, hi = CELL_TEMPERATURE_RANGE_C
    if not (isinstance(temperature_C, (int, float)) and lo <= temperature_C <= hi):
        raise BadRequest(
            f"temperature_C must be a number from {lo:g} to {hi:g} C (the climate chamber's "
            f"range), got {temperature_C!r}"
        )


def check_sample(sample: Sample) -> None:
    if not isinstance(sample, Sample):
        raise TypeError(
            f"sample must be an operando.sample.Sample (see sample_for), got {type(sample)}"
        )
    for name, value, units in (
        ("active mass", sample.active_mass_mg, "mg"),
        ("electrode area", sample.area_cm2, "cm2"),
    ):
        check_positive(name, value, units)


def check_cutoffs(v_min: float, v_max: float) -> None:
    if not v_min < v_max:
        raise BadRequest(
            f"the lower cutoff ({v_min:g} V) must lie below the upper cutoff ({v_max:g} V)"
        )


def check_recording(record_dt_s: float, record_dE_V: float) -> None:
    check_positive("record_dt_s", record_dt_s, "s")
    check_positive("record_dE_V", record_dE_V, "V")


def applied_current_mA(
    sample: Sample,
    *,
    current_mA: float | None = None,
    current_mA_g: float | None = None,
    c_rate: float | None = None,
    one_c_mA_g: float = ONE_C_MA_G,
) -> float:
    """The current magnitude (mA) from exactly one of: mA, mA per g of active mass, C-rate."""
    given = {
        k: v
        for k, v in (("current_mA", current_mA), ("current_mA_g", current_mA_g), ("c_rate", c_rate))
        if v is not None
    }
    if len(given) != 1:
        raise BadRequest(
            "give the current as exactly one of current_mA, current_mA_g or c_rate "
            f"(got {sorted(given) or 'none'})"
        )
    ((name, value),) = given.items()
    check_positive(name, value, {"current_mA": "mA", "current_mA_g": "mA/g", "c_rate": "1/h"}[name])
    if name == "current_mA":
        return float(value)
    if name == "current_mA_g":
        return value * sample.active_mass_g
    check_positive("one_c_mA_g", one_c_mA_g, "mA/g")
    return value * one_c_mA_g * sample.active_mass_g


def check_cycle_parameters(
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
) -> float:
    """Check the parameters of :func:`galvanostatic_cycle`; return the current (mA).

    Pure: touches no instrument, so a command line can refuse bad input before it starts
    or connects to anything. The instrument's compliance is checked by the plan itself.
    """
    check_sample(sample)
    check_positive("v_min", v_min, "V")
    check_cutoffs(v_min, v_max)
    steps_per_cycle = 2 if rest_s <= 0 else 4
    if not (isinstance(cycles, int) and 1 <= cycles <= MAX_STEPS // steps_per_cycle):
        raise BadRequest(
            f"cycles must be a whole number from 1 to {MAX_STEPS // steps_per_cycle} "
            f"(the instrument holds {MAX_STEPS} steps), got {cycles!r}"
        )
    if first not in ("charge", "discharge"):
        raise BadRequest(f"first must be 'charge' or 'discharge', got {first!r}")
    if rest_s < 0:
        raise BadRequest(f"rest_s must not be negative, got {rest_s}")
    check_recording(record_dt_s, record_dE_V)
    if not math.isfinite(rest_s):
        raise BadRequest(f"rest_s must be finite, got {rest_s}")
    current = applied_current_mA(
        sample, current_mA=current_mA, current_mA_g=current_mA_g, c_rate=c_rate,
        one_c_mA_g=one_c_mA_g,
    )  # fmt: skip
    check_duration(cycles, current, sample, one_c_mA_g, rest_s)
    return current


# DEMS: the gas sampling of dems_cycling
MIN_BASELINE_SAMPLES = 3  # the rest must hold this many samples (the background)
SAMPLE_INTERVAL_RANGE_S = (1.0, 86400.0)
YEAR_S = HOURS_PER_YEAR * 3600.0


def check_dems_parameters(
    sample: Sample,
    *,
    rest_s: float,
    current_mA_g: float,
    v_min: float,
    v_max: float,
    cycles: int,
    sample_interval_s: float,
    record_dt_s: float = DEFAULT_RECORD_DT_S,
    record_dE_V: float = DEFAULT_RECORD_DE_V,
) -> float:
    """Check the parameters of :func:`dems_cycling`; return the current (mA). Pure."""
    lo, hi = SAMPLE_INTERVAL_RANGE_S
    if not (isinstance(sample_interval_s, (int, float)) and lo <= sample_interval_s <= hi):
        raise BadRequest(
            f"sample_interval_s must lie in [{lo:g}, {hi:g}] s, got {sample_interval_s!r}"
        )
    shortest_rest = MIN_BASELINE_SAMPLES * sample_interval_s
    if not (isinstance(rest_s, (int, float)) and shortest_rest <= rest_s <= YEAR_S):
        raise BadRequest(
            f"the rest before cycling ({rest_s!r} s) must hold at least "
            f"{MIN_BASELINE_SAMPLES} gas samples ({shortest_rest:g} s at this sampling "
            f"interval) and last at most a year ({YEAR_S:g} s): it gives the mass "
            "spectrometer's background"
        )
    if not (isinstance(cycles, int) and 1 <= cycles <= (MAX_STEPS - 1) // 2):
        raise BadRequest(
            f"cycles must be a whole number from 1 to {(MAX_STEPS - 1) // 2} (the instrument "
            f"holds {MAX_STEPS} steps, one of them the rest), got {cycles!r}"
        )
    return check_cycle_parameters(
        sample, v_min=v_min, v_max=v_max, cycles=cycles, current_mA_g=current_mA_g,
        record_dt_s=record_dt_s, record_dE_V=record_dE_V,
    )  # fmt: skip


# The states of ex situ electrodes ("pristine", "4.5V", "4.8V-2.0V"): prepare_ex_situ_electrodes
DISCHARGED_BELOW_V = 3.5  # a state cutoff at or below this is reached after a first cycle
PAPER_MATERIALS = ("lnmo", "lnro")  # their "<V>V" at or below 3.5 V means after a cycle
_RANGE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*V\s*-\s*(\d+(?:\.\d+)?)\s*V\s*")


def state_steps(state: str, material: str, v_max: float = 4.8) -> tuple[float, float] | None:
    """(charge cutoff V, discharge cutoff V or None) of a state: None for "pristine";
    "4.2V" -> (4.2, None), charged to it; "4.8V-2.0V" -> (4.8, 2.0), charged then discharged.
    For the paper's materials "2.0V" (at or below 3.5 V) keeps its meaning: v_max, then 2.0."""
    match = _RANGE.fullmatch(state)
    if match:
        high, low = (float(g) for g in match.groups())
        for value in (high, low):
            if not 1.0 <= value <= 5.0:
                raise BadRequest(f"state cutoff {value} V outside 1.0-5.0 V")
        if not low < high:
            raise BadRequest(f"state {state!r}: charge to Vmax, then discharge to a lower Vmin")
        return high, low
    cutoff = state_cutoff_V(state)
    if cutoff is None:
        return None
    if material in PAPER_MATERIALS and cutoff <= DISCHARGED_BELOW_V:
        return v_max, cutoff
    return cutoff, None


def state_cutoff_V(state: str) -> float | None:
    """The cutoff (V) of a state name: None for "pristine", 4.5 for "4.5V"."""
    if state == "pristine":
        return None
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*V\s*", state)
    if not match:
        raise BadRequest(
            f"unknown state {state!r}: use 'pristine', a cutoff like '4.5V' or '4.8V-2.0V'"
        )
    value = float(match.group(1))
    if not 1.0 <= value <= 5.0:
        raise BadRequest(f"state cutoff {value} V outside 1.0-5.0 V")
    return value
