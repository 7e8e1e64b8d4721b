"""ophyd Devices: how the control system sees each instrument.

ophyd's control layer defaults to caproto (pure Python); set OPHYD_CONTROL_LAYER=pyepics
before the first import of ophyd to use pyepics instead.
"""

import os

os.environ.setdefault("OPHYD_CONTROL_LAYER", "caproto")

from ophyd.signal import EpicsSignalBase  # noqa: E402

READ_TIMEOUT_S = 10.0  # s: Channel Access reads and put readbacks (ophyd's default is 2 s)
try:
    # On a busy 2-core machine the simulated IOC has answered a read after 2.3 s. A lost
    # IOC is still noticed at once: its circuit closes. ophyd allows this only before the
    # first signal of the process exists; if one does, its defaults stand.
    EpicsSignalBase.set_defaults(timeout=READ_TIMEOUT_S)
except RuntimeError:
    pass

from .dems import MassSpectrometer  # noqa: E402
from .potentiostat import Potentiostat  # noqa: E402
from .simcontrol import SimControl  # noqa: E402

__all__ = ["MassSpectrometer", "Potentiostat", "SimControl"]
