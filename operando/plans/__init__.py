"""Bluesky plans: electrochemistry, DEMS and X-ray protocols and the stubs they are made of.

Every plan here is marked with ``bluesky.utils.plan``: it checks its parameters when it is
called (before anything moves) and is recognised as a plan by bluesky-queueserver.
"""

from .charge_and_measure import charge_and_measure
from .dems import dems_cycling
from .electrochem import (
    applied_current_mA,
    galvanostatic,
    galvanostatic_cycle,
    ocv_rest,
    potentiostatic_hold,
)
from .ex_situ import prepare_ex_situ_electrodes
from .in_situ import in_situ_xas_cycling
from .techniques import cyclic_voltammetry, eis, gitt
from .xray import rixs_map, xas_scan, xas_series
from .xray_together import EdgeSeries, xas_series_together

__all__ = [
    "EdgeSeries",
    "applied_current_mA",
    "charge_and_measure",
    "cyclic_voltammetry",
    "dems_cycling",
    "eis",
    "galvanostatic",
    "galvanostatic_cycle",
    "gitt",
    "in_situ_xas_cycling",
    "ocv_rest",
    "potentiostatic_hold",
    "prepare_ex_situ_electrodes",
    "rixs_map",
    "xas_scan",
    "xas_series",
    "xas_series_together",
]
# the user's plans
PLANS = tuple(name for name in __all__ if name not in ("applied_current_mA", "EdgeSeries"))
