"""Every PV the simulated beamline serves: name, record type, units, description.

The record type is the EPICS record a real IOC would use for the PV: ``waveform`` for
arrays, ``stringin``/``stringout`` for strings, ``mbbi``/``mbbo`` for enumerations,
``longin``/``longout`` for integers and ``ai``/``ao`` for numbers (``...in`` / ``ai``:
read-only to clients).
"""

from __future__ import annotations


def _record_type(channel) -> str:
    kind = type(channel).__name__.replace("Pvproperty", "")
    read_only = kind.endswith("RO")
    kind = kind.removesuffix("RO")
    if channel.max_length > 1:  # arrays, and long strings as char waveforms
        return "waveform"
    if kind in ("String", "Char"):
        return "stringin" if read_only else "stringout"
    if kind == "Enum":
        return "mbbi" if read_only else "mbbo"
    if kind == "Integer":
        return "longin" if read_only else "longout"
    return "ai" if read_only else "ao"


def list_pvs(prefix: str = "OPSIM:") -> list[tuple[str, str, str, str]]:
    """(name, record type, units, description) of every PV, in the IOC's order."""
    from ..models.world import World
    from .beamline import build_pvdb

    rows = []
    for name, channel in build_pvdb(prefix, World()).items():
        spec = getattr(channel, "pvspec", None)
        record = (spec.record if spec else None) or getattr(
            getattr(channel, "group", None), "record_type", None
        )
        doc = " ".join(((spec.doc if spec else "") or "").split())
        units = getattr(channel, "units", "") or ""
        record = getattr(record, "_record_type", record)  # a record's fields class
        rows.append((name, record or _record_type(channel), units, doc))
    return rows


def format_pvs(prefix: str = "OPSIM:") -> str:
    """One PV a line: name, record type, units ("-" for none), description; tab-separated."""
    return "\n".join("\t".join((n, r, u or "-", d)) for n, r, u, d in list_pvs(prefix))
