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

    def check(self, target: float) -> None:
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
            self.mono = MonochromatorModel(22100.0, 20000.0, 25000.0, speed_eV_s=50.0)
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

    def count(self, dwell_s: float) -> dict[str, float]:
        """One dwell of the counters at the present energy and sample."""
        e = np.array([self.mono.energy_eV])
        i0 = self._counts(self._i0(dwell_s))
        state = self.sample()
        if self.kind == "soft":
            tey = float(soft_absorption(e, state, "surface")[0])
            fy = float(soft_absorption(e, state, "bulk")[0])
            return {
                "i0": i0,
                "tey": self._counts(i0 * 0.02 * tey),
                "fy": self._counts(i0 * 0.005 * fy + 20.0 * dwell_s),
            }
        mu = 0.25 + 1.0 * float(ru_k_mu(e, state)[0]) - 2e-6 * (e[0] - 22000.0)
        it = i0 * math.exp(-mu) * 0.6  # 0.6: It chamber efficiency
        iref = it * math.exp(-(0.1 + 0.8 * float(ru_foil_mu(e)[0]))) * 0.9
        return {"i0": i0, "it": self._counts(it), "iref": self._counts(iref)}

    def rixs(self, exposure_s: float) -> tuple[np.ndarray, float]:
        """An emission spectrum (counts on RIXS_EMISSION_EV) and its I0 (counts)."""
        state = self.sample()
        i0 = self._counts(self._i0(exposure_s))
        rate = rixs_spectrum(self.mono.energy_eV, RIXS_EMISSION_EV, state)
        expected = i0 * 2e-5 * rate + 0.5 * exposure_s  # plus dark counts
        return self.rng.poisson(np.clip(expected, 0, None)).astype(float), i0
