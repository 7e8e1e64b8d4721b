"""Controls of the simulated beamline that no real beamline has."""

from __future__ import annotations

from ophyd import Component as Cpt
from ophyd import Device, EpicsSignal, EpicsSignalRO

from .instrument import Setpoint


class SimControl(Device):
    """The simulator's own knobs: time scale, cell assembly, electrode mounting, the beam.

    Used through the plans ``plans.ex_situ.assemble_cell`` and ``mount_electrode``."""

    time_scale = Cpt(EpicsSignal, "TimeScale", kind="config")  # instrument s per wall s
    new_cell = Cpt(Setpoint, "NewCell", kind="omitted")
    mount_name = Cpt(EpicsSignal, "MountName", string=True, kind="omitted")
    mount = Cpt(Setpoint, "Mount", kind="omitted")
    mount_on_end = Cpt(Setpoint, "MountOnEnd", kind="omitted")  # slot, at the technique's end
    last_error = Cpt(EpicsSignalRO, "LastError", string=True, kind="omitted")
    beam_current = Cpt(EpicsSignal, "BeamCurrent", kind="omitted")  # mA, both endstations
