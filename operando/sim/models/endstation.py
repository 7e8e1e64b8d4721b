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
            if state.material in DETAILED or not has_model(state):
                tey = float(soft_absorption(e, state, "surface")[0])
                fy = float(soft_absorption(e, state, "bulk")[0])
            else:  # any other simulated material: the generic model, surface = bulk
                tey = fy = 0.05 + float(mass_mu(e, state)[0]) / SOFT_MU_SCALE_CM2_G
            return {
                "i0": i0,
                "tey": self._counts(i0 * 0.02 * tey),
                "fy": self._counts(i0 * 0.005 * fy + 20.0 * dwell_s),
            }
        ru_k = RU_K_REGION_EV[0] <= e[0] <= RU_K_REGION_EV[1]
        if (ru_k and state.material in ("lnro", *REFERENCES)) or not has_model(state):
            mu = 0.25 + 1.0 * float(ru_k_mu(e, state)[0]) - 2e-6 * (e[0] - 22000.0)
            foil = float(ru_foil_mu(e)[0])
        else:  # any element of a simulated material: the generic model
            mu = 0.1 + float(mass_mu(e, state)[0]) * AREAL_DENSITY_G_CM2
            foil = float(foil_step(e, state)[0])
        it = i0 * math.exp(-mu) * 0.6  # 0.6: It chamber efficiency
        iref = it * math.exp(-(0.1 + 0.8 * foil)) * 0.9
        return {"i0": i0, "it": self._counts(it), "iref": self._counts(iref)}

    def rixs(self, exposure_s: float) -> tuple[np.ndarray, float]:
        """An emission spectrum (counts on RIXS_EMISSION_EV) and its I0 (counts)."""
        state = self.sample()
        i0 = self._counts(self._i0(exposure_s))
        rate = rixs_spectrum(self.mono.energy_eV, RIXS_EMISSION_EV, state)
        expected = i0 * 2e-5 * rate + 0.5 * exposure_s  # plus dark counts
        return self.rng.poisson(np.clip(expected, 0, None)).astype(float), i0
