"""Redox processes and cathode materials: the parameters of the cell model (``cell.py``).

A material is a set of redox processes (capacity, charge / discharge potentials and widths
of the sigmoidal occupancy, irreversible share), gas-evolving side reactions (``gas.py``)
and, for Li-rich oxides, the voltage fade of transition-metal migration: every full
reduction of the migration driver (oxidised lattice oxygen) moves ``migration_rate`` of
the still-layered sites to a spinel-like environment, whose discharge potentials lie
``migration_shift_V`` lower (Gu et al., ACS Nano 7, 760 (2013); Croy et al., Acc. Chem.
Res. 48, 2813 (2015)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .gas import GasReaction

F_MAH_PER_MOL = 96485.332 / 3.6  # mAh per mol of electrons: 26801.5
E_MIN_V, E_MAX_V = 0.5, 6.5  # equilibrium potentials the model can reach


def _sigmoid(e: float, e0: float, w: float) -> float:
    z = (e - e0) / w
    if z > 40:
        return 1.0
    if z < -40:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


def _solve_increasing(f, guess: float, step: float = 0.01) -> float:
    """Root of a non-decreasing f in [E_MIN_V, E_MAX_V], bracketed outward from guess
    (the ends if f keeps its sign)."""
    lo = hi = min(max(guess, E_MIN_V), E_MAX_V)
    f_lo = f_hi = f(lo)
    if f_lo == 0:
        return lo
    while f_hi < 0 and hi < E_MAX_V:
        lo, f_lo = hi, f_hi
        hi = min(hi + step, E_MAX_V)
        f_hi, step = f(hi), step * 3
    while f_lo > 0 and lo > E_MIN_V:
        hi, f_hi = lo, f_lo
        lo = max(lo - step, E_MIN_V)
        f_lo, step = f(lo), step * 3
    if f_hi <= 0:
        return hi
    if f_lo >= 0:
        return lo
    from scipy.optimize import brentq  # here: a command line's checks import this module

    return brentq(f, lo, hi, xtol=1e-7)


@dataclass(frozen=True)
class RedoxProcess:
    """One redox (or parasitic) process of the cathode.

    Parameters
    ----------
    name : what it stands for, e.g. "Ni2+/Ni3+".
    capacity_mAh_g : charge it can pass, per g of active material.
    e_charge_V, w_charge_V : potential and width of the charge (oxidation) branch.
    e_discharge_V, w_discharge_V : potential and width of the discharge branch.
    irreversible_fraction : share of first-time oxidation that never returns.
    e_activated_V, w_activated_V : charge branch for capacity charged before (None: same
        as the first charge).
    """

    name: str
    capacity_mAh_g: float
    e_charge_V: float
    w_charge_V: float
    e_discharge_V: float
    w_discharge_V: float
    irreversible_fraction: float = 0.0
    e_activated_V: float | None = None
    w_activated_V: float | None = None

    def __post_init__(self) -> None:
        if self.capacity_mAh_g <= 0:
            raise ValueError(f"{self.name}: capacity must be positive")
        if min(self.w_charge_V, self.w_discharge_V) <= 0:
            raise ValueError(f"{self.name}: widths must be positive")
        if not 0.0 <= self.irreversible_fraction <= 1.0:
            raise ValueError(f"{self.name}: irreversible_fraction must lie in [0, 1]")


@dataclass(frozen=True)
class CathodeMaterial:
    """The physics of one cathode material as the simulator sees it."""

    name: str
    formula: str
    processes: tuple[RedoxProcess, ...]
    pristine_ocv_V: float
    side_reactions: tuple[GasReaction, ...] = ()  # gas evolution (see gas.py)
    migration_driver: str | None = None  # process whose reduction drives TM migration
    migration_rate: float = 0.0  # share of layered sites migrated per full reduction
    migration_shift_V: float = 0.0  # discharge-potential shift of a fully migrated lattice
