"""Differential electrochemical mass spectrometry: the cell's headspace and a quadrupole.

The gas the cell makes collects in the headspace of the (Swagelok) cell, under the carrier
gas. Every ``interval_s`` of instrument time a gas-chromatography valve sweeps the whole
headspace into the mass spectrometer and refills it with carrier gas to the base pressure.
The quadrupole integrates the ion current of each sample's pulse and reports it as the
mean ion current over the interval, so that ion current / sensitivity is the mean molar
flow of each gas out of the cell in that interval (mol/s).

Ion current at m/z: ``I(m/z) = sum_gas S_gas * pattern_gas(m/z) * flow_gas + background(m/z)``
plus noise, with ``S_gas`` the sensitivity at the gas's parent peak (A per mol/s),
``pattern_gas`` its electron-impact fragmentation (parent peak = 1; CO2 also gives m/z 28
and 16, O2 gives 16) and a residual-gas background per channel. The noise is Gaussian with
sigma = sqrt(floor^2 + (relative * I)^2): amplifier floor plus gain fluctuation.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

R_J_MOL_K = 8.314462618

MZ_CHANNELS = (2, 15, 16, 26, 28, 32, 40, 44)
GASES = ("H2", "CH4", "C2H4", "CO", "O2", "CO2", "Ar")

# Electron-impact (70 eV) fragmentation, relative to the parent peak, on the measured
# channels (NIST mass spectra, rounded).
FRAGMENTATION: dict[str, dict[int, float]] = {
    "H2": {2: 1.0},
    "CH4": {16: 1.0, 15: 0.89},
    "C2H4": {28: 1.0, 26: 0.53},
    "CO": {28: 1.0, 16: 0.02},
    "O2": {32: 1.0, 16: 0.22},
    "CO2": {44: 1.0, 28: 0.10, 16: 0.09},
    "Ar": {40: 1.0},
}

# Parent-peak sensitivity (A per mol/s): ionisation cross-section x transmission x gain.
SENSITIVITY_A_S_MOL: dict[str, float] = {
    "H2": 0.10,
    "CH4": 0.35,
    "C2H4": 0.40,
    "CO": 0.30,
    "O2": 0.28,
    "CO2": 0.36,
    "Ar": 0.33,
}

# Residual gas in the vacuum chamber (A): water and hydrogen, N2/CO, some O2 and CO2.
BACKGROUND_A: dict[int, float] = {
    2: 1.0e-12,
    15: 2.0e-14,
    16: 1.5e-13,
    26: 1.0e-14,
    28: 1.2e-12,
    32: 2.0e-13,
    40: 0.0,
    44: 6.0e-14,
}


@dataclass
class Headspace:
    """Gas above the cell: carrier at the base pressure plus what the cell has made."""

    volume_mL: float = 1.0
    temperature_K: float = 298.15
    base_pressure_mbar: float = 1013.25
    carrier: str = "Ar"
    gas_mol: dict[str, float] = field(default_factory=dict)

    @property
    def carrier_mol(self) -> float:
        return (
            self.base_pressure_mbar
            * 100.0
            * self.volume_mL
            * 1e-6
            / (R_J_MOL_K * self.temperature_K)
        )

    @property
    def pressure_mbar(self) -> float:
        evolved = sum(self.gas_mol.values())
        return self.base_pressure_mbar + evolved * R_J_MOL_K * self.temperature_K / (
            self.volume_mL * 1e-6 * 100.0
        )

    def add(self, gas_mol: dict[str, float]) -> None:
        for gas, n in gas_mol.items():
            self.gas_mol[gas] = self.gas_mol.get(gas, 0.0) + n

    def sweep(self) -> dict[str, float]:
        """Send everything in the headspace to the spectrometer; refill with carrier."""
        sample = {**self.gas_mol, self.carrier: self.carrier_mol}
        self.gas_mol = {}
        return sample


@dataclass
class Quadrupole:
    """Ion currents (A) per m/z channel from molar flows (mol/s), with background and noise."""

    sensitivity: dict[str, float] = field(default_factory=lambda: dict(SENSITIVITY_A_S_MOL))
    background: dict[int, float] = field(default_factory=lambda: dict(BACKGROUND_A))
    noise_floor_A: float = 5.0e-15
    noise_relative: float = 5.0e-4
    rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(2016))

    def ion_currents(self, flow_mol_s: dict[str, float]) -> dict[int, float]:
        out = {}
        for mz in MZ_CHANNELS:
            current = self.background[mz]
            for gas, flow in flow_mol_s.items():
                current += self.sensitivity[gas] * FRAGMENTATION[gas].get(mz, 0.0) * flow
            sigma = np.hypot(self.noise_floor_A, self.noise_relative * current)
            out[mz] = float(current + sigma * self.rng.standard_normal())
        return out


def factory_calibration(sensitivity: dict[str, float]) -> dict[str, list[float]]:
    """Ion current per molar flow (A per mol/s) of each gas on every channel."""
    return {
        gas: [sensitivity[gas] * FRAGMENTATION[gas].get(mz, 0.0) for mz in MZ_CHANNELS]
        for gas in GASES
    }


class SampleBuffer:
    """On-instrument record of samples: time, interval, pressure and an ion current per m/z."""

    def __init__(self) -> None:
        self.fields = ("ts", "interval", "pressure", *(f"mz{mz}" for mz in MZ_CHANNELS))
        self.clear(0.0)

    def clear(self, t0: float) -> None:
        self.t0 = t0
        self.columns = {name: array("d") for name in self.fields}

    def __len__(self) -> int:
        return len(self.columns["ts"])

    def append(self, row: dict[str, float]) -> None:
        for name in self.fields:
            self.columns[name].append(row[name])

    def page(self, start: int, size: int) -> dict[str, list[float]]:
        return {k: v[start : start + size].tolist() for k, v in self.columns.items()}


class MassSpectrometerModel:
    """The DEMS: headspace sampling every interval_s while acquiring, into a buffer.

    ``gas_source`` returns the gas the cell has made so far (umol per gas), or {} when no
    cell is connected; the model takes the difference between calls as what entered the
    headspace, spread evenly over the time between them.
    """

    def __init__(
        self,
        t0: float,
        gas_source: Callable[[], dict[str, float]],
        headspace: Headspace | None = None,
        quadrupole: Quadrupole | None = None,
    ):
        self.t = t0
        self.gas_source = gas_source
        self.headspace = headspace or Headspace()
        self.quadrupole = quadrupole or Quadrupole()
        self.interval_s = 120.0
        self.acquiring = False
        self.buffer = SampleBuffer()
        self.buffer.clear(t0)
        self.last_sample_t = t0
        self.last_ion_currents = self.quadrupole.ion_currents({})
        self._made = dict(gas_source())

    def factory_calibration(self) -> dict[str, list[float]]:
        """The calibration delivered with the instrument (A per mol/s, every channel)."""
        return factory_calibration(self.quadrupole.sensitivity)

    def start(self) -> None:
        """Purge the headspace, then sample every interval from now on."""
        self.headspace.sweep()
        self.acquiring = True
        self.last_sample_t = self.t

    def stop(self) -> None:
        self.acquiring = False

    def sample_now(self) -> None:
        """Take one sample at once (a manual injection): the gas since the last sample."""
        if self.t > self.last_sample_t:
            self._sample(self.t)

    def clear_buffer(self) -> None:
        self.buffer.clear(self.t)

    def cell_replaced(self) -> None:
        """A new cell: its gas counter starts from zero; the headspace is purged."""
        self._made = dict(self.gas_source())
        self.headspace.sweep()

    def advance(self, t_new: float) -> None:
        """Collect the gas made since the last call and take the samples that fall due."""
        if t_new <= self.t:
            return
        made = self.gas_source()
        new = {g: (n - self._made.get(g, 0.0)) * 1e-6 for g, n in made.items()}
        self._made = dict(made)
        span = t_new - self.t
        while self.acquiring and self.last_sample_t + self.interval_s <= t_new:
            t_sample = self.last_sample_t + self.interval_s
            share = (t_sample - self.t) / span
            self.headspace.add({g: n * share for g, n in new.items()})
            new = {g: n * (1 - share) for g, n in new.items()}
            span = t_new - t_sample
            self.t = t_sample
            self._sample(t_sample)
        self.headspace.add(new)
        self.t = t_new

    def _sample(self, t_sample: float) -> None:
        interval = t_sample - self.last_sample_t
        pressure = self.headspace.pressure_mbar
        flows = {g: n / interval for g, n in self.headspace.sweep().items()}
        currents = self.quadrupole.ion_currents(flows)
        self.last_ion_currents = currents
        self.last_sample_t = t_sample
        self.buffer.append(
            {
                "ts": t_sample,
                "interval": interval,
                "pressure": pressure,
                **{f"mz{mz}": value for mz, value in currents.items()},
            }
        )
