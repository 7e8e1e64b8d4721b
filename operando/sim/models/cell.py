"""A lithium-ion cathode half-cell as a set of redox processes with hysteresis.

Each redox process holds a capacity (mAh per g of active material) and a state ``x``, the
fraction of it that is oxidised (delithiated). At equilibrium a process follows a
sigmoidal occupancy around its potential, the Nernst form broadened by a width ``w``:
``f(E) = 1 / (1 + exp(-(E - E0) / w))``. The charge and discharge branches have their own
potential and width (voltage hysteresis, as in Li-rich oxides whose oxygen redox charges
at a 4.5 V plateau and discharges over a broad range near 3.3 V). A process is a "play"
operator: on charge ``x`` can only grow, on discharge only shrink. On discharge the
reducible part of each process empties along its discharge sigmoid, scaled to start from
where the charge left it, so the potential is continuous when the current reverses.

``irreversible_fraction`` is the share of newly oxidised capacity that never comes back on
discharge (oxygen lost as O2, electrolyte oxidised, Li that cannot return). A process may
also have an "activated" charge branch used to re-charge capacity it has held before (after
the first-cycle oxygen activation LNMO no longer shows its 4.55 V plateau).

The electrode potential under a current I (mA) is ``E = E_eq + I R + b asinh(I / I0)``,
R from the area-specific resistance and I0 from a mass-specific exchange current.

Gas-evolving side reactions (``gas.py``) run beside the redox processes: the ones on the
cathode take their share of the current (the rest charges the redox processes), and the cell
keeps the gas they have made, which the simulated DEMS headspace collects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from scipy.optimize import brentq

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
    asr_ohm_cm2: float  # area-specific ohmic + contact resistance
    exchange_current_mA_g: float  # mass-specific exchange current of charge transfer
    tafel_V: float = 0.025  # RT/(alpha F): slope of the asinh charge-transfer term
    side_reactions: tuple[GasReaction, ...] = ()  # gas evolution (see gas.py)


@dataclass
class _ProcessState:
    x: float = 0.0  # oxidised fraction now
    anchor: float = 0.0  # x when the current last changed direction
    x_max: float = 0.0  # highest x ever reached (capacity charged before)
    locked: float = 0.0  # irreversibly oxidised fraction
    x_max_before: float = 0.0  # x_max when the present charge began


@dataclass
class Cell:
    """A cathode half-cell against Li metal: a material, its mass and electrode area.

    State is advanced by :meth:`advance` (a current for a time) and read through
    :meth:`voltage`. Charge ``q_mAh`` (passed through the external circuit) counts positive
    on oxidation (charge).
    """

    material: CathodeMaterial
    active_mass_mg: float
    area_cm2: float
    states: list[_ProcessState] = field(default_factory=list)
    charging: bool = True
    q_mAh: float = 0.0
    e_eq_V: float = 0.0
    _e_reversal: float = 0.0  # equilibrium potential when the current last changed sign
    extents: list[float] = field(default_factory=list)  # side reaction events, umol/g
    gas_umol: dict[str, float] = field(default_factory=dict)  # gas made so far, umol

    def __post_init__(self) -> None:
        if self.active_mass_mg <= 0 or self.area_cm2 <= 0:
            raise ValueError("active mass and area must be positive")
        self.states = [_ProcessState() for _ in self.material.processes]
        self.e_eq_V = self.material.pristine_ocv_V
        self.extents = [0.0 for _ in self.material.side_reactions]
        self.gas_umol = {gas: 0.0 for r in self.material.side_reactions for gas, _ in r.products}
        names = [p.name for p in self.material.processes]
        self._gate_index = [
            None if r.gated_by is None else names.index(r.gated_by)
            for r in self.material.side_reactions
        ]

    @property
    def mass_g(self) -> float:
        return self.active_mass_mg * 1e-3

    def _pairs(self):
        return zip(self.material.processes, self.states, strict=True)

    # --- equilibrium ------------------------------------------------------------------
    def _x_on_branch(self, p: RedoxProcess, s: _ProcessState, e: float, charging: bool) -> float:
        if charging:
            x = max(s.anchor, _sigmoid(e, p.e_charge_V, p.w_charge_V))
            if p.e_activated_V is not None and s.x_max > 0:
                act = _sigmoid(e, p.e_activated_V, p.w_activated_V or p.w_charge_V)
                x = max(x, min(s.x_max, act))
            return x
        # Discharge: the reducible part empties along the discharge sigmoid, scaled so the
        # branch starts where the charge left it (no jump in potential on reversal).
        f = _sigmoid(e, p.e_discharge_V, p.w_discharge_V)
        f_rev = _sigmoid(self._e_reversal, p.e_discharge_V, p.w_discharge_V)
        return s.locked + max(s.anchor - s.locked, 0.0) * min(1.0, f / max(f_rev, 1e-300))

    def _charge_on_branch(self, e: float, charging: bool) -> float:
        """Oxidised capacity (mAh/g) at equilibrium potential e on the given branch."""
        return sum(
            p.capacity_mAh_g * self._x_on_branch(p, s, e, charging) for p, s in self._pairs()
        )

    def _oxidised_mAh_g(self) -> float:
        return sum(p.capacity_mAh_g * s.x for p, s in self._pairs())

    def _set_direction(self, charging: bool) -> None:
        if charging != self.charging:
            for s in self.states:
                s.anchor = s.x
                if charging:
                    s.x_max_before = s.x_max
            self._e_reversal = self.e_eq_V
            self.charging = charging

    # --- dynamics ---------------------------------------------------------------------
    def _side_rates(self, e_V: float, current_mA: float) -> list[float]:
        """Events per g per h of each side reaction at electrode potential e_V."""
        i_g = current_mA / self.mass_g
        rates = []
        for reaction, extent, gate_index in zip(
            self.material.side_reactions, self.extents, self._gate_index, strict=True
        ):
            gate = 1.0
            if gate_index is not None:
                s = self.states[gate_index]
                first = reaction.gate == "first oxidation"
                gate = max(0.0, s.x - s.x_max_before) if first else s.x
                gate = gate if self.charging else 0.0
            rates.append(reaction.rate(e_V, i_g, extent, gate))
        return rates

    def _side_steps(self, e_V: float, current_mA: float, h_s: float) -> list[float]:
        """Events (umol/g) each side reaction makes in h_s seconds at potential e_V."""
        return [
            reaction.clamp(extent + rate * h_s / 3600.0) - extent
            for reaction, extent, rate in zip(
                self.material.side_reactions,
                self.extents,
                self._side_rates(e_V, current_mA),
                strict=True,
            )
        ]

    def _side_charge_mAh(self, e_V: float, current_mA: float, h_s: float) -> float:
        """Charge (mAh) the cathode's side reactions take in h_s seconds at potential e_V."""
        steps = self._side_steps(e_V, current_mA, h_s)
        reactions = self.material.side_reactions
        electrons = sum(r.electrons * d for r, d in zip(reactions, steps, strict=True))
        return electrons * self.mass_g * 1e-6 * F_MAH_PER_MOL

    def advance(self, current_mA: float, h_s: float) -> None:
        """Let current_mA flow for h_s seconds (0: open circuit).

        The charge divides between the redox processes and the side reactions so that both
        end the step at one potential (implicit in potential: stable when a side reaction
        takes nearly all the current, as O2 release does at the end of the LNMO plateau).
        """
        if not self.material.side_reactions and current_mA == 0:
            return
        eta = self.overpotential(current_mA)
        q_ext = current_mA * h_s / 3600.0
        self.q_mAh += q_ext
        net = q_ext - self._side_charge_mAh(self.e_eq_V + eta, current_mA, h_s)
        # Below a nanoampere-hour the redox state does not change; skipping it keeps a
        # resting cell from switching its hysteresis branch on rounding noise.
        if abs(net) > 1e-6:
            self._set_direction(net > 0)
            start = self._oxidised_mAh_g() * self.mass_g

            def excess(e: float) -> float:  # mAh taken at equilibrium potential e, minus passed
                redox = self._charge_on_branch(e, self.charging) * self.mass_g - start
                return redox + self._side_charge_mAh(e + eta, current_mA, h_s) - q_ext

            lo, hi = (self.e_eq_V, E_MAX_V) if self.charging else (E_MIN_V, self.e_eq_V)
            if excess(hi) <= 0:
                e = hi
            elif excess(lo) >= 0:
                e = lo
            else:
                e = brentq(excess, lo, hi, xtol=1e-10)
            self._settle_redox(e)
        self._react(self.e_eq_V + eta, current_mA, h_s)

    def _settle_redox(self, e: float) -> None:
        """Put every redox process where its branch is at equilibrium potential e."""
        for p, s in self._pairs():
            x = self._x_on_branch(p, s, e, self.charging)
            if x > s.x_max:
                s.locked += p.irreversible_fraction * (x - s.x_max)
                s.x_max = x
            s.x = x
        self.e_eq_V = e

    def _react(self, e_V: float, current_mA: float, h_s: float) -> None:
        """Advance the side reactions by h_s seconds at electrode potential e_V; keep the gas."""
        steps = self._side_steps(e_V, current_mA, h_s)
        for k, (reaction, done) in enumerate(zip(self.material.side_reactions, steps, strict=True)):
            self.extents[k] += done
            for gas, n in reaction.products:
                self.gas_umol[gas] += n * done * self.mass_g

    def overpotential(self, current_mA: float) -> float:
        """Ohmic plus charge-transfer overpotential (V) at current_mA."""
        m = self.material
        r_ohm = m.asr_ohm_cm2 / self.area_cm2
        i0 = m.exchange_current_mA_g * self.mass_g
        return current_mA * 1e-3 * r_ohm + m.tafel_V * math.asinh(current_mA / (2 * i0))

    def voltage(self, current_mA: float) -> float:
        """Working-electrode potential (V vs Li/Li+) while current_mA flows."""
        return self.e_eq_V + self.overpotential(current_mA)

    def current_at(self, e_V: float, max_current_mA: float) -> float:
        """Current (mA) that brings the electrode to e_V now; clipped to +- max_current_mA."""
        lo, hi = -max_current_mA, max_current_mA
        if self.voltage(hi) <= e_V:
            return hi
        if self.voltage(lo) >= e_V:
            return lo
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            if self.voltage(mid) < e_V:
                lo = mid
            else:
                hi = mid
        return 0.5 * (lo + hi)

    def snapshot(self) -> tuple:
        """The cell's state, to :meth:`restore` later (cheaper than a deep copy)."""
        states = tuple((s.x, s.anchor, s.x_max, s.locked, s.x_max_before) for s in self.states)
        side = (tuple(self.extents), tuple(self.gas_umol.items()))
        return states, side, self.charging, self.q_mAh, self.e_eq_V, self._e_reversal

    def restore(self, snapshot: tuple) -> None:
        states, side, self.charging, self.q_mAh, self.e_eq_V, self._e_reversal = snapshot
        for s, values in zip(self.states, states, strict=True):
            s.x, s.anchor, s.x_max, s.locked, s.x_max_before = values
        self.extents[:] = side[0]
        self.gas_umol.update(side[1])

    def state_of_charge(self) -> dict[str, float]:
        """Oxidised fraction of each process (for the X-ray simulators and tests)."""
        return {p.name: s.x for p, s in self._pairs()}
