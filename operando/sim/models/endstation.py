"""The X-ray instruments of the simulated beamline: monochromators, counters, a RIXS
spectrograph, sample holders, and the store of ex situ electrodes they share.

Positions of a sample holder: 0 is the in situ cell (the potentiostat's live cell);
1..``N_SLOTS`` are ex situ electrodes mounted from the potentiostat's cell (``mount``);
the hard X-ray holder also carries the Ru references at ``REFERENCE_POSITIONS``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ...instruments import N_SLOTS, RU_REFERENCES
from .xas_generic import foil_step, has_model, mass_mu
from .xray import (
    REFERENCES,
    ElectrodeState,
    rixs_spectrum,
    ru_foil_mu,
    ru_k_mu,
    soft_absorption,
)

# Holder position of each Ru reference compound (the key of its model in ``REFERENCES``).
REFERENCE_POSITIONS = {position: key for key, (position, _, _) in RU_REFERENCES.items()}
RIXS_EMISSION_EV = np.linspace(515.0, 530.0, 301)  # the spectrograph's energy axis
DETAILED = ("lnmo", "lnro")  # materials with the paper's detailed soft X-ray models
RU_K_REGION_EV = (21000.0, 24000.0)  # the detailed Ru K model (LNRO, Ru references)
AREAL_DENSITY_G_CM2 = 0.005  # electrode in the hard X-ray beam: mu t ~ 1-2 above a 3d K edge
SOFT_MU_SCALE_CM2_G = 1e4  # generic soft absorption: mass mu per unit of the yields' scale


class NoSample(LookupError):
    """Nothing is mounted where the beam is."""


@dataclass
class ElectrodeStore:
    """Ex situ electrodes by slot, each frozen in the state its cell left it in."""

    slots: dict[int, ElectrodeState] = field(default_factory=dict)

    def mount(self, slot: int, state: ElectrodeState) -> None:
        if not 1 <= slot <= N_SLOTS:
            raise ValueError(f"slot {slot} outside 1..{N_SLOTS}")
        self.slots[slot] = state


@dataclass
class MonochromatorModel:
    """Photon energy (eV) that moves at speed_eV_s of instrument time."""

    energy_eV: float
    low_eV: float
    high_eV: float
    speed_eV_s: float
    sweeping: bool = False  # a fly scan moves it (``flyscan.Sweep``)

    def check(self, target: float) -> None:
        if self.sweeping:
            raise ValueError("the monochromator is sweeping (a fly scan is under way)")
        if not self.low_eV <= target <= self.high_eV:
            raise ValueError(
                f"energy {target:g} eV outside the monochromator's range "
                f"[{self.low_eV:g}, {self.high_eV:g}] eV"
            )

    def move_time_s(self, target: float) -> float:
        return abs(target - self.energy_eV) / self.speed_eV_s


class Endstation:
    """One X-ray endstation: a monochromator, a holder position and counting with noise.

    ``kind`` "soft" (I0, TEY, FY, RIXS) or "hard" (I0, It, Iref transmission).
    """

    def __init__(self, kind: str, store: ElectrodeStore, live_cell, seed: int):
        self.kind = kind
        self.store = store
        self.live_cell = live_cell  # () -> the potentiostat's cell (or None)
        self.rng = np.random.default_rng(seed)
        if kind == "soft":
            self.mono = MonochromatorModel(530.0, 250.0, 1500.0, speed_eV_s=20.0)
            self.flux_per_s = 2e7  # I0 counts per s at 500 mA
        else:
            # A double-crystal Si(111)/Si(311) mono: Ti K (4.97 keV) to beyond Ru K.
            self.mono = MonochromatorModel(22100.0, 4000.0, 30000.0, speed_eV_s=50.0)
            self.flux_per_s = 5e8
        self.position = 1
        self.beam_current_mA = 500.0

    # --- what is in the beam -----------------------------------------------------------
    def sample(self) -> ElectrodeState:
        if self.position == 0:
            cell = self.live_cell()
            if cell is None:
                raise NoSample("no cell on the potentiostat at the in situ position")
            return ElectrodeState.of_cell("in situ cell", cell)
        if self.kind == "hard" and self.position in REFERENCE_POSITIONS:
            return REFERENCES[REFERENCE_POSITIONS[self.position]]
        if self.position not in self.store.slots:
            raise NoSample(f"slot {self.position} of the holder is empty")
        return self.store.slots[self.position]

    def sample_name(self) -> str:
        try:
            return self.sample().name
        except NoSample:
            return ""

    def check_position(self, position: int) -> None:
        if self.mono.sweeping:
            raise ValueError("the holder stays put while the monochromator sweeps")
        top = max(REFERENCE_POSITIONS) if self.kind == "hard" else N_SLOTS
        if not 0 <= position <= top:
            raise ValueError(f"holder position {position} outside 0..{top}")

    # --- counting ----------------------------------------------------------------------
    def _counts(self, expected: float) -> float:
        """Counts with Poisson noise (normal approximation for large numbers)."""
        if expected < 1e4:
            return float(self.rng.poisson(max(expected, 0.0)))
        return float(expected + math.sqrt(expected) * self.rng.standard_normal())

    def _i0(self, dwell_s: float) -> float:
        return self.flux_per_s * dwell_s * self.beam_current_mA / 500.0

    def _rates(self, e: np.ndarray, state: ElectrodeState) -> dict[str, np.ndarray]:
        """Expected signal per I0 count at energies e (eV): soft ("tey", "fy" per I0, the
        yields' absorption) or hard ("it" per I0, "iref" per It)."""
        if self.kind == "soft":
            if state.material in DETAILED or not has_model(state):
                tey = soft_absorption(e, state, "surface")
                fy = soft_absorption(e, state, "bulk")
            else:  # any other simulated material: the generic model, surface = bulk
                tey = fy = 0.05 + mass_mu(e, state) / SOFT_MU_SCALE_CM2_G
            return {"tey": 0.02 * tey, "fy": 0.005 * fy}
        ru_k = (e >= RU_K_REGION_EV[0]) & (e <= RU_K_REGION_EV[1])
        detailed = ru_k & (state.material in ("lnro", *REFERENCES))
        if not has_model(state):
            detailed = np.ones_like(ru_k)
        mu = np.empty_like(e)
        foil = np.empty_like(e)
        if detailed.any():
            ed = e[detailed]
            mu[detailed] = 0.25 + ru_k_mu(ed, state) - 2e-6 * (ed - 22000.0)
            foil[detailed] = ru_foil_mu(ed)
        if (~detailed).any():  # any element of a simulated material: the generic model
            eg = e[~detailed]
            mu[~detailed] = 0.1 + mass_mu(eg, state) * AREAL_DENSITY_G_CM2
            foil[~detailed] = foil_step(eg, state)
        it = np.exp(-mu) * 0.6  # 0.6: It chamber efficiency
        return {"it": it, "iref": np.exp(-(0.1 + 0.8 * foil)) * 0.9}

    def count(self, dwell_s: float) -> dict[str, float]:
        """One dwell of the counters at the present energy and sample."""
        e = np.array([self.mono.energy_eV])
        i0 = self._counts(self._i0(dwell_s))
        rates = {k: float(v[0]) for k, v in self._rates(e, self.sample()).items()}
        if self.kind == "soft":
            return {
                "i0": i0,
                "tey": self._counts(i0 * rates["tey"]),
                "fy": self._counts(i0 * rates["fy"] + 20.0 * dwell_s),
            }
        it = i0 * rates["it"]
        return {"i0": i0, "it": self._counts(it), "iref": self._counts(it * rates["iref"])}

    def _counts_many(self, expected: np.ndarray) -> np.ndarray:
        """Counts with Poisson noise, element by element (as ``_counts``)."""
        expected = np.clip(np.asarray(expected, float), 0.0, None)
        low = expected < 1e4
        out = expected + np.sqrt(expected) * self.rng.standard_normal(expected.size)
        if low.any():
            out[low] = self.rng.poisson(expected[low])
        return out

    def count_many(self, energies: np.ndarray, dwells: np.ndarray) -> dict[str, np.ndarray]:
        """The counters over a sweep: point k counted for dwells[k] (s) at energies[k] (eV),
        of the sample in the beam now. Same physics and noise as :meth:`count`."""
        e, d = np.asarray(energies, float), np.asarray(dwells, float)
        i0 = self._counts_many(self._i0(d))
        rates = self._rates(e, self.sample())
        if self.kind == "soft":
            return {
                "i0": i0,
                "tey": self._counts_many(i0 * rates["tey"]),
                "fy": self._counts_many(i0 * rates["fy"] + 20.0 * d),
            }
        it = i0 * rates["it"]
        iref = self._counts_many(it * rates["iref"])
        return {"i0": i0, "it": self._counts_many(it), "iref": iref}

    def rixs(self, exposure_s: float) -> tuple[np.ndarray, float]:
        """An emission spectrum (counts on RIXS_EMISSION_EV) and its I0 (counts)."""
        state = self.sample()
        i0 = self._counts(self._i0(exposure_s))
        rate = rixs_spectrum(self.mono.energy_eV, RIXS_EMISSION_EV, state)
        expected = i0 * 2e-5 * rate + 0.5 * exposure_s  # plus dark counts
        return self.rng.poisson(np.clip(expected, 0, None)).astype(float), i0
