"""ophyd Devices: how the control system sees each instrument.

ophyd's control layer defaults to caproto (pure Python); set OPHYD_CONTROL_LAYER=pyepics
before the first import of ophyd to use pyepics instead.
"""

import os

os.environ.setdefault("OPHYD_CONTROL_LAYER", "caproto")

from .dems import MassSpectrometer  # noqa: E402
from .potentiostat import Potentiostat  # noqa: E402
from .simcontrol import SimControl  # noqa: E402

__all__ = ["MassSpectrometer", "Potentiostat", "SimControl"]
