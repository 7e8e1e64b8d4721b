"""The simulated potentiostat's hardware compliance: the current and voltage it can apply.

Light on purpose (no numpy, no scipy): a command line checks its options against it
before anything starts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


class ComplianceError(ValueError):
    """A setting the instrument refuses: outside its hardware compliance or inconsistent."""


@dataclass
class Compliance:
    max_current_mA: float = 100.0
    v_min_V: float = 0.0
    v_max_V: float = 5.5

    def check_current(self, current_mA: float) -> None:
        if not math.isfinite(current_mA):
            raise ComplianceError(f"current must be a finite number (mA), got {current_mA}")
        if abs(current_mA) > self.max_current_mA:
            raise ComplianceError(
                f"|I| = {abs(current_mA):g} mA exceeds the compliance of {self.max_current_mA:g} mA"
            )

    def check_voltage(self, volts: float, what: str) -> None:
        if not self.v_min_V <= volts <= self.v_max_V:
            raise ComplianceError(
                f"{what} {volts:g} V lies outside the voltage window "
                f"[{self.v_min_V:g}, {self.v_max_V:g}] V"
            )
