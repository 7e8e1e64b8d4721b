"""The gas quantification on synthetic ion currents whose answer is known by construction."""

from __future__ import annotations

import numpy as np
import pytest

from operando.analysis.gas import (
    Calibration,
    gas_name,
    gas_rates,
    onset_potential,
    summarize_gas,
)

CHANNELS = (2, 16, 28, 32, 44)
# A per mol/s of each gas on each channel (CO2 fragments onto 28 and 16, O2 onto 16).
TABLE = {
    "h2": [0.1, 0, 0, 0, 0],
    "co": [0, 0.006, 0.3, 0, 0],
    "o2": [0, 0.06, 0, 0.28, 0],
    "co2": [0, 0.03, 0.036, 0, 0.36],
}
BACKGROUND = np.array([1e-12, 1.5e-13, 1.2e-12, 2e-13, 6e-14])


def configuration(table=TABLE):
    data = {"dems_channels": list(CHANNELS)}
    data.update({f"dems_calibration_{gas}": values for gas, values in table.items()})
    return {"dems": {"data": data}}


def test_gas_names_keep_their_chemical_case():
    assert [gas_name(k) for k in ("co2", "c2h4", "ar", "ch4", "o2")] == [
        "CO2", "C2H4", "Ar", "CH4", "O2",
    ]  # fmt: skip


def test_calibration_is_read_from_the_stream_configuration():
    cal = Calibration.from_configuration(configuration())
    assert cal.channels == CHANNELS
    assert cal.gases == ("H2", "CO", "O2", "CO2")
    assert cal.table.shape == (5, 4)
    with pytest.raises(ValueError, match="no configuration of 'dems'"):
        Calibration.from_configuration({})
    bad = {"dems": {"data": {"dems_channels": [2, 16], "dems_calibration_h2": [1, 0, 0]}}}
    with pytest.raises(ValueError, match="3 rows for 2 channels"):
        Calibration.from_configuration(bad)


def synthetic(flows: dict[str, np.ndarray], noise_A=2e-15, seed=1):
    """Ion currents (A) from molar flows (mol/s) through TABLE, plus background and noise."""
    rng = np.random.default_rng(seed)
    cal = Calibration.from_configuration(configuration())
    n = len(next(iter(flows.values())))
    f = np.column_stack([flows.get(g, np.zeros(n)) for g in cal.gases])
    currents = f @ cal.table.T + BACKGROUND + noise_A * rng.standard_normal((n, len(CHANNELS)))
    return {mz: currents[:, k] for k, mz in enumerate(CHANNELS)}


def test_overlapping_fragments_are_separated_and_integrated():
    n, dt = 400, 120.0
    t_end = 1e9 + dt * np.arange(1, n + 1)
    on = np.arange(n) >= 100  # the first 100 samples are the rest (background)
    co2 = np.where(on, 5e-11, 0.0)  # 3 nmol/min
    co = np.where(on, 1e-11, 0.0)  # shares m/z 28 with CO2
    o2 = np.where(np.arange(n) >= 300, 2e-10, 0.0)  # shares m/z 16 with CO2
    ion = synthetic({"CO2": co2, "CO": co, "O2": o2})
    rates = gas_rates(
        t_end, np.full(n, dt), ion, Calibration.from_configuration(configuration()), ~on
    )
    assert np.median(rates.rates["CO2"][on]) == pytest.approx(5e-11, rel=0.01)
    assert np.median(rates.rates["CO"][on]) == pytest.approx(1e-11, rel=0.02)
    assert np.median(rates.rates["O2"][300:]) == pytest.approx(2e-10, rel=0.01)
    # Amount over the window: 300 samples of 120 s at 5e-11 mol/s = 1.8 umol.
    assert rates.amount_umol("CO2", t_end[0] - dt, t_end[-1]) == pytest.approx(1.8, rel=0.01)
    # Half of one sample's interval inside the window counts half.
    half = rates.amount_umol("CO2", t_end[200] - dt / 2, t_end[200])
    assert half == pytest.approx(5e-11 * dt / 2 * 1e6, rel=0.05)
    assert 0 < rates.detection_limit["O2"] < 1e-13


def test_too_short_a_rest_is_refused():
    ion = synthetic({"CO2": np.zeros(10)})
    with pytest.raises(ValueError, match="at least 3 samples of the rest"):
        gas_rates(
            np.arange(10.0),
            np.ones(10),
            ion,
            Calibration.from_configuration(configuration()),
            np.arange(10) < 2,
        )


def test_onset_needs_the_rate_to_stay_above_the_limit():
    rates = np.array([0, 5, 0, 0, 2, 3, 4, 5, 6.0])  # a one-sample spike, then a real rise
    ewe = np.linspace(3.5, 4.3, rates.size)
    assert onset_potential(rates, 1.0, ewe, np.ones(rates.size, bool)) == pytest.approx(ewe[4])
    assert onset_potential(rates, 10.0, ewe, np.ones(rates.size, bool)) is None


def test_oxygen_balance_of_a_synthetic_first_cycle():
    """1 mg of Li1.2Ni0.2Mn0.6O2 (11.76 umol f.u.) losing 0.1176 umol O2 lost 1 % of its
    formula units' oxygen, and 4 e- per O2 carried 4 F n / m of capacity."""
    mass_mg, formula = 1.0, "Li1.2Ni0.2Mn0.6O2"
    t0 = 1e9
    # Rest 2 h, charge 10 h at 0.1 mA, discharge 8 h at -0.1 mA (points every 60 s).
    t = t0 + np.arange(0, 20 * 3600 + 1, 60.0)
    current = np.where(t < t0 + 2 * 3600, 0.0, np.where(t < t0 + 12 * 3600, 0.1, -0.1))
    ewe = np.interp(t - t0, [0, 7200, 43200, 72000], [3.0, 3.5, 4.8, 2.0])
    step = np.where(t < t0 + 2 * 3600, 1, np.where(t < t0 + 12 * 3600, 2, 3))
    primary = {"clock": t, "Ewe": ewe, "I": current, "step": step}
    dt = 120.0
    t_end = t0 + np.arange(dt, 20 * 3600 + 1, dt)
    mid = t_end - dt / 2
    o2 = np.where((mid > t0 + 8 * 3600) & (mid < t0 + 12 * 3600), 0.1176e-6 / (4 * 3600), 0.0)
    ion = synthetic({"O2": o2, "CO2": np.zeros(t_end.size), "H2": np.zeros(t_end.size)})
    dems = {"clock": t_end, "interval": np.full(t_end.size, dt)}
    dems.update({f"mz{mz}": v for mz, v in ion.items()})
    out = summarize_gas(
        primary, dems, Calibration.from_configuration(configuration()),
        active_mass_mg=mass_mg, formula=formula,
    )  # fmt: skip
    assert out["cycles"][0]["o2_umol"] == pytest.approx(0.1176, rel=0.01)
    assert out["lattice_o_loss_pct"] == pytest.approx(1.0, rel=0.01)
    expected = 4 * 96485.332 / 3.6 * 0.1176e-6 / 1e-3  # mAh/g
    assert out["o2_capacity_mAh_g"] == pytest.approx(expected, rel=0.01)
    assert out["irreversible_capacity_mAh_g"] == pytest.approx(1000 * 0.1 * (10 - 8), rel=0.01)
    # O2 starts at 8 h of the run, where Ewe = 3.5 + 1.3 * 6 / 10 V = 4.28 V.
    assert out["cycles"][0]["o2_onset_V"] == pytest.approx(4.28, abs=0.01)
    assert out["cycles"][0]["co2_onset_V"] is None
