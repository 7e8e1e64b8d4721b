"""The operando DEMS protocol: rest, then galvanostatic cycling, with the gas sampled.

As in the lab notebook: assemble the cell in the DEMS cell, let it rest at open circuit for
6 h while the mass spectrometer's background settles, then cycle at 10 mA/g between 2.0 and
4.8 V, sampling the headspace throughout. One run holds both streams, ``primary``
(potentiostat) and ``dems`` (ion currents), on the same instrument clock.
"""

from __future__ import annotations

from bluesky.utils import MsgGenerator

from ..devices.dems import MassSpectrometer
from ..devices.potentiostat import Potentiostat
from ..errors import BadRequest
from ..instruments import MAX_STEPS
from ..sample import Sample
from .checks import check_temperature
from .electrochem import (
    DEFAULT_RECORD_DE_V,
    DEFAULT_RECORD_DT_S,
    HOURS_PER_YEAR,
    check_cycle_parameters,
    electrochem_run,
)
from .stubs import Step, plan

DEFAULT_REST_S = 6 * 3600.0
DEFAULT_CURRENT_MA_G = 10.0
DEFAULT_SAMPLE_INTERVAL_S = 120.0
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


@plan
def dems_cycling(
    pstat: Potentiostat,
    ms: MassSpectrometer,
    sample: Sample,
    *,
    rest_s: float = DEFAULT_REST_S,
    current_mA_g: float = DEFAULT_CURRENT_MA_G,
    v_min: float = 2.0,
    v_max: float = 4.8,
    cycles: int = 1,
    sample_interval_s: float = DEFAULT_SAMPLE_INTERVAL_S,
    record_dt_s: float = DEFAULT_RECORD_DT_S,
    record_dE_V: float = DEFAULT_RECORD_DE_V,
    temperature_C: float | None = None,
    md: dict | None = None,
) -> MsgGenerator[str]:
    """Rest at open circuit, then cycle galvanostatically, sampling the evolved gas.

    Parameters
    ----------
    pstat : the potentiostat channel with the DEMS cell.
    ms : the mass spectrometer sampling that cell's headspace.
    sample : the electrode (its mass and formula turn gas amounts into per-formula-unit
        numbers in the analysis).
    rest_s : open-circuit rest before the first charge (s, instrument time); the gas
        sampled during it is the background.
    current_mA_g : charge and discharge current per g of active material (mA/g).
    v_min, v_max : lower and upper cutoffs (V vs Li/Li+).
    cycles : number of charge + discharge cycles after the rest.
    sample_interval_s : time between headspace samples (s, instrument time).
    record_dt_s, record_dE_V : the potentiostat records a point every dt (s) or dE (V).
    temperature_C : cell temperature (C) set before the rest; None leaves it as it is.
    md : extra start metadata.

    Returns
    -------
    The instrument's end reason of the last step.
    """
    check_temperature(temperature_C)
    i = check_dems_parameters(
        sample, rest_s=rest_s, current_mA_g=current_mA_g, v_min=v_min, v_max=v_max,
        cycles=cycles, sample_interval_s=sample_interval_s, record_dt_s=record_dt_s,
        record_dE_V=record_dE_V,
    )  # fmt: skip
    params = {
        "rest_s": rest_s,
        "current_mA_g": current_mA_g,
        "current_mA": i,
        "v_min": v_min,
        "v_max": v_max,
        "cycles": cycles,
        "sample_interval_s": sample_interval_s,
        "record_dt_s": record_dt_s,
        "record_dE_V": record_dE_V,
        "temperature_C": temperature_C,
    }
    steps = [Step("OCV", duration_s=rest_s)]
    for _ in range(cycles):
        steps.append(Step("CC", current_mA=i, e_upper_V=v_max, e_lower_V=v_min))
        steps.append(Step("CC", current_mA=-i, e_upper_V=v_max, e_lower_V=v_min))

    return electrochem_run(
        pstat, sample, "dems_cycling", params, steps, currents_mA=(i,),
        voltages_V=(v_min, v_max), mass_spectrometer=ms, md=md,
    )  # fmt: skip
