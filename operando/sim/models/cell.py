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

Li diffuses through spherical particles (``diffusion.py``, parameters in ``kinetics.py``):
the redox processes hold the particles' mean state, the open-circuit potential is that of
the surface, where the state is the mean plus the diffusion excess (the potential at which
the present branch holds that much charge). The electrode potential under a current I (mA)
is ``E = E_surface + I R_ohm + eta`` with ``R_ohm`` the area-specific resistance over the
electrode area and ``eta`` the charge-transfer overpotential across the double layer
(capacitance C_dl per cm2 of particle surface): ``C_dl deta/dt = I - 2 I0 sinh(eta / b)``
(symmetric Butler-Volmer, ``b = 2 R T / F``, ``I0`` the exchange current density times the
particles' surface ``3 m / (rho r)``), integrated exactly over each step (a Riccati
equation in ``exp(eta / b)``). It settles at ``b asinh(I / (2 I0))`` within a few
``R_ct C_dl`` (milliseconds to seconds): a current step moves the potential by ``I R_ohm`` at
once and by the charge-transfer overpotential after it. The double layer's charge (C_dl
times tens of mV) is left out of the charge balance. D and i0 follow Arrhenius in the
cell's temperature, as do the side reactions.

Gas-evolving side reactions (``gas.py``) run beside the redox processes: the ones on the
cathode take their share of the current (the rest charges the redox processes), and the cell
keeps the gas they have made, which the simulated DEMS headspace collects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from scipy.optimize import brentq

from .diffusion import SphereDiffusion
from .kinetics import R_J_MOL_K, T_REF_K, Kinetics, kinetics_of
from .redox import (  # noqa: F401  (CathodeMaterial, RedoxProcess: imported from here too)
    E_MAX_V,
    E_MIN_V,
    F_MAH_PER_MOL,
    CathodeMaterial,
    RedoxProcess,
    _sigmoid,
    _solve_increasing,
)

F_C_MOL = 96485.33212
# Self-discharge at open circuit against the present branch (e.g. side reactions after a
# charge) is taken from the surface first; beyond this much (mAh/g) it moves the branch.
PENDING_LIMIT_MAH_G = 2.0


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
    temperature_K: float = T_REF_K
    kinetics: Kinetics | None = None  # None: the material's (kinetics.py)
    e_surface_V: float = 0.0  # open-circuit potential of the particles' surface
    _pending_mAh: float = 0.0  # self-discharge held at the surface (see PENDING_LIMIT)
    migration: float = 0.0  # share of layered sites moved to spinel-like ones (voltage fade)
    _shift_reversal: float = 0.0  # the fade shift (V) when the current last changed sign
    # A cache: (_e_reversal, _shift_reversal) of _f_rev, the discharge sigmoid of each
    # process (by identity) there.
    _f_rev_key: tuple = field(default=(), init=False, repr=False, compare=False)
    _f_rev: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    eta_V: float = 0.0  # charge-transfer overpotential across the double layer (V)

    def __post_init__(self) -> None:
        if self.active_mass_mg <= 0 or self.area_cm2 <= 0:
            raise ValueError("active mass and area must be positive")
        self.states = [_ProcessState() for _ in self.material.processes]
        self.e_eq_V = self.e_surface_V = self.material.pristine_ocv_V
        if self.kinetics is None:
            self.kinetics = kinetics_of(self.material.name)
        self.diffusion = SphereDiffusion()
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

    # --- equilibrium ------------------------------------------------------------------
    def _x_on_branch(self, p: RedoxProcess, s: _ProcessState, e: float, charging: bool) -> float:
        shift = self.material.migration_shift_V * self.migration  # voltage fade
        if charging:
            x = max(s.anchor, _sigmoid(e, p.e_charge_V, p.w_charge_V))
            if p.e_activated_V is not None and s.x_max > 0:
                act = _sigmoid(e + shift, p.e_activated_V, p.w_activated_V or p.w_charge_V)
                x = max(x, min(s.x_max, act))
            return x
        # Discharge: the reducible part empties along the discharge sigmoid, scaled so the
        # branch starts where the charge left it (no jump in potential on reversal).
        f = _sigmoid(e + shift, p.e_discharge_V, p.w_discharge_V)
        return s.locked + max(s.anchor - s.locked, 0.0) * min(1.0, f / self._f_reversal(p))

    def _f_reversal(self, p: RedoxProcess) -> float:
        """The discharge sigmoid of p where the current last changed sign (kept while the
        reversal point stays: root finds call it thousands of times per step)."""
        key = (self._e_reversal, self._shift_reversal)
        if self._f_rev_key != key:
            self._f_rev_key, self._f_rev = key, {}
        if id(p) not in self._f_rev:
            f = _sigmoid(key[0] + key[1], p.e_discharge_V, p.w_discharge_V)
            self._f_rev[id(p)] = max(f, 1e-300)
        return self._f_rev[id(p)]

    def _charge_on_branch(self, e: float, charging: bool) -> float:
        """Oxidised capacity (mAh/g) at equilibrium potential e on the given branch."""
        processes = zip(self.material.processes, self.states, strict=True)
        return sum([p.capacity_mAh_g * self._x_on_branch(p, s, e, charging) for p, s in processes])

    def _oxidised_mAh_g(self) -> float:
        processes = zip(self.material.processes, self.states, strict=True)
        return sum(p.capacity_mAh_g * s.x for p, s in processes)

    def _set_direction(self, charging: bool) -> None:
        if charging != self.charging:
            for s in self.states:
                s.anchor = s.x
                if charging:
                    s.x_max_before = s.x_max
            self._e_reversal = self.e_eq_V
            self._shift_reversal = self.material.migration_shift_V * self.migration
            self.charging = charging

    # --- dynamics ---------------------------------------------------------------------
    def _gates(self) -> list[float]:
        """How open each side reaction's gate is now (1 for an ungated reaction)."""
        gates, indices = [], zip(self.material.side_reactions, self._gate_index, strict=True)
        for reaction, gate_index in indices:
            gate = 1.0
            if gate_index is not None:
                s = self.states[gate_index]
                first = reaction.gate == "first oxidation"
                gate = max(0.0, s.x - s.x_max_before) if first else s.x
                gate = gate if self.charging else 0.0
            gates.append(gate)
        return gates

    def _side_steps(self, e_V: float, current_mA: float, h_s: float, gates=None) -> list:
        """Events (umol/g) each side reaction makes in h_s seconds at potential e_V (gates:
        :meth:`_gates`, if already known for the present states)."""
        i_g, t_k = current_mA / self.mass_g, self.temperature_K
        gates = self._gates() if gates is None else gates
        reactions = zip(self.material.side_reactions, self.extents, gates, strict=True)
        return [r.step(e_V, i_g, extent, gate, h_s, t_k) for r, extent, gate in reactions]

    def _side_charge_mAh(self, e_V: float, current_mA: float, h_s: float, gates=None) -> float:
        """Charge (mAh) the cathode's side reactions take in h_s seconds at potential e_V."""
        steps = self._side_steps(e_V, current_mA, h_s, gates)
        reactions = self.material.side_reactions
        electrons = sum(r.electrons * d for r, d in zip(reactions, steps, strict=True))
        return electrons * self.mass_g * 1e-6 * F_MAH_PER_MOL

    def advance(self, current_mA: float, h_s: float) -> None:
        """Let current_mA flow for h_s seconds (0: open circuit).

        The charge divides between the redox processes and the side reactions so that both
        end the step at one potential (implicit in potential: stable when a side reaction
        takes nearly all the current, as O2 release does at the end of the LNMO plateau).
        The side reactions see the surface potential (the bulk's plus the diffusion
        offset at the start of the step); the charge the redox processes take enters the
        particles' surface and diffuses in (exactly integrated over the step).
        """
        if h_s <= 0:
            return
        eta = self.overpotential(current_mA)
        e_start, m = self.e_surface_V, self.mass_g
        q_ext = current_mA * h_s / 3600.0
        self.q_mAh += q_ext
        net = q_ext - self._side_charge_mAh(e_start + eta, current_mA, h_s)
        total = net + self._pending_mAh
        against = (total > 0) != self.charging
        k = self.kinetics
        d_over_r2 = k.diffusion_coefficient(self.temperature_K) / k.radius_cm**2
        if current_mA == 0 and (
            abs(total) <= 1e-6 or (against and abs(total) < PENDING_LIMIT_MAH_G * m)
        ):
            # At rest, self-discharge against the branch (or too little to matter) is
            # taken from the surface for now; below a nanoampere-hour nothing moves, which
            # keeps a resting cell from switching branch on rounding noise.
            self._pending_mAh = total
            self._react(e_start + eta, current_mA, h_s)
            self.diffusion.step(0.0, h_s, d_over_r2)
            self.e_surface_V = self._surface_potential()
            self._charge_double_layer(current_mA, h_s)
            return
        passed = q_ext + self._pending_mAh  # what redox and side reactions share
        self._pending_mAh = 0.0
        if abs(total) > 1e-6:
            self._set_direction(total > 0)
        charging = self.charging
        q0 = self._oxidised_mAh_g()
        free, gain = self.diffusion.response(h_s, d_over_r2)
        gates = self._gates()  # the states stay put while the root is found

        def into_particles(e: float) -> float:  # mAh/g taken if the surface ends at e
            d = (self._charge_on_branch(e, charging) - q0 - free) / (1.0 + gain / h_s)
            return max(d, 0.0) if charging else min(d, 0.0)

        def excess(e: float) -> float:  # mAh taken with the surface at e, minus passed
            side = self._side_charge_mAh(e + eta, current_mA, h_s, gates)
            return into_particles(e) * m + side - passed

        e_s = _solve_increasing(excess, e_start)
        dq = into_particles(e_s)
        target = q0 + dq

        def bulk(e: float) -> float:
            return self._charge_on_branch(e, charging) - target

        lo, hi = (self.e_eq_V, E_MAX_V) if charging else (E_MIN_V, self.e_eq_V)
        if dq != 0.0 and bulk(lo) < 0 < bulk(hi):
            self._settle_redox(brentq(bulk, lo, hi, xtol=1e-8))
        elif dq != 0.0:
            self._settle_redox(hi if bulk(hi) <= 0 else lo)
        self._react(e_s + eta, current_mA, h_s)
        self.diffusion.step(dq / h_s, h_s, d_over_r2)
        self.e_surface_V = e_s
        self._charge_double_layer(current_mA, h_s)

    def _charge_double_layer(self, current_mA: float, h_s: float) -> None:
        """Advance eta over h_s seconds at current_mA: with u = exp(eta / b),
        du/dt = -k (u - u_+)(u - u_-), k = I0 / (b C_dl), u_+- the roots of
        I0 u^2 - I u - I0 (u_+ = exp(eta_steady / b)); so (u - u_+)/(u - u_-) decays as
        exp(-k (u_+ - u_-) t)."""
        k_ = self.kinetics
        b = R_J_MOL_K * self.temperature_K / (k_.transfer_coefficient * F_C_MOL)
        i0 = self.exchange_current_mA()
        c_dl = k_.double_layer_F_cm2 * k_.surface_area_cm2(self.mass_g)
        x = current_mA / i0
        root = math.sqrt(x * x + 4.0)
        u_plus, u_minus = (x + root) / 2.0, (x - root) / 2.0
        u0 = math.exp(self.eta_V / b)
        w = (u0 - u_plus) / (u0 - u_minus) * math.exp(-i0 * 1e-3 / (b * c_dl) * root * h_s)
        self.eta_V = b * math.log((u_plus - u_minus * w) / (1.0 - w))

    def _surface_potential(self) -> float:
        """Open-circuit potential of the surface: where the present branch holds the mean
        charge plus the diffusion excess (and any self-discharge held at the surface)."""
        delta = self.diffusion.surface_excess + self._pending_mAh / self.mass_g
        if abs(delta) < 1e-9:
            return self.e_eq_V
        target = self._oxidised_mAh_g() + delta

        def excess(e: float) -> float:
            return self._charge_on_branch(e, self.charging) - target

        with_branch = (delta > 0) == self.charging
        lo, hi = (self.e_eq_V, E_MAX_V) if delta > 0 else (E_MIN_V, self.e_eq_V)
        f_lo, f_hi = excess(lo), excess(hi)
        if f_hi < 0 or f_lo > 0:
            # Beyond the branch: a surface filled (emptied) to the end along its branch has
            # no potential that holds more; against the branch (just after a reversal, a
            # surface still richer than the mean), it sits at the bulk's.
            if not with_branch:
                return self.e_eq_V
            return hi if delta > 0 else lo
        return brentq(excess, lo, hi, xtol=1e-9)

    def _settle_redox(self, e: float) -> None:
        """Put every redox process where its branch is at equilibrium potential e."""
        m = self.material
        for p, s in zip(m.processes, self.states, strict=True):
            x = self._x_on_branch(p, s, e, self.charging)
            if x > s.x_max:
                s.locked += p.irreversible_fraction * (x - s.x_max)
                s.x_max = x
            if p.name == m.migration_driver and x < s.x:  # reduced oxidised oxygen
                self.migration += m.migration_rate * (s.x - x) * (1.0 - self.migration)
            s.x = x
        self.e_eq_V = e

    def _react(self, e_V: float, current_mA: float, h_s: float) -> None:
        """Advance the side reactions by h_s seconds at electrode potential e_V; keep the gas."""
        steps = self._side_steps(e_V, current_mA, h_s)
        for k, (reaction, done) in enumerate(zip(self.material.side_reactions, steps, strict=True)):
            self.extents[k] += done
            for gas, n in reaction.products:
                self.gas_umol[gas] += n * done * self.mass_g

    def exchange_current_mA(self) -> float:
        """I0 of the electrode (mA): i0(T) times the particles' surface 3 m / (rho r)."""
        k = self.kinetics
        return k.exchange_current_density(self.temperature_K) * k.surface_area_cm2(self.mass_g)

    def overpotential(self, current_mA: float) -> float:
        """Ohmic plus charge-transfer (Butler-Volmer) overpotential (V) at current_mA."""
        k = self.kinetics
        r_ohm = k.area_specific_resistance_ohm_cm2 / self.area_cm2
        b = R_J_MOL_K * self.temperature_K / (k.transfer_coefficient * F_C_MOL)
        i0 = self.exchange_current_mA()
        return current_mA * 1e-3 * r_ohm + b * math.asinh(current_mA / (2 * i0))

    def voltage(self, current_mA: float) -> float:
        """Working-electrode potential (V vs Li/Li+) while current_mA flows (the current of
        the last step: the double layer holds the charge-transfer overpotential it left)."""
        r_ohm = self.kinetics.area_specific_resistance_ohm_cm2 / self.area_cm2
        return self.e_surface_V + current_mA * 1e-3 * r_ohm + self.eta_V

    def settle_double_layer(self, current_mA: float) -> None:
        """Charge the double layer to its steady overpotential at current_mA at once: what a
        potentiostat does when it steps the potential (a current spike of C_dl times the
        step, over within a few R_ct C_dl, well inside a record interval)."""
        r_ohm = self.kinetics.area_specific_resistance_ohm_cm2 / self.area_cm2
        self.eta_V = self.overpotential(current_mA) - current_mA * 1e-3 * r_ohm

    def ocp_slope_V_per_mAh_g(self) -> float:
        """dE/dq of the present branch at the surface state (V per mAh/g), for small-signal
        analysis (centred difference over +-2 mV)."""
        e, de = self.e_surface_V, 2e-3
        dq = self._charge_on_branch(e + de, self.charging) - self._charge_on_branch(
            e - de, self.charging
        )
        return 2 * de / max(dq, 1e-9)

    def current_at(self, e_V: float, max_current_mA: float) -> float:
        """Current (mA) that holds the electrode at e_V once the double layer has charged;
        clipped to +- max_current_mA."""
        lo, hi = -max_current_mA, max_current_mA

        def settled(i: float) -> float:  # the potential once the double layer has charged
            return self.e_surface_V + self.overpotential(i)

        if settled(hi) <= e_V:
            return hi
        if settled(lo) >= e_V:
            return lo
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            if settled(mid) < e_V:
                lo = mid
            else:
                hi = mid
        return 0.5 * (lo + hi)

    def snapshot(self) -> tuple:
        """The cell's state, to :meth:`restore` later (cheaper than a deep copy)."""
        states = tuple((s.x, s.anchor, s.x_max, s.locked, s.x_max_before) for s in self.states)
        side = (tuple(self.extents), tuple(self.gas_umol.items()))
        surface = (
            self.diffusion.state(), self._pending_mAh, self.e_surface_V, self.migration,
            self._shift_reversal, self.eta_V,
        )  # fmt: skip
        return states, side, self.charging, self.q_mAh, self.e_eq_V, self._e_reversal, surface

    def restore(self, snapshot: tuple) -> None:
        states, side, self.charging, self.q_mAh, self.e_eq_V, self._e_reversal, surf = snapshot
        diffusion, self._pending_mAh, self.e_surface_V, self.migration = surf[:4]
        self._shift_reversal, self.eta_V = surf[4], surf[5]
        self.diffusion.set_state(diffusion)
        for s, values in zip(self.states, states, strict=True):
            s.x, s.anchor, s.x_max, s.locked, s.x_max_before = values
        self.extents[:] = side[0]
        self.gas_umol.update(side[1])

    def state_of_charge(self) -> dict[str, float]:
        """Oxidised fraction of each process (for the X-ray simulators and tests)."""
        return {p.name: s.x for p, s in zip(self.material.processes, self.states, strict=True)}
