"""What a lab writes to put its potentiostat behind the bridge IOC: one class with five calls.

The bridge does everything else the instrument contract asks (procedure arrays, compliance
checks and LastError, Seq/DoneSeq, the paged buffer with Q since its clear); the driver
only talks to the instrument. Units: V, mA, mAh, s; times are POSIX seconds of the
instrument's clock. Current is positive when it charges (oxidises) the working electrode.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from ..instruments import Step

__all__ = ["Step"]  # drivers receive the procedure as instruments.Step

STATUSES = ("Idle", "Running", "Limit reached", "Fault")


class DriverRefused(Exception):
    """The instrument refused a procedure; the message says why (it goes to LastError)."""


@dataclass(frozen=True)
class Compliance:
    """The channel's hardware limits: largest |I| (mA) and the voltage window (V)."""

    max_current_mA: float
    v_min_V: float
    v_max_V: float


@dataclass(frozen=True)
class Point:
    """A point the instrument recorded: time (POSIX s), Ewe (V), I (mA), the charge passed
    since the channel was powered (mAh, a running total) and the index of the step of the
    procedure it belongs to (0 for the first)."""

    t: float
    ewe_V: float
    current_mA: float
    q_mAh: float
    step: int


@dataclass(frozen=True)
class ChannelState:
    """The channel now. status: one of STATUSES ("Running" while a procedure runs; after it
    "Limit reached" when its last step ended at a limit, "Idle" when stopped, "Fault");
    end_reason: why the last procedure ended ("upper cutoff", "duration", "stopped by
    user", ...); step: index of the running (or last) step; q_mAh: running total as in
    :class:`Point`; time: the instrument clock (POSIX s)."""

    status: str
    step: int
    ewe_V: float
    current_mA: float
    q_mAh: float
    time: float
    end_reason: str = ""


class PotentiostatDriver(ABC):
    """One potentiostat channel. The bridge calls these from one thread, about 20 times a
    second (``state`` and ``read_points``); none may block for more than ~0.1 s."""

    @abstractmethod
    def compliance(self) -> Compliance:
        """The channel's hardware limits (read once, when the bridge starts)."""

    @abstractmethod
    def start(self, steps: list[Step], record_dt_s: float, record_dE_V: float) -> None:
        """Program the procedure and start it at its first step; the instrument then moves
        from step to step by itself. Record a point at the start and end of every step,
        every record_dt_s of instrument time and whenever Ewe moved by record_dE_V.
        Raise DriverRefused (with the reason) if the instrument refuses it; the bridge has
        already checked the steps against :meth:`compliance`."""

    @abstractmethod
    def stop(self) -> None:
        """Open the circuit now, ending the procedure (status "Idle", "stopped by user");
        always accepted, done within one second."""

    @abstractmethod
    def state(self) -> ChannelState:
        """The channel's state now."""

    @abstractmethod
    def read_points(self) -> list[Point]:
        """Every point recorded since the last call, oldest first; none lost or repeated.
        After ``state`` reports a procedure ended, the next call returns its last point."""


@dataclass(frozen=True)
class GasSample:
    """One headspace sample: its time (POSIX s), how long its gas accumulated (s), the
    headspace pressure before it (mbar) and the ion current on each m/z channel (A)."""

    t: float
    interval_s: float
    pressure_mbar: float
    currents_A: dict[int, float]


@dataclass(frozen=True)
class SpectrometerState:
    """The spectrometer now: sampling every interval or not, its clock (POSIX s), the
    headspace pressure (mbar)."""

    acquiring: bool
    time: float
    pressure_mbar: float


class MassSpectrometerDriver(ABC):
    """A DEMS mass spectrometer sampling a cell's headspace. The bridge serves the m/z
    channels of the contract (``Channels``); ``channels`` must return exactly those."""

    @abstractmethod
    def channels(self) -> tuple[int, ...]:
        """The measured m/z, in column order."""

    @abstractmethod
    def calibration(self) -> dict[str, list[float]]:
        """The factory calibration: A per mol/s of each gas on every channel."""

    @abstractmethod
    def set_interval(self, interval_s: float) -> None:
        """Sample every interval_s (s) while acquiring (1..86400, checked by the bridge)."""

    @abstractmethod
    def start(self) -> None:
        """Purge the headspace, then sample every interval from now on."""

    @abstractmethod
    def stop(self) -> None:
        """Stop sampling."""

    @abstractmethod
    def trigger(self) -> None:
        """Take one sample now (the gas since the previous sample)."""

    @abstractmethod
    def state(self) -> SpectrometerState:
        """The spectrometer now."""

    @abstractmethod
    def read_samples(self) -> list[GasSample]:
        """Every sample taken since the last call, oldest first."""
