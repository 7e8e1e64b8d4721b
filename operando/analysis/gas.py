"""DEMS quantification: ion currents to gas evolution rates and amounts, per cycle.

Pure functions over arrays. Inputs are what a run stores: the ``dems`` stream (instrument
time of each sample, the interval its gas accumulated over, an ion current per m/z in A),
the calibration table recorded as the stream's configuration (A per mol/s of each gas on
each channel), and the ``primary`` stream of the potentiostat on the same instrument clock.

- Background: each channel's median during the open-circuit rest before the first current.
- Rates: weighted least squares of the background-corrected ion currents on the calibration
  table (overlapping fragments such as CO2 and CO at m/z 28 or O2 and CO2 at m/z 16 are
  separated by the fit), weights 1/noise of each channel during the rest.
- Detection limit of a gas: three times the scatter of its rate during the rest.
- Amount in a time window: sum of rate x the part of each sample's interval inside it.
- Onset potential: Ewe at the middle of the first charge sample from which the rate stays
  above the detection limit for ``persist`` samples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..sample import molar_mass
from .electrochem import FARADAY_MAH_PER_MOL, pair_cycles, split_half_cycles

NMOL_MIN_PER_MOL_S = 1e9 * 60.0


_TWO_LETTER_GAS_ELEMENTS = ("ar", "he", "ne", "kr", "xe")


def gas_name(key_suffix: str) -> str:
    """A gas formula from a lower-case configuration key, in its usual case: co2 -> CO2,
    c2h4 -> C2H4, ar -> Ar (the elements of permanent gases: one letter or a noble gas)."""
    pattern = "|".join(_TWO_LETTER_GAS_ELEMENTS) + "|[a-z]"
    return re.sub(pattern, lambda m: m[0].title(), key_suffix.lower())


@dataclass(frozen=True)
class Calibration:
    """Ion current per molar flow (A per mol/s): ``table[channel, gas]``."""

    channels: tuple[int, ...]  # m/z
    gases: tuple[str, ...]
    table: np.ndarray

    @classmethod
    def from_configuration(cls, configuration: dict, device: str = "dems") -> Calibration:
        """Read the table from a descriptor's configuration of the mass spectrometer."""
        try:
            data = configuration[device]["data"]
        except KeyError:
            raise ValueError(f"the dems stream has no configuration of {device!r}") from None
        prefix = f"{device}_calibration_"
        gases = tuple(k[len(prefix) :] for k in data if k.startswith(prefix))
        if not gases:
            raise ValueError(f"no calibration ({prefix}*) in the {device} configuration")
        channels = tuple(int(c) for c in np.asarray(data[f"{device}_channels"]).ravel())
        table = np.column_stack([np.asarray(data[prefix + g], float) for g in gases])
        if table.shape[0] != len(channels):
            raise ValueError(
                f"the calibration has {table.shape[0]} rows for {len(channels)} channels"
            )
        return cls(channels, tuple(gas_name(g) for g in gases), table)


@dataclass(frozen=True)
class GasRates:
    """Evolution rates of each gas at each sample."""

    t_end: np.ndarray  # instrument time at the end of each sample's interval (s)
    interval: np.ndarray  # s
    rates: dict[str, np.ndarray]  # mol/s
    detection_limit: dict[str, float]  # mol/s

    @property
    def t_mid(self) -> np.ndarray:
        return self.t_end - 0.5 * self.interval

    def nmol_min(self, gas: str) -> np.ndarray:
        return self.rates[gas] * NMOL_MIN_PER_MOL_S

    def amount_umol(self, gas: str, t0: float, t1: float) -> float:
        """Gas evolved between instrument times t0 and t1 (umol)."""
        start = self.t_end - self.interval
        overlap = np.clip(np.minimum(self.t_end, t1) - np.maximum(start, t0), 0.0, None)
        return float(np.sum(self.rates[gas] * overlap) * 1e6)


def gas_rates(
    t_end: np.ndarray,
    interval: np.ndarray,
    ion_currents: dict[int, np.ndarray],
    calibration: Calibration,
    baseline: np.ndarray,
) -> GasRates:
    """Evolution rates (mol/s) of every calibrated gas from ion currents (A) per m/z.

    baseline : boolean mask of the samples taken before any current flowed.
    """
    baseline = np.asarray(baseline, bool)
    if baseline.sum() < 3:
        raise ValueError(
            "gas quantification needs at least 3 samples of the rest before the first "
            "current (the background of each channel)"
        )
    currents = np.column_stack([np.asarray(ion_currents[mz], float) for mz in calibration.channels])
    background = np.median(currents[baseline], axis=0)
    corrected = currents - background
    # Noise of each channel from its scatter during the rest (median absolute deviation).
    noise = 1.4826 * np.median(np.abs(corrected[baseline]), axis=0)
    positive = noise[noise > 0]
    noise = np.where(noise > 0, noise, positive.min() if positive.size else 1.0)
    design = calibration.table / noise[:, None]
    solution, *_ = np.linalg.lstsq(design, (corrected / noise).T, rcond=None)
    rates = {gas: solution[k] for k, gas in enumerate(calibration.gases)}
    limits = {
        gas: 3.0 * 1.4826 * float(np.median(np.abs(r[baseline] - np.median(r[baseline]))))
        for gas, r in rates.items()
    }
    return GasRates(np.asarray(t_end, float), np.asarray(interval, float), rates, limits)


def onset_potential(
    rates: np.ndarray, limit: float, ewe: np.ndarray, in_charge: np.ndarray, persist: int = 3
) -> float | None:
    """Ewe (V) at the first charge sample from which the rate stays above limit for
    persist samples; None if it never does (below detection)."""
    idx = np.flatnonzero(in_charge)
    above = rates[idx] > limit
    for k in range(len(idx) - persist + 1):
        if above[k : k + persist].all():
            return float(ewe[idx[k]])
    return None


def summarize_gas(
    primary: dict[str, np.ndarray],
    dems: dict[str, np.ndarray],
    calibration: Calibration,
    *,
    active_mass_mg: float,
    formula: str,
    electrons_per_o2: float = 4.0,
    gases: tuple[str, ...] = ("O2", "CO2", "H2"),
) -> dict:
    """Gas evolution per cycle and the first cycle's oxygen balance.

    primary : potentiostat columns ``clock`` (instrument clock, s), ``Ewe`` (V), ``I`` (mA),
        ``step``. dems : ``clock`` (end of each sample, s), ``interval`` (s) and ``mz<N>``
        ion currents (A).

    Returns per cycle (``cycles``): amount of each gas (umol), onset potential on charge
    (V; None below detection), peak rate (nmol/min); for the first cycle: lattice oxygen
    lost (% of formula units), the capacity O2 release carried at electrons_per_o2
    (mAh/g), the irreversible capacity (mAh/g) and O2's share of it (%); the detection
    limits (nmol/min).
    """
    if active_mass_mg <= 0:
        raise ValueError(f"active mass must be positive, got {active_mass_mg} mg")
    time = np.asarray(primary["clock"], float)
    current = np.asarray(primary["I"], float)
    if not np.any(current != 0):
        raise ValueError("no current flowed in this run: nothing to relate the gas to")
    t_first_current = float(time[np.argmax(current != 0)])
    t_end = np.asarray(dems["clock"], float)
    interval = np.asarray(dems["interval"], float)
    ion = {mz: dems[f"mz{mz}"] for mz in calibration.channels}
    rates = gas_rates(t_end, interval, ion, calibration, baseline=t_end <= t_first_current)
    ewe_at = np.interp(rates.t_mid, time, np.asarray(primary["Ewe"], float))

    mass_g = active_mass_mg * 1e-3
    half_cycles = split_half_cycles(time, primary["Ewe"], current, primary.get("step"))
    cycles = []
    for charge, discharge in pair_cycles(half_cycles):
        first = charge if charge is not None else discharge
        last = discharge if discharge is not None else charge
        t0, t1 = float(first.t_s[0]), float(last.t_s[-1])
        in_cycle = (rates.t_mid >= t0) & (rates.t_mid <= t1)
        in_charge = np.zeros_like(in_cycle)
        if charge is not None:
            in_charge = (rates.t_mid >= charge.t_s[0]) & (rates.t_mid <= charge.t_s[-1])
        entry: dict = {
            "charge_capacity_mAh_g": charge.capacity_mAh / mass_g if charge else None,
            "discharge_capacity_mAh_g": discharge.capacity_mAh / mass_g if discharge else None,
        }
        for gas in gases:
            key = gas.lower()
            if gas not in rates.rates:
                raise ValueError(f"the calibration has no {gas}; it covers {calibration.gases}")
            r = rates.rates[gas]
            entry[f"{key}_umol"] = rates.amount_umol(gas, t0, t1)
            entry[f"{key}_onset_V"] = onset_potential(
                r, rates.detection_limit[gas], ewe_at, in_charge
            )
            entry[f"{key}_max_rate_nmol_min"] = (
                float(np.max(r[in_cycle]) * NMOL_MIN_PER_MOL_S) if in_cycle.any() else None
            )
        cycles.append(entry)

    out: dict = {
        "cycles": [
            {k: v for k, v in c.items() if not k.endswith("capacity_mAh_g")} for c in cycles
        ],
        "detection_limits_nmol_min": {
            g.lower(): rates.detection_limit[g] * NMOL_MIN_PER_MOL_S for g in gases
        },
    }
    if cycles and "o2_umol" in cycles[0]:
        first = cycles[0]
        n_fu_umol = mass_g / molar_mass(formula) * 1e6
        o2_capacity = electrons_per_o2 * FARADAY_MAH_PER_MOL * first["o2_umol"] * 1e-6 / mass_g
        ch, dis = first["charge_capacity_mAh_g"], first["discharge_capacity_mAh_g"]
        irreversible = ch - dis if ch is not None and dis is not None else None
        out.update(
            lattice_o_loss_pct=100.0 * first["o2_umol"] / n_fu_umol,
            o2_capacity_mAh_g=o2_capacity,
            irreversible_capacity_mAh_g=irreversible,
            o2_share_of_irreversible_pct=(
                100.0 * o2_capacity / irreversible if irreversible else None
            ),
            electrons_per_o2=electrons_per_o2,
        )
    return out
