"""A NeXus file of ``operando export`` as an import: the run it holds, as it was.

The start metadata (sample, protocol, plan name: hence the same run kind and summary) comes
from the file's start document; the new run records where it came from
(``reimported_from``: the original uid) beside the import's own ``source``.
"""

from __future__ import annotations

import pathlib

from ..io.nexus_read import read_nexus
from .import_streams import Parsed, Stream

# Start keys a new run gets afresh (its own uid and time; the import's provenance and hints).
_FRESH = ("uid", "time", "plan_name", "source", "hints", "imported", "scan_id")


def parse_nexus(path: pathlib.Path) -> Parsed:
    """The run of one exported NeXus file (BadRequest if it is not one)."""
    run = read_nexus(path)
    start = run.start
    sample = start.get("sample") if isinstance(start.get("sample"), dict) else {}
    metadata = {k: v for k, v in start.items() if k not in _FRESH}
    metadata["reimported_from"] = {"uid": start.get("uid"), "file": path.name}
    return Parsed(
        file=path,
        plan_name=str(start.get("plan_name", "")),
        time=float(start.get("time", 0.0)),
        metadata=metadata,
        streams=[Stream(s.name, s.columns, s.units, s.configuration) for s in run.streams],
        files=[path],
        header_mass_mg=sample.get("active_mass_mg"),
        header_area_cm2=sample.get("area_cm2"),
    )
