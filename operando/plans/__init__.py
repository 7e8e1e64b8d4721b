"""Bluesky plans: electrochemistry, DEMS and X-ray protocols and the stubs they are made of.

Every plan here is marked with ``bluesky.utils.plan``: it checks its parameters when it is
called (before anything moves) and is recognised as a plan by bluesky-queueserver.

The plans are imported when first asked for (``from operando.plans import ocv_rest``), so
that importing a light module of this package, such as :mod:`operando.plans.checks` for a
command line's checks, does not import bluesky and ophyd.
"""

from __future__ import annotations

import importlib

# name -> the module of this package that defines it
_WHERE = {
    "charge_and_measure": "at_cutoffs",
    "dems_cycling": "dems",
    "applied_current_mA": "electrochem",
    "galvanostatic": "electrochem",
    "galvanostatic_cycle": "electrochem",
    "ocv_rest": "electrochem",
    "potentiostatic_hold": "electrochem",
    "prepare_ex_situ_electrodes": "ex_situ",
    "in_situ_xas_cycling": "in_situ",
    "cyclic_voltammetry": "techniques",
    "eis": "techniques",
    "gitt": "techniques",
    "rixs_map": "xray",
    "xas_scan": "xray",
    "xas_series": "xray",
    "EdgeSeries": "xray_together",
    "xas_series_together": "xray_together",
}

__all__ = sorted(_WHERE)
# the user's plans
PLANS = tuple(name for name in __all__ if name not in ("applied_current_mA", "EdgeSeries"))


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
