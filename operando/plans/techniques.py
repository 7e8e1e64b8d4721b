"""Techniques that probe a cell's transport: cyclic voltammetry, GITT and potentiostatic EIS.

Each is one run composed like the other electrochemistry protocols (``stubs.safe_run``:
compliance checked first, the cell configured, the circuit opened however the run ends);
the checks are pure functions the command line calls before anything starts.

- Cyclic voltammetry: linear potential sweeps (the instrument's SWEEP steps) from the
  open-circuit potential up to v_max, down to v_min, n times; points in ``primary``.
- GITT: current pulses (CC, pulse_s each) separated by open-circuit rests (OCV, rest_s),
  until a pulse reaches the upper cutoff (then its rest is the last); points in ``primary``.
- EIS: a potentiostatic hold at the state of charge asked for, a rest, then one impedance
  spectrum of the idle channel about its open-circuit potential into the ``eis`` stream.
"""

from __future__ import annotations

import math

import bluesky.plan_stubs as bps
from bluesky.utils import MsgGenerator

from ..devices.impedance import ImpedanceAnalyzer
from ..devices.potentiostat import Potentiostat
from ..errors import BadRequest
from ..instruments import EIS_F_RANGE_HZ, MAX_STEPS
from ..sample import Sample
from .checks import (
    applied_current_mA,
    check_cutoffs,
    check_positive,
    check_sample,
    check_temperature,
)
from .electrochem import electrochem_run
from .stubs import ONE_C_MA_G, Step, clear_buffer, plan, run_procedure, safe_run

MAX_CV_CYCLES = MAX_STEPS // 2
MAX_GITT_PULSES = (MAX_STEPS - 1) // 2  # after a first rest
EIS_MAX_POINTS = 200


def check_cv_parameters(
    sample: Sample, *, v_min: float, v_max: float, scan_rate_mV_s: float, cycles: int,
    record_dE_V: float,
) -> None:  # fmt: skip
    """Refuse a voltammogram that cannot run: cutoffs (V), scan rate (mV/s), cycles."""
    check_sample(sample)
    check_positive("v_min", v_min, "V")
    check_cutoffs(v_min, v_max)
    check_positive("scan_rate_mV_s", scan_rate_mV_s, "mV/s")
    check_positive("record_dE_V", record_dE_V, "V")
    if not (isinstance(cycles, int) and 1 <= cycles <= MAX_CV_CYCLES):
        raise BadRequest(f"cycles must be an integer from 1 to {MAX_CV_CYCLES}, got {cycles!r}")


def check_gitt_parameters(
    sample: Sample, *, pulse_c_rate: float, pulse_s: float, rest_s: float, v_max: float,
    pulses: int, one_c_mA_g: float,
) -> float:  # fmt: skip
    """Refuse a GITT that cannot run; returns the pulse current (mA)."""
    check_sample(sample)
    check_positive("pulse_s", pulse_s, "s")
    check_positive("rest_s", rest_s, "s")
    check_positive("v_max", v_max, "V")
    if not (isinstance(pulses, int) and 1 <= pulses <= MAX_GITT_PULSES):
        raise BadRequest(f"pulses must be an integer from 1 to {MAX_GITT_PULSES}, got {pulses!r}")
    return applied_current_mA(sample, c_rate=pulse_c_rate, one_c_mA_g=one_c_mA_g)


def gitt_pulses(pulse_c_rate: float, pulse_s: float) -> int:
    """Pulses that pass the material's nominal capacity (plus 10 %), at most 31."""
    per_pulse = pulse_c_rate * pulse_s / 3600.0  # share of 1C capacity per pulse
    return max(1, min(MAX_GITT_PULSES, math.ceil(1.1 / per_pulse)))


def check_eis_parameters(
    sample: Sample, *, state_V: float, f_min_Hz: float, f_max_Hz: float, per_decade: int,
    hold_s: float, rest_s: float,
) -> None:  # fmt: skip
    """Refuse an impedance measurement that cannot run: potential (V), frequencies (Hz)."""
    check_sample(sample)
    check_positive("state_V", state_V, "V")
    check_positive("f_min_Hz", f_min_Hz, "Hz")
    check_positive("f_max_Hz", f_max_Hz, "Hz")
    lo, hi = EIS_F_RANGE_HZ
    if not lo <= f_min_Hz < f_max_Hz <= hi:
        raise BadRequest(
            f"frequencies must satisfy {lo:g} <= f_min < f_max <= {hi:g} Hz, got "
            f"f_min {f_min_Hz:g}, f_max {f_max_Hz:g}"
        )
    if not (isinstance(per_decade, int) and per_decade >= 1):
        raise BadRequest(f"per_decade must be a positive integer, got {per_decade!r}")
    n = round(math.log10(f_max_Hz / f_min_Hz) * per_decade) + 1
    if n > EIS_MAX_POINTS:
        raise BadRequest(f"{n} frequencies asked; a spectrum holds at most {EIS_MAX_POINTS}")
    check_positive("hold_s", hold_s, "s")
    check_positive("rest_s", rest_s, "s")


@plan
def cyclic_voltammetry(
    pstat: Potentiostat,
    sample: Sample,
    *,
    v_min: float,
    v_max: float,
    scan_rate_mV_s: float,
    cycles: int = 1,
    record_dE_V: float = 0.005,
    temperature_C: float | None = None,
    md: dict | None = None,
) -> MsgGenerator[str]:
    """Sweep the potential from open circuit up to v_max and down to v_min (V), cycles
    times, at scan_rate_mV_s (mV/s); a point every record_dE_V (V) of the sweep."""
    check_cv_parameters(
        sample, v_min=v_min, v_max=v_max, scan_rate_mV_s=scan_rate_mV_s, cycles=cycles,
        record_dE_V=record_dE_V,
    )  # fmt: skip
    check_temperature(temperature_C)
    step_s = record_dE_V / (scan_rate_mV_s * 1e-3)
    params = {
        "v_min": v_min, "v_max": v_max, "scan_rate_mV_s": scan_rate_mV_s, "cycles": cycles,
        "record_dt_s": 10 * step_s, "record_dE_V": record_dE_V, "temperature_C": temperature_C,
    }  # fmt: skip
    steps = []
    for _ in range(cycles):
        for vertex in (v_max, v_min):
            steps.append(Step("SWEEP", voltage_V=vertex, scan_rate_mV_s=scan_rate_mV_s))
    return electrochem_run(
        pstat, sample, "cyclic_voltammetry", params, steps, voltages_V=(v_min, v_max), md=md
    )


@plan
def gitt(
    pstat: Potentiostat,
    sample: Sample,
    *,
    pulse_c_rate: float,
    pulse_s: float,
    rest_s: float,
    v_max: float,
    pulses: int | None = None,
    one_c_mA_g: float = ONE_C_MA_G,
    temperature_C: float | None = None,
    md: dict | None = None,
) -> MsgGenerator[str]:
    """Galvanostatic intermittent titration on charge: pulses of pulse_c_rate (1/h, 1C =
    one_c_mA_g mA/g) for pulse_s (s), each followed by an open-circuit rest of rest_s (s),
    until a pulse reaches v_max (V): its rest is the titration's last; pulses None: enough
    for the nominal capacity (<= 31). A first rest gives the rested potential before the
    first pulse. One procedure on the instrument: a pulse that ends on the cutoff jumps to
    the procedure's last step (a rest of rest_s), with no computer in the loop."""
    pulses = gitt_pulses(pulse_c_rate, pulse_s) if pulses is None else pulses
    i = check_gitt_parameters(
        sample, pulse_c_rate=pulse_c_rate, pulse_s=pulse_s, rest_s=rest_s, v_max=v_max,
        pulses=pulses, one_c_mA_g=one_c_mA_g,
    )  # fmt: skip
    check_temperature(temperature_C)
    record_dt_s = pulse_s / 20.0
    params = {
        "pulse_c_rate": pulse_c_rate, "pulse_s": pulse_s, "rest_s": rest_s, "v_max": v_max,
        "pulses": pulses, "current_mA": i, "one_c_mA_g": one_c_mA_g, "record_dt_s": record_dt_s,
        "record_dE_V": 0.005, "temperature_C": temperature_C,
    }  # fmt: skip
    e_lower = min(0.5, v_max / 2)  # a guard rail only
    last = 2 * pulses  # the rest after the last pulse; a pulse cut by v_max jumps to it
    steps = [Step("OCV", duration_s=rest_s)]  # the rested potential before the first pulse
    for n in range(pulses):
        goto = last if n < pulses - 1 else 0
        steps.append(Step("CC", current_mA=i, e_upper_V=v_max, e_lower_V=e_lower,
                          duration_s=pulse_s, cutoff_goto=goto))  # fmt: skip
        steps.append(Step("OCV", duration_s=rest_s))
    return electrochem_run(
        pstat, sample, "gitt", params, steps, currents_mA=(i,), voltages_V=(e_lower, v_max),
        md=md,
    )  # fmt: skip


@plan
def eis(
    pstat: Potentiostat,
    analyzer: ImpedanceAnalyzer,
    sample: Sample,
    *,
    state_V: float,
    f_min_Hz: float,
    f_max_Hz: float,
    per_decade: int = 8,
    hold_s: float = 4 * 3600.0,
    rest_s: float = 600.0,
    one_c_mA_g: float = ONE_C_MA_G,
    temperature_C: float | None = None,
    md: dict | None = None,
) -> MsgGenerator[str]:
    """Bring the cell to state_V (V) by a potentiostatic hold (hold_s, s, ending early once
    the current falls to C/100, 1C = one_c_mA_g mA/g), rest rest_s (s) at open circuit, then
    measure one impedance spectrum from f_max_Hz down to f_min_Hz (Hz), per_decade points
    per decade, into the ``eis`` stream; the hold and rest are in ``primary``."""
    check_eis_parameters(
        sample, state_V=state_V, f_min_Hz=f_min_Hz, f_max_Hz=f_max_Hz, per_decade=per_decade,
        hold_s=hold_s, rest_s=rest_s,
    )  # fmt: skip
    check_temperature(temperature_C)
    floor = applied_current_mA(sample, c_rate=0.01, one_c_mA_g=one_c_mA_g)
    params = {
        "state_V": state_V, "f_min_Hz": f_min_Hz, "f_max_Hz": f_max_Hz,
        "per_decade": per_decade, "hold_s": hold_s, "rest_s": rest_s,
        "current_floor_mA": floor, "record_dt_s": 60.0, "record_dE_V": 0.005,
        "temperature_C": temperature_C,
    }  # fmt: skip
    steps = [
        Step("CV", voltage_V=state_V, duration_s=hold_s, current_floor_mA=floor),
        Step("OCV", duration_s=rest_s),
    ]
    _md = {
        "sample": sample.as_metadata(),
        "protocol": {"name": "eis", "parameters": params},
        "plan_name": "eis",
        **(md or {}),
    }

    def measure() -> MsgGenerator[str]:
        if temperature_C is not None:
            yield from bps.mv(pstat.temperature, temperature_C)
        yield from clear_buffer(pstat)
        reason = yield from run_procedure(pstat, steps, record_dt_s=60.0, record_dE_V=0.005)
        yield from bps.mv(analyzer.f_min, f_min_Hz, analyzer.f_max, f_max_Hz,
                          analyzer.per_decade, per_decade)  # fmt: skip
        yield from bps.trigger_and_read([analyzer], name="eis")
        return reason

    return safe_run(pstat, sample, measure(), _md, voltages_V=(state_V,))
