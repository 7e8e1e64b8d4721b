"""The potentiostat's impedance analyser (``P PSTAT:EIS:``): potentiostatic EIS spectra.

The channel, idle, superimposes a small sinusoidal potential on its open-circuit potential
and measures the impedance at frequencies from ``FMax`` down to ``FMin`` (``PerDecade`` per
decade). ``trigger`` puts ``Acquire`` 1 (done when the spectrum is in); ``read`` gives the
spectrum's arrays (``eis_freq`` Hz, ``eis_z_re``/``eis_z_im`` ohm, the first ``eis_n``
valid), the DC potential (V) and the instrument time of the spectrum.
"""

from __future__ import annotations

from ophyd import Component as Cpt
from ophyd import Device, EpicsSignalRO

from .instrument import Setpoint


class ImpedanceAnalyzer(Device):
    """EIS of a potentiostat channel.

    Parameters
    ----------
    prefix : the potentiostat channel's prefix, e.g. ``"BL:PSTAT:"`` (its ``LastError``
        says why a setting was refused).
    """

    f_min = Cpt(Setpoint, "EIS:FMin", kind="config")  # Hz
    f_max = Cpt(Setpoint, "EIS:FMax", kind="config")  # Hz
    per_decade = Cpt(Setpoint, "EIS:PerDecade", kind="config")
    acquire = Cpt(Setpoint, "EIS:Acquire", kind="omitted")
    n = Cpt(EpicsSignalRO, "EIS:N", kind="normal")
    freq = Cpt(EpicsSignalRO, "EIS:Freq", kind="normal")  # Hz
    z_re = Cpt(EpicsSignalRO, "EIS:ZRe", kind="normal")  # ohm
    z_im = Cpt(EpicsSignalRO, "EIS:ZIm", kind="normal")  # ohm
    ewe = Cpt(EpicsSignalRO, "EIS:Ewe", kind="normal")  # V
    ts = Cpt(EpicsSignalRO, "EIS:TS", kind="normal")  # POSIX s
    last_error = Cpt(EpicsSignalRO, "LastError", string=True, kind="omitted")

    def trigger(self):
        """Measure one spectrum; done once the instrument has it."""
        return self.acquire.set(1)
