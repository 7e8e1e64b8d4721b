"""Controls of the simulated beamline that no real beamline has."""

from __future__ import annotations

from ophyd import Component as Cpt
from ophyd import Device, EpicsSignal, EpicsSignalRO

from .instrument import Setpoint


class SimControl(Device):
    """The simulator's own knobs: time scale and cell assembly."""

    time_scale = Cpt(EpicsSignal, "TimeScale", kind="config")  # instrument s per wall s
    new_cell = Cpt(Setpoint, "NewCell", kind="omitted")
    last_error = Cpt(EpicsSignalRO, "LastError", string=True, kind="omitted")

    def assemble_cell(self) -> None:
        """Build a pristine cell from the potentiostat's Cell: settings (blocking)."""
        self.new_cell.set(1).wait()
