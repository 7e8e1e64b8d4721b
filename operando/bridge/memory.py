"""An in-memory potentiostat driver: a linear cell on an emulated channel.

The cell's open-circuit voltage rises linearly with the charge passed, from e_empty_V
(empty) to e_full_V over capacity_mAh, and a series resistance adds I R. The channel's
firmware (procedures of OCV/CC/CV steps, cutoffs, recording every dt / dE, compliance) is
the simulator's instrument model (:class:`operando.sim.models.potentiostat.PotentiostatModel`),
running on a clock ``time_scale`` times faster than the wall clock. It stands for the
vendor library a real driver calls.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

from ..sim.models.dems import MZ_CHANNELS, MassSpectrometerModel, factory_calibration
from ..sim.models.potentiostat import Compliance as ModelCompliance
from ..sim.models.potentiostat import ComplianceError, PotentiostatModel
from .driver import (
    ChannelState,
    Compliance,
    DriverRefused,
    GasSample,
    MassSpectrometerDriver,
    Point,
    PotentiostatDriver,
    SpectrometerState,
    Step,
)

NOMINAL_MAH_G = 100.0  # capacity per gram, only to size the emulated firmware's time steps
DEFAULT_COMPLIANCE = Compliance(max_current_mA=100.0, v_min_V=0.0, v_max_V=5.5)


@dataclass
class LinearCell:
    """OCV linear in charge (V) plus a series resistance (ohm); q_mAh passed so far."""

    capacity_mAh: float = 5.0
    e_empty_V: float = 3.0
    e_full_V: float = 4.2
    resistance_ohm: float = 100.0
    q_mAh: float = 0.0

    @property
    def mass_g(self) -> float:
        return self.capacity_mAh / NOMINAL_MAH_G

    def ocv(self) -> float:
        return self.e_empty_V + (self.e_full_V - self.e_empty_V) * self.q_mAh / self.capacity_mAh

    def voltage(self, current_mA: float) -> float:
        return self.ocv() + current_mA * self.resistance_ohm / 1000.0

    def current_at(self, e_V: float, max_current_mA: float) -> float:
        i = (e_V - self.ocv()) * 1000.0 / self.resistance_ohm
        return max(-max_current_mA, min(max_current_mA, i))

    def settle_double_layer(self, current_mA: float) -> None:
        """No double layer in this cell: the potential follows the current at once."""

    def advance(self, current_mA: float, h_s: float) -> None:
        self.q_mAh += current_mA * h_s / 3600.0

    def snapshot(self) -> float:
        return self.q_mAh

    def restore(self, snapshot: float) -> None:
        self.q_mAh = snapshot


class InMemoryPotentiostat(PotentiostatDriver):
    """A driver whose instrument is a :class:`LinearCell` on an emulated channel; its
    clock runs time_scale x the wall clock (instrument seconds per wall second)."""

    def __init__(self, cell: LinearCell | None = None, *, time_scale: float = 1.0,
                 compliance: Compliance = DEFAULT_COMPLIANCE):  # fmt: skip
        self.time_scale = float(time_scale)
        self._wall0, self._t0 = time.monotonic(), time.time()
        self._limits = compliance
        self.model = PotentiostatModel(self._t0, ModelCompliance(**asdict(compliance)))
        self.model.insert_cell(cell or LinearCell())
        self._read = 0  # points of the model's record already returned
        self._first_count = 0  # the model's step count before the running procedure

    def _now(self) -> float:
        return self._t0 + (time.monotonic() - self._wall0) * self.time_scale

    def _advance(self) -> None:
        self.model.advance(self._now(), budget_s=0.05)

    def compliance(self) -> Compliance:
        return self._limits

    def start(self, steps: list[Step], record_dt_s: float, record_dE_V: float) -> None:
        self._advance()
        m = self.model
        m.steps = list(steps)
        m.record_dt_s, m.record_dE_V = record_dt_s, record_dE_V
        self._first_count = m.step_count
        try:
            m.start()
        except ComplianceError as exc:
            raise DriverRefused(str(exc)) from None

    def stop(self) -> None:
        self._advance()
        self.model.stop()

    def state(self) -> ChannelState:
        self._advance()
        m = self.model
        return ChannelState(status=m.status, step=m.step_index, ewe_V=m.ewe_V,
                            current_mA=m.current_mA, q_mAh=m.q_mAh, time=m.t,
                            end_reason=m.end_reason)  # fmt: skip

    def read_points(self) -> list[Point]:
        c = self.model.buffer.columns
        n = len(c["ts"])
        points = [
            Point(
                c["ts"][k],
                c["ewe"][k],
                c["i"][k],
                c["q"][k],
                max(int(c["step"][k]) - self._first_count - 1, 0),
            )  # fmt: skip
            for k in range(self._read, n)
        ]
        self._read = n
        return points


class InMemoryMassSpectrometer(MassSpectrometerDriver):
    """A driver whose instrument is the simulator's headspace-sampling quadrupole model,
    fed by a cell that gives off CO2 at a constant rate (umol/h), on a clock time_scale x
    the wall clock."""

    def __init__(self, *, time_scale: float = 1.0, co2_umol_h: float = 0.05):
        self.time_scale = float(time_scale)
        self._wall0, self._t0 = time.monotonic(), time.time()
        self._rate = co2_umol_h / 3600.0
        self.model = MassSpectrometerModel(self._t0, self._gas_made)
        self._read = 0

    def _now(self) -> float:
        return self._t0 + (time.monotonic() - self._wall0) * self.time_scale

    def _gas_made(self) -> dict[str, float]:
        """umol of each gas the cell has given off so far."""
        return {"CO2": self._rate * (self._now() - self._t0)}

    def _advance(self) -> None:
        self.model.advance(self._now())

    def channels(self) -> tuple[int, ...]:
        return tuple(MZ_CHANNELS)

    def calibration(self) -> dict[str, list[float]]:
        return factory_calibration(self.model.quadrupole.sensitivity)

    def set_interval(self, interval_s: float) -> None:
        self._advance()
        self.model.interval_s = float(interval_s)

    def start(self) -> None:
        self._advance()
        self.model.start()

    def stop(self) -> None:
        self._advance()
        self.model.stop()

    def trigger(self) -> None:
        self._advance()
        self.model.sample_now()

    def state(self) -> SpectrometerState:
        self._advance()
        m = self.model
        return SpectrometerState(m.acquiring, m.t, m.headspace.pressure_mbar)

    def read_samples(self) -> list[GasSample]:
        c = self.model.buffer.columns
        n = len(c["ts"])
        out = [
            GasSample(
                c["ts"][k],
                c["interval"][k],
                c["pressure"][k],
                {mz: c[f"mz{mz}"][k] for mz in MZ_CHANNELS},
            )  # fmt: skip
            for k in range(self._read, n)
        ]
        self._read = n
        return out
