"""ophyd Devices: how the control system sees each instrument (one module per instrument).

The Channel Access layer (caproto or pyepics) and the timeouts are chosen when a session
is made (:func:`~operando.devices.control_layer.configure_control_layer`), not on import.
"""

from .dems import MassSpectrometer
from .potentiostat import Potentiostat
from .simcontrol import SimControl

__all__ = ["MassSpectrometer", "Potentiostat", "SimControl"]
