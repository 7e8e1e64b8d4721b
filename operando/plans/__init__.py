"""Bluesky plans: electrochemistry protocols and the stubs they are made of."""

from .dems import dems_cycling
from .electrochem import (
    applied_current_mA,
    galvanostatic,
    galvanostatic_cycle,
    ocv_rest,
    potentiostatic_hold,
)

__all__ = [
    "applied_current_mA",
    "dems_cycling",
    "galvanostatic",
    "galvanostatic_cycle",
    "ocv_rest",
    "potentiostatic_hold",
]
