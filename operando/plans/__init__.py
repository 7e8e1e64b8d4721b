"""Bluesky plans: electrochemistry, DEMS and X-ray protocols and the stubs they are made of."""

from .dems import dems_cycling
from .electrochem import (
    applied_current_mA,
    galvanostatic,
    galvanostatic_cycle,
    ocv_rest,
    potentiostatic_hold,
)
from .xray import rixs_map, xas_scan, xas_series

__all__ = [
    "applied_current_mA",
    "dems_cycling",
    "galvanostatic",
    "galvanostatic_cycle",
    "ocv_rest",
    "potentiostatic_hold",
    "rixs_map",
    "xas_scan",
    "xas_series",
]
