"""A potentiostat/galvanostat instrument model: procedures, limits, compliance, data buffer.

It behaves like a battery cycler's firmware: a procedure of steps, each a technique (OCV,
CC, CV or SWEEP: a linear potential sweep, the ramp of cyclic voltammetry) with its limits,
runs on the instrument; when a step reaches a limit the next one starts at once (or, on a
voltage cutoff, the step its ``cutoff_goto`` names), with no computer in the loop. Points
are recorded into an on-board buffer every ``record_dt_s`` of instrument time or every
``record_dE_V`` of potential change, whether or not a computer is reading. Compliance
(maximum |I|, voltage window) is hardware: configuration outside it is refused, and a
potential outside the window faults the channel to open circuit. An idle channel measures
impedance spectra about the open-circuit potential (potentiostatic EIS).
"""

from __future__ import annotations

import math
import time
from array import array
from collections.abc import Callable

import numpy as np
from scipy.optimize import brentq

from ...instruments import Step
from . import impedance
from .cell import Cell
from .compliance import Compliance, ComplianceError  # noqa: F401 - the instrument's limits

TECHNIQUES = ("OCV", "CC", "CV", "SWEEP")
STATUSES = ("Idle", "Running", "Limit reached", "Fault")
MAX_DQ_MAH_G = 0.2  # largest charge step of the integrator, per g of active material
IDLE_STEP_S = 1800.0  # integration step of a cell resting on an idle channel (s)


class DataBuffer:
    """On-instrument record: instrument time, time since clear, Ewe, I, Q, technique number."""

    FIELDS = ("ts", "t", "ewe", "i", "q", "step")

    def __init__(self) -> None:
        self.clear(0.0)

    def clear(self, t0: float) -> None:
        self.t0 = t0
        self.columns = {name: array("d") for name in self.FIELDS}

    def __len__(self) -> int:
        return len(self.columns["ts"])

    def append(self, ts: float, ewe: float, i: float, q: float, step: int) -> None:
        c = self.columns
        c["ts"].append(ts)
        c["t"].append(ts - self.t0)
        c["ewe"].append(ewe)
        c["i"].append(i)
        c["q"].append(q)
        c["step"].append(step)

    def page(self, start: int, size: int) -> dict[str, list[float]]:
        return {k: v[start : start + size].tolist() for k, v in self.columns.items()}


class PotentiostatModel:
    """One potentiostat channel with a cell on it, advanced in instrument time."""

    def __init__(self, t0: float, compliance: Compliance | None = None):
        self.t = t0
        self.compliance = compliance or Compliance()
        self.steps: list[Step] = [Step("OCV")]  # the procedure
        self.record_dt_s = 60.0  # record a point every dt of instrument time (s) ...
        self.record_dE_V = 0.005  # ... or every dE of potential change (V)
        self.settings = self.steps[0]  # the step running now (or last run)
        self.step_index = 0  # its index in the procedure
        self.step_count = 0  # steps started since power-up: the buffer's "step" column
        self.cell: Cell | None = None
        self.status = "Idle"
        self.end_reason = ""
        self.seq = 0  # number of techniques started
        self.done_seq = 0  # number of the last technique that ended
        self.current_mA = 0.0
        self.q_mAh = 0.0  # charge passed since the buffer was cleared
        self.technique_start = t0
        self.buffer = DataBuffer()
        self.buffer.clear(t0)
        self._last_rec_t = t0
        self._last_rec_e = 0.0
        self.observers: list[Callable[[float], None]] = []  # called after every step
        self.sweep_from_V = 0.0  # potential at the start of the running SWEEP step
        self._rng = np.random.default_rng()  # the impedance analyser's noise

    # --- readbacks --------------------------------------------------------------------
    @property
    def ewe_V(self) -> float:
        return 0.0 if self.cell is None else self.cell.voltage(self.current_mA)

    @property
    def elapsed_s(self) -> float:
        return self.t - self.technique_start if self.status == "Running" else 0.0

    # --- commands ---------------------------------------------------------------------
    def insert_cell(self, cell: Cell) -> None:
        """Put a cell on the channel (open circuit). What the model asks of a cell: voltage,
        current_at, settle_double_layer, advance, snapshot, restore (see Cell; the bridge's
        LinearCell is the smallest such cell)."""
        self.stop("cell replaced")
        self.cell = cell

    def measure_impedance(
        self, f_min_Hz: float, f_max_Hz: float, per_decade: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Potentiostatic EIS about the cell's present (open-circuit) potential: frequencies
        (Hz, high to low) and impedance (ohm, complex). Refused while a procedure runs."""
        if self.cell is None:
            raise ComplianceError("no cell is connected to the channel")
        if self.status == "Running":
            raise ComplianceError("an impedance spectrum needs the channel idle (at rest)")
        return impedance.spectrum(self.cell, f_min_Hz, f_max_Hz, per_decade, self._rng)

    def clear_buffer(self) -> None:
        self.buffer.clear(self.t)
        self.q_mAh = 0.0

    def validate(self, s: Step) -> None:
        """Raise ComplianceError if a step cannot run on this instrument."""
        comp = self.compliance
        if s.technique not in TECHNIQUES:
            raise ComplianceError(f"technique {s.technique!r} is not one of {TECHNIQUES}")
        for name in ("current_mA", "voltage_V", "e_upper_V", "e_lower_V", "duration_s",
                     "current_floor_mA", "scan_rate_mV_s"):  # fmt: skip
            value = getattr(s, name)
            if not math.isfinite(value):
                raise ComplianceError(f"{name} must be a finite number, got {value}")
        comp.check_current(s.current_mA)
        comp.check_voltage(s.voltage_V, "voltage setpoint")
        comp.check_voltage(s.e_upper_V, "upper cutoff")
        comp.check_voltage(s.e_lower_V, "lower cutoff")
        if s.e_lower_V >= s.e_upper_V:
            raise ComplianceError(
                f"lower cutoff {s.e_lower_V:g} V must lie below upper cutoff {s.e_upper_V:g} V"
            )
        if s.duration_s < 0 or s.current_floor_mA < 0:
            raise ComplianceError("duration and current floor must not be negative")
        if s.technique == "OCV" and s.duration_s <= 0:
            raise ComplianceError("an OCV rest needs a duration")
        if s.technique == "CC" and s.current_mA == 0:
            raise ComplianceError("a galvanostatic step needs a non-zero current")
        if s.technique == "SWEEP" and not s.scan_rate_mV_s > 0:
            raise ComplianceError("a potential sweep needs a positive scan rate (mV/s)")

    def validate_goto(self, index: int, s: Step) -> None:
        """Raise ComplianceError unless step index's cutoff_goto is 0 (next) or a later step."""
        goto = s.cutoff_goto
        if goto != 0 and not (float(goto).is_integer() and index < goto < len(self.steps)):
            raise ComplianceError(
                f"cutoff goto {goto} must be 0 (the next step) or a later step's index "
                f"({index + 1} to {len(self.steps) - 1})"
            )

    def start(self) -> None:
        """Run the programmed procedure from its first step."""
        if self.cell is None:
            raise ComplianceError("no cell is connected to the channel")
        if not self.steps:
            raise ComplianceError("the procedure has no steps")
        for n, step in enumerate(self.steps):
            try:
                self.validate(step)
                self.validate_goto(n, step)
            except ComplianceError as exc:
                raise ComplianceError(f"step {n}: {exc}") from None
        if not (0 < self.record_dt_s < math.inf and 0 < self.record_dE_V < math.inf):
            raise ComplianceError("recording intervals dt and dE must be finite and positive")
        self.seq += 1
        self.status = "Running"
        self.end_reason = ""
        self.step_index = 0
        self._begin_step()

    def _begin_step(self) -> None:
        self.settings = s = self.steps[self.step_index]
        self.step_count += 1
        self.technique_start = self.t
        self.current_mA = s.current_mA if s.technique == "CC" else 0.0
        if s.technique == "CV":
            self.current_mA = self.cell.current_at(s.voltage_V, self.compliance.max_current_mA)
            self.cell.settle_double_layer(self.current_mA)  # the step's first point is at E
        if s.technique == "SWEEP":  # the ramp starts where the electrode is
            self.sweep_from_V = self.ewe_V
        self._record()

    def stop(self, reason: str = "stopped by user") -> None:
        """Open the circuit: no current flows, the technique ends."""
        was_running = self.status == "Running"
        self.current_mA = 0.0
        if was_running:
            self._finish("Idle", reason)

    def _finish(self, status: str, reason: str) -> None:
        self._record()
        goto = int(self.settings.cutoff_goto)
        if status == "Limit reached" and reason.endswith("cutoff") and goto > 0:
            self.step_index = goto - 1  # a voltage cutoff jumps to the step it names
        if status == "Limit reached" and self.step_index + 1 < len(self.steps):
            self.step_index += 1  # the next step starts now, on the instrument
            self._begin_step()
            return
        self.status = status
        self.end_reason = reason
        self.done_seq = self.seq
        self.current_mA = 0.0

    def _record(self) -> None:
        e = self.ewe_V
        self.buffer.append(self.t, e, self.current_mA, self.q_mAh, self.step_count)
        self._last_rec_t, self._last_rec_e = self.t, e

    # --- time -------------------------------------------------------------------------
    def advance(self, t_new: float, budget_s: float | None = None) -> None:
        """Run the instrument forward to instrument time t_new (s).

        With budget_s, stop once that much wall-clock time has been spent even if t_new is
        not reached (the caller then lags behind its clock rather than block its event
        loop). After every step each of ``observers`` is called with the instrument time.
        """
        deadline = None if budget_s is None else time.monotonic() + budget_s
        while self.t < t_new:
            if deadline is not None and time.monotonic() > deadline:
                return
            if self.status == "Running" and self.cell is not None:
                self._step(t_new)
            else:
                self._rest(t_new)
            for observer in self.observers:
                observer(self.t)

    def _rest(self, t_new: float) -> None:
        """Idle channel: a cell on it rests at open circuit (its side reactions go on)."""
        if self.cell is None:
            self.t = t_new
            return
        h = min(t_new - self.t, IDLE_STEP_S)
        self.cell.advance(0.0, h)
        self.t += h

    def _max_step(self) -> float:
        s, cell = self.settings, self.cell
        h = max(self._last_rec_t + self.record_dt_s - self.t, 1e-6)  # land on the next record
        if s.technique == "OCV":
            return h
        if s.technique == "SWEEP":  # at most one recording step dE of the ramp per step
            h = min(h, self.record_dE_V / (s.scan_rate_mV_s * 1e-3))
        return min(h, MAX_DQ_MAH_G * cell.mass_g * 3600.0 / max(abs(self.current_mA), 1e-9))

    def _step(self, t_new: float) -> None:
        s = self.settings
        h = min(self._max_step(), t_new - self.t)
        if s.duration_s > 0:
            h = min(h, self.technique_start + s.duration_s - self.t)
        cutoff = ""
        if s.technique == "CC":
            h, cutoff = self._cc_step(h)
        elif s.technique == "CV":
            self._cv_step(h, s.voltage_V)
        elif s.technique == "SWEEP":
            h, cutoff = self._sweep_step(h)
        else:  # at rest the cell's side reactions go on
            self._pass(0.0, h)
        self.t += h
        if cutoff:
            self._finish("Limit reached", cutoff)
            return
        e = self.ewe_V
        if not self.compliance.v_min_V <= e <= self.compliance.v_max_V:
            self._finish("Fault", f"Ewe {e:.3f} V left the compliance window")
            return
        if s.technique == "CV" and s.current_floor_mA > 0:
            if abs(self.current_mA) <= s.current_floor_mA:
                self._finish("Limit reached", "current floor")
                return
        if s.duration_s > 0 and self.t >= self.technique_start + s.duration_s - 1e-9:
            self._finish("Limit reached", "duration")
            return
        if (
            self.t - self._last_rec_t >= self.record_dt_s - 1e-9
            or abs(e - self._last_rec_e) >= self.record_dE_V
        ):
            self._record()

    def _pass(self, current_mA: float, h: float) -> None:
        self.cell.advance(current_mA, h)
        self.q_mAh += current_mA * h / 3600.0

    def _cc_step(self, h: float) -> tuple[float, str]:
        """One galvanostatic step, shortened to land on a voltage cutoff.

        Returns the step length (s) and the cutoff reached ("" if none).
        """
        cell, i = self.cell, self.current_mA
        snapshot = (cell.snapshot(), self.q_mAh)
        self._pass(i, h)
        crossed = self._cutoff_crossed()
        if not crossed:
            return h, ""
        lo, hi = 0.0, h  # bisect the step length on the cutoff crossing
        for _ in range(30):
            mid = 0.5 * (lo + hi)
            self._restore(snapshot)
            self._pass(i, mid)
            if self._cutoff_crossed():
                hi = mid
            else:
                lo = mid
        self._restore(snapshot)
        self._pass(i, hi)
        return hi, crossed

    def _sweep_step(self, h: float) -> tuple[float, str]:
        """One step of a linear potential sweep: the set potential moves at the scan rate
        from the start potential toward the step's end potential (the vertex), the cell's
        current follows (potentiostatic, implicit). Returns the step length (s) and
        "vertex" once the end potential is reached."""
        s = self.settings
        rate = s.scan_rate_mV_s * 1e-3
        span = s.voltage_V - self.sweep_from_V
        left = abs(span) / rate - (self.t - self.technique_start)  # s to the vertex
        reached = left <= h + 1e-9
        h = max(min(h, left), 1e-9)
        swept = min(abs(span), rate * (self.t + h - self.technique_start))
        self._cv_step(h, self.sweep_from_V + math.copysign(swept, span))
        return h, "vertex" if reached else ""

    def _cv_step(self, h: float, target: float) -> None:
        """One potentiostatic step, implicit in time: the current that leaves the electrode
        at the set potential at the end of the step (stable for any step length)."""
        i_max = self.compliance.max_current_mA
        snapshot = (self.cell.snapshot(), self.q_mAh)

        def residual(i: float) -> float:
            self._restore(snapshot)
            self._pass(i, h)
            return self.cell.voltage(i) - target

        # The current flows the way that brings the electrode to the target: oxidising if
        # it would lie below it at open circuit. (Across zero the cell changes branch, and
        # a current of the other sign can also end on the target: not the physical root.)
        lo, hi = (0.0, i_max) if residual(0.0) < 0 else (-i_max, 0.0)
        if residual(hi) <= 0:
            i = hi  # compliance-limited: even the largest current cannot get there
        elif residual(lo) >= 0:
            i = lo
        else:
            i = brentq(residual, lo, hi, xtol=1e-12, rtol=1e-10)
        self._restore(snapshot)
        self._pass(i, h)
        self.current_mA = i

    def _cutoff_crossed(self) -> str:
        e, s = self.ewe_V, self.settings
        if self.current_mA > 0 and e >= s.e_upper_V:
            return "upper cutoff"
        if self.current_mA < 0 and e <= s.e_lower_V:
            return "lower cutoff"
        return ""

    def _restore(self, snapshot) -> None:
        cell_state, self.q_mAh = snapshot
        self.cell.restore(cell_state)
