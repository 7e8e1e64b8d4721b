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
from ..sample import Sample
from .checks import (  # noqa: F401  (check_dems_parameters is part of this module's API)
    DEFAULT_RECORD_DE_V,
    DEFAULT_RECORD_DT_S,
    check_dems_parameters,
    check_temperature,
)
from .electrochem import electrochem_run
from .stubs import Step, plan

DEFAULT_REST_S = 6 * 3600.0
DEFAULT_CURRENT_MA_G = 10.0
DEFAULT_SAMPLE_INTERVAL_S = 120.0


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
