"""Choose ophyd's Channel Access layer and timeouts: done when a session is made, never at
import (importing operando changes nothing in the process)."""

from __future__ import annotations

CONTROL_LAYERS = ("caproto", "pyepics")
# s: Channel Access reads and put readbacks (ophyd's default is 2 s). On a busy 2-core
# machine the simulated IOC has answered a read after 2.3 s; a lost IOC is still noticed at
# once, because its circuit closes.
READ_TIMEOUT_S = 10.0


def configure_control_layer(layer: str = "caproto", read_timeout_s: float = READ_TIMEOUT_S) -> None:
    """Use ``layer`` (caproto: pure Python; pyepics: libca) for the devices made from now
    on, and ``read_timeout_s`` (s) for their reads. ophyd accepts new signal defaults only
    before the first signal of the process exists; after that, the defaults in force stand."""
    import ophyd
    from ophyd.signal import EpicsSignalBase

    from ..errors import BadRequest

    if layer not in CONTROL_LAYERS:
        raise BadRequest(f"unknown control layer {layer!r}; choose one of {CONTROL_LAYERS}")
    if ophyd.get_cl().name != layer:
        ophyd.set_cl(layer)
    if layer == "caproto":
        from .ca_search import keep_connecting

        keep_connecting()
    try:
        EpicsSignalBase.set_defaults(timeout=read_timeout_s)
    except RuntimeError:
        pass  # signals exist already: their defaults stand
