"""XDI files and Athena projects -> an ``import_xas`` run.

One XDI file is one spectrum in one run; an Athena project is a series: every group is a
spectrum of the same run. ``primary`` holds, per point, ``energy`` (eV), ``mu`` (absorption
of the detection mode read, as :func:`operando.io.xas_files.read_spectrum` computes it),
``spectrum`` (its name) and, for an XDI file, every other column of the file under its XDI
name (``i0``, ``itrans``, ``irefer``, ...; arbitrary units as the file gives them).
The start document lists ``spectra`` (name, element, edge, mode, where mu came from) and
``element``/``edge`` when every spectrum shares them.
"""

from __future__ import annotations

import pathlib

import numpy as np

from ..errors import BadRequest
from ..io.xas_files import XasSpectrum, read_spectrum
from .import_streams import Parsed, Stream

_RESERVED = {"time", "seq_num", "energy", "mu", "spectrum", "clock"}


def _groups(path: pathlib.Path) -> list[str]:
    from larch.io import read_athena

    try:
        project = read_athena(str(path), do_preedge=False)
    except Exception as exc:  # larch raises bare Exceptions on a bad project
        raise BadRequest(f"{path}: not a readable Athena project ({exc})") from None
    labels = [getattr(g, "label", None) or name for name, g in project.groups.items()]
    if not labels:
        raise BadRequest(f"{path}: an Athena project with no groups")
    return labels


def _xdi_columns(path: pathlib.Path, n: int) -> tuple[dict, dict]:
    """The XDI file's other columns when they line up with the spectrum's points."""
    from ..io.xas_files import _parse_xdi  # the reader's own parser: same columns

    columns, units, _ = _parse_xdi(path, path.read_text(errors="replace"))
    out, out_units = {}, {}
    for name, values in columns.items():
        key = name if name not in _RESERVED else f"xdi_{name}"
        if key == "xdi_energy" or values.size != n:
            continue
        out[key], out_units[key] = np.asarray(values, float), units.get(name, "")
    return out, out_units


def _describe(s: XasSpectrum) -> dict:
    return {"name": s.name, "element": s.element, "edge": s.edge, "mode": s.mode,
            "mu_from": s.metadata.get("reader.mu")}  # fmt: skip


def parse_xas(path: pathlib.Path) -> Parsed:
    """An XDI file (one spectrum) or an Athena project (a series) -> one run."""
    if path.suffix.lower() == ".prj":
        spectra = [read_spectrum(path, group=label) for label in _groups(path)]
        extra, extra_units = {}, {}
        header = {"groups": [s.name for s in spectra]}
    else:
        text = path.read_text(errors="replace")
        if not text.lstrip().lstrip("#").lstrip().startswith("XDI/"):
            raise BadRequest(f"{path}: not an XDI file (no '# XDI/1.x' first line)")
        spectra = [read_spectrum(path)]
        extra, extra_units = _xdi_columns(path, spectra[0].energy_eV.size)
        header: dict = {}  # XDI's Family.member fields as {Family: {member: value}}
        for key, value in spectra[0].metadata.items():
            family, _, member = key.partition(".")
            if family != "reader":
                header.setdefault(family, {})[member or "value"] = value
    energy = np.concatenate([s.energy_eV for s in spectra])
    columns = {
        "energy": energy,
        "mu": np.concatenate([np.asarray(s.mu, float) for s in spectra]),
        "spectrum": np.asarray([s.name for s in spectra for _ in range(s.energy_eV.size)]),
        **extra,
    }
    units = {"energy": "eV", "mu": "", "spectrum": "", **extra_units}
    described = [_describe(s) for s in spectra]
    md = {"technique": "XAS", "header": header, "reader": "operando.io.xas_files",
          "spectra": described}  # fmt: skip
    for key in ("element", "edge"):
        values = {d[key] for d in described}
        md[key] = values.pop() if len(values) == 1 else None
    time = _xdi_time(header) or path.stat().st_mtime
    return Parsed(path, "import_xas", time, md, [Stream("primary", columns, units)], [path])


def _xdi_time(header: dict) -> float | None:
    """Scan.start_time of the XDI header (ISO 8601, read as UTC), if readable."""
    import datetime as dt

    text = (header.get("Scan") or {}).get("start_time")
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text.strip().replace(" ", "T"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp()
