"""Gas-evolving side reactions of a cell, as rate laws of potential, current and history.

A side reaction turns something at an electrode into gas molecules:

- on the cathode (``electrons`` > 0), an oxidation that takes its share of the current the
  potentiostat passes (at open circuit it discharges the cathode instead: self-discharge).
  Surface carbonate (2 Li2CO3 -> 4 Li+ + 4 e- + 2 CO2 + O2, the O2 singlet and lost to the
  electrolyte: 2 e- per CO2), electrolyte solvent oxidation (2 e- per CO2), and lattice oxygen
  leaving as O2 (2 O2- -> O2 + 4 e-);
- on the lithium counter electrode (``electrons`` = 0 as the cathode sees it), reduction of
  the electrolyte on freshly plated lithium while the cathode charges: H2, C2H4, CH4, CO.

The rate (reaction events, umol per g of active material per h) is

    r = k * exp((E - e_ref) / tafel) * supply * gate      driver "potential"
        (in series with a slow chemical step of rate r_max * supply, if given:
        1/r = 1/r_tafel + 1/r_max)
    r = k * (I / m) * supply                               driver "charging current"

with ``supply`` = 1 - extent / reservoir for a finite reactant consumed at its surface
(surface carbonate; ``depletion`` "first order"), or 1 until the reservoir is used up for a
reaction front that moves through it at its own pace (the densifying shell of near-surface
lattice oxygen: ``depletion`` "front"), 1 / (1 + extent / passivation) for a reaction slowed by the
surface film it builds (parabolic film growth), and ``gate`` = the oxidised share of a redox
process ("oxidised": reactive oxidised lattice oxygen at the surface), or its share oxidised
for the first time in this charge ("first oxidation": lattice oxygen that has not yet been
through activation), zero on discharge. I / m is the charging current in mA per g (zero on
discharge).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .kinetics import T_REF_K, arrhenius

DRIVERS = ("potential", "charging current")
GATES = ("oxidised", "first oxidation")
DEPLETIONS = ("first order", "front", "potential-limited")


@dataclass(frozen=True)
class GasReaction:
    """One gas-evolving side reaction.

    Parameters
    ----------
    name : what it stands for, e.g. "surface carbonate".
    products : (gas, molecules per reaction event) pairs, e.g. (("CO2", 1.0),).
    electrons : electrons the cathode gives up per event (0: counter-electrode reaction).
    rate_umol_g_h : k, events per g of active material per h at e_ref_V (driver
        "potential") or per mA/g of charging current (driver "charging current"), with a
        full supply.
    e_ref_V, tafel_V : potential of the reference rate and the potential step per e-fold.
    max_rate_umol_g_h : r_max, the rate of a slow step (decomposition, transport) in series
        with the electrochemical one, at a full supply; None for no such limit.
    reservoir_umol_g : finite supply of the reactant (events per g); None for unlimited.
    passivation_umol_g : extent at which a growing surface film has halved the rate.
    gated_by : name of a redox process whose oxidation the reaction needs.
    gate : "oxidised" (its oxidised share) or "first oxidation" (its share oxidised for
        the first time in this charge).
    activation_kJ_mol : activation energy of its rate constants (Arrhenius about 25 C);
        50 kJ/mol, the order of carbonate-electrolyte oxidation and interfacial reactions
        on charged oxides (cf. Jow et al., J. Electrochem. Soc. 165, A361 (2018)).
    depletion : how a finite reservoir runs out: "first order" (rate proportional to what
        is left), "front" (full rate until it is used up) or "potential-limited" (a
        self-limiting film: the extent it can reach at potential E is the reservoir times
        1 / (1 + exp(-(E - e_ref_V) / tafel_V)), approached at rate_umol_g_h per reservoir;
        field-assisted growth through a thin film, Cabrera & Mott, Rep. Prog. Phys. 12,
        163 (1949)).
    """

    name: str
    products: tuple[tuple[str, float], ...]
    electrons: float
    rate_umol_g_h: float
    driver: str = "potential"
    e_ref_V: float = 4.8
    tafel_V: float = 0.1
    max_rate_umol_g_h: float | None = None
    reservoir_umol_g: float | None = None
    passivation_umol_g: float | None = None
    gated_by: str | None = None
    gate: str = "oxidised"
    activation_kJ_mol: float = 50.0
    depletion: str = "first order"

    def __post_init__(self) -> None:
        if self.driver not in DRIVERS:
            raise ValueError(f"{self.name}: driver must be one of {DRIVERS}")
        if self.gate not in GATES:
            raise ValueError(f"{self.name}: gate must be one of {GATES}")
        if self.depletion not in DEPLETIONS:
            raise ValueError(f"{self.name}: depletion must be one of {DEPLETIONS}")
        if self.rate_umol_g_h < 0 or self.electrons < 0 or self.tafel_V <= 0:
            raise ValueError(f"{self.name}: rate and electrons >= 0, tafel > 0")
        for limit in (self.reservoir_umol_g, self.passivation_umol_g):
            if limit is not None and limit <= 0:
                raise ValueError(f"{self.name}: reservoir and passivation must be positive")

    def rate(
        self,
        e_V: float,
        current_mA_g: float,
        extent_umol_g: float,
        gate: float,
        temperature_K: float = T_REF_K,
    ) -> float:
        """Events per g per h now, at potential e_V, current current_mA_g (mA/g) and
        temperature_K (every rate constant follows Arrhenius with activation_kJ_mol)."""
        speed = 1.0
        if temperature_K != T_REF_K:
            speed = arrhenius(1.0, self.activation_kJ_mol, temperature_K)
        if self.driver == "potential":
            z = min((e_V - self.e_ref_V) / self.tafel_V, 50.0)
            r = self.rate_umol_g_h * speed * math.exp(z) * gate
            if self.max_rate_umol_g_h is not None:
                r_max = self.max_rate_umol_g_h * speed
                r = r * r_max / (r + r_max)
        else:
            r = self.rate_umol_g_h * speed * max(current_mA_g, 0.0)
        if self.reservoir_umol_g is not None:
            left = max(0.0, 1.0 - extent_umol_g / self.reservoir_umol_g)
            r *= left if self.depletion == "first order" else float(left > 0.0)
        if self.passivation_umol_g is not None:
            r /= 1.0 + extent_umol_g / self.passivation_umol_g
        return r

    def step(
        self,
        e_V: float,
        current_mA_g: float,
        extent_umol_g: float,
        gate: float,
        h_s: float,
        temperature_K: float = T_REF_K,
    ) -> float:
        """Events (umol/g) made in h_s seconds at potential e_V (never beyond the reservoir;
        a potential-limited film relaxes exactly towards its limit at e_V)."""
        if self.depletion == "potential-limited" and self.reservoir_umol_g is not None:
            z = max(min((e_V - self.e_ref_V) / self.tafel_V, 50.0), -50.0)
            target = self.reservoir_umol_g / (1.0 + math.exp(-z)) * (gate if gate < 1 else 1)
            if target <= extent_umol_g:
                return 0.0
            speed = arrhenius(1.0, self.activation_kJ_mol, temperature_K)
            k = self.rate_umol_g_h * speed / self.reservoir_umol_g / 3600.0  # 1/s
            return (target - extent_umol_g) * -math.expm1(-k * h_s)
        r = self.rate(e_V, current_mA_g, extent_umol_g, gate, temperature_K)
        return self.clamp(extent_umol_g + r * h_s / 3600.0) - extent_umol_g

    def clamp(self, extent_umol_g: float) -> float:
        """The extent, never beyond the reservoir."""
        if self.reservoir_umol_g is None:
            return extent_umol_g
        return min(extent_umol_g, self.reservoir_umol_g)
