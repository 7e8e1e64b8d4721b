"""Controls of the simulated beamline that no real beamline has."""

from __future__ import annotations

from ophyd import Component as Cpt
from ophyd import Device, EpicsSignal, EpicsSignalRO

from .instrument import Setpoint


class SimControl(Device):
    """The simulator's own knobs: time scale, cell assembly, electrode mounting."""

    time_scale = Cpt(EpicsSignal, "TimeScale", kind="config")  # instrument s per wall s
    new_cell = Cpt(Setpoint, "NewCell", kind="omitted")
    mount_name = Cpt(EpicsSignal, "MountName", string=True, kind="omitted")
    mount = Cpt(Setpoint, "Mount", kind="omitted")
    last_error = Cpt(EpicsSignalRO, "LastError", string=True, kind="omitted")
    beam_current = Cpt(EpicsSignal, "BeamCurrent", kind="omitted")  # mA, both endstations

    def assemble_cell(self) -> None:
        """Build a pristine cell from the potentiostat's Cell: settings (blocking)."""
        self.new_cell.set(1).wait()

    def mount_electrode(self, slot: int, name: str) -> None:
        """Take the electrode out of the potentiostat's cell, in the state it is in now, and
        mount it in slot (1..16) of the X-ray sample holders as name (blocking)."""
        self.mount_name.set(name[:39]).wait()
        self.mount.set(slot).wait()
