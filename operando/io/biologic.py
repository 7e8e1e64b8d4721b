"""Read BioLogic EC-Lab files: binary ``.mpr`` (through galvani) and ``.mpt`` text exports.

Public API: :func:`read_eclab` returns an :class:`EcLabFile`: the technique (``GCPL``,
``CP``, ``OCV``, ``CV``, ``CVA``, ``CA``, ``PEIS``, ``GEIS``, ``MB``, ...), the columns under
EC-Lab's own names (``time/s``, ``Ewe/V``, ``I/mA``, ``freq/Hz``, ...), the acquisition start
(naive, the instrument's local time) and the header's cell characteristics.

galvani is GPL-3.0: it is an optional extra (``pip install operando[import]``) and is
imported only when an ``.mpr`` is read. Every problem with a file is a
:class:`~operando.errors.BadRequest` naming the file and what is wrong.
"""

from __future__ import annotations

import datetime as dt
import pathlib
import re
import struct
from dataclasses import dataclass, field

import numpy as np

from ..errors import BadRequest

# Technique names of the text header -> short names.
TECHNIQUES = {
    "Galvanostatic Cycling with Potential Limitation": "GCPL",
    "Chronopotentiometry": "CP",
    "Open Circuit Voltage": "OCV",
    "Cyclic Voltammetry": "CV",
    "Cyclic Voltammetry Advanced": "CVA",
    "Chronoamperometry / Chronocoulometry": "CA",
    "Chronoamperometry": "CA",
    "Potentio Electrochemical Impedance Spectroscopy": "PEIS",
    "Galvano Electrochemical Impedance Spectroscopy": "GEIS",
    "Modulo Bat": "MB",
    "Linear Sweep Voltammetry": "LSV",
    "Wait": "WAIT",
}
# Technique byte of an .mpr settings module (as yadg and galvani's authors mapped them).
MPR_TECHNIQUES = {
    0x04: "GCPL", 0x06: "CV", 0x0B: "OCV", 0x18: "CA", 0x19: "CP", 0x1C: "WAIT",
    0x1D: "PEIS", 0x1E: "GEIS", 0x30: "CV", 0x33: "CVA", 0x6C: "LSV", 0x77: "GCPL", 0x7F: "MB",
}  # fmt: skip
# EC-Lab's default entry for an unset mass or area (g or mg, cm2): means "not given".
EC_LAB_UNSET = 0.001
_HEADER_FIELD = re.compile(r"^\s*([^:]+?)\s*:\s*(.*?)\s*$")


@dataclass
class EcLabFile:
    """One EC-Lab file: technique, columns (EC-Lab names -> arrays) and header metadata.

    ``start``: acquisition start (naive local time of the instrument's computer) or None;
    ``mass_mg`` / ``area_cm2``: from the header when set there (None otherwise);
    ``header``: the header's fields as text (for provenance).
    """

    path: pathlib.Path
    technique: str
    technique_name: str
    columns: dict[str, np.ndarray]
    start: dt.datetime | None
    mass_mg: float | None = None
    area_cm2: float | None = None
    header: dict[str, str] = field(default_factory=dict)
    date_only: bool = False  # start is a date (the file has no time of day)

    def column(self, *names: str) -> np.ndarray | None:
        """The first of names the file has, as floats (None if none)."""
        for name in names:
            if name in self.columns:
                return np.asarray(self.columns[name], float)
        return None


def read_eclab(path: str | pathlib.Path) -> EcLabFile:
    """Read an EC-Lab ``.mpr`` or ``.mpt`` file (BadRequest on anything unreadable)."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise BadRequest(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".mpt":
        return read_mpt(path)
    if suffix == ".mpr":
        return read_mpr(path)
    raise BadRequest(f"{path}: not an EC-Lab file (.mpr or .mpt)")


# --- .mpt (text export) ----------------------------------------------------------------
def read_mpt(path: pathlib.Path) -> EcLabFile:
    """An EC-Lab text export: 'EC-Lab ASCII FILE', 'Nb header lines : N', the header, the
    tab-separated column names on line N, the data (decimal point or comma)."""
    text = path.read_bytes().decode("latin-1")
    lines = text.splitlines()
    if not lines or lines[0].strip() != "EC-Lab ASCII FILE":
        raise BadRequest(f"{path}: not an EC-Lab text export (no 'EC-Lab ASCII FILE' line)")
    m = re.match(r"Nb header lines\s*:\s*(\d+)", lines[1] if len(lines) > 1 else "")
    if m is None:
        raise BadRequest(f"{path}: no 'Nb header lines' on its second line")
    n_header = int(m[1])
    if len(lines) < n_header:
        raise BadRequest(f"{path}: truncated: {len(lines)} lines, its header says {n_header}")
    header_lines = lines[: n_header - 1]
    technique_name = next((ln.strip() for ln in header_lines[2:6] if ln.strip()), "")
    header = _header_fields(header_lines)
    names = [c for c in lines[n_header - 1].split("\t") if c.strip()]
    columns = _mpt_table(path, names, lines[n_header:])
    start = _mpt_start(header.get("Acquisition started on"))
    return EcLabFile(
        path, _technique(path, technique_name), technique_name, columns, start,
        mass_mg=_mpt_mass_mg(header), area_cm2=_mpt_area(header), header=header,
    )  # fmt: skip


def _header_fields(lines: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in lines[3:]:
        m = _HEADER_FIELD.match(line)
        if m and m[1] not in out and not line.startswith("\t"):
            out[m[1]] = m[2]
    return out


def _mpt_table(path: pathlib.Path, names: list[str], rows: list[str]) -> dict[str, np.ndarray]:
    rows = [r for r in rows if r.strip()]
    if not rows:
        raise BadRequest(f"{path}: no data points after the header")
    comma = "," in rows[0] and "." not in rows[0]
    values = []
    for number, row in enumerate(rows, 1):
        cells = row.rstrip("\t").split("\t")
        if len(cells) != len(names):
            raise BadRequest(
                f"{path}: data line {number} has {len(cells)} values for {len(names)} columns "
                "(a truncated or damaged file)"
            )
        try:
            values.append([float(c.replace(",", ".") if comma else c) for c in cells])
        except ValueError:
            raise BadRequest(f"{path}: data line {number} is not numbers: {row[:60]!r}") from None
    table = np.asarray(values, float)
    columns: dict[str, np.ndarray] = {}
    for j, name in enumerate(names):
        columns.setdefault(name.strip(), table[:, j])  # a repeated name keeps its first column
    return columns


def _mpt_start(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    for fmt in ("%m/%d/%Y %H:%M:%S.%f", "%m/%d/%Y %H:%M:%S"):
        try:
            return dt.datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    return None


def _quantity(text: str | None) -> tuple[float, str] | None:
    if not text:
        return None
    m = re.match(r"([-+0-9.,eE]+)\s*(\S*)", text)
    if m is None:
        return None
    try:
        return float(m[1].replace(",", ".")), m[2]
    except ValueError:
        return None


def _mpt_mass_mg(header: dict[str, str]) -> float | None:
    for key in ("Mass of active material", "Characteristic mass"):
        q = _quantity(header.get(key))
        if q is None or q[0] <= EC_LAB_UNSET:
            continue
        value, unit = q
        return value * 1000.0 if unit == "g" else value
    return None


def _mpt_area(header: dict[str, str]) -> float | None:
    q = _quantity(header.get("Electrode surface area"))
    return q[0] if q is not None and q[0] > EC_LAB_UNSET else None


def _technique(path: pathlib.Path, name: str) -> str:
    if name in TECHNIQUES:
        return TECHNIQUES[name]
    raise BadRequest(
        f"{path}: technique {name!r} is not one operando imports; known: "
        f"{', '.join(sorted(set(TECHNIQUES.values())))}"
    )


# --- .mpr (binary) ----------------------------------------------------------------------
def read_mpr(path: pathlib.Path) -> EcLabFile:
    """An EC-Lab binary file through galvani; technique and cell characteristics from the
    settings module (offsets as documented by yadg's EC-Lab reader)."""
    try:
        from galvani import BioLogic
    except ImportError:
        raise BadRequest(
            f"{path}: reading .mpr files needs galvani (GPL-3.0, optional): "
            "pip install 'operando[import]', or export the file as .mpt from EC-Lab"
        ) from None
    with open(path, "rb") as f:
        magic = f.read(len(b"BIO-LOGIC MODULAR FILE"))
    if magic != b"BIO-LOGIC MODULAR FILE":
        raise BadRequest(f"{path}: not an EC-Lab binary file (no BIO-LOGIC MODULAR FILE magic)")
    try:
        mpr = BioLogic.MPRfile(str(path))
        data = mpr.data
        columns = {name: np.asarray(data[name]) for name in data.dtype.names if name != "flags"}
        if "flags" in data.dtype.names:
            for flag in mpr.flags_dict:
                columns[flag] = np.asarray(mpr.get_flag(flag))
        settings = bytes(mpr.modules[0]["data"])
    except BadRequest:
        raise
    except Exception as exc:  # galvani raises struct/Value/Index errors on damaged files
        what = f"{type(exc).__name__}: {exc}"
        raise BadRequest(f"{path}: a damaged or truncated .mpr ({what})") from None
    if not len(data):
        raise BadRequest(f"{path}: no data points")
    technique = MPR_TECHNIQUES.get(settings[0])
    if technique is None:
        raise BadRequest(f"{path}: technique code {settings[0]} is not one operando imports")
    header = _mpr_settings(settings)
    timestamp = getattr(mpr, "timestamp", None)
    date_only = timestamp is None
    start = timestamp or dt.datetime.combine(mpr.startdate, dt.time())
    name = next((k for k, v in TECHNIQUES.items() if v == technique), technique)
    mass = header.get("active_material_mass_mg")
    area = header.get("electrode_area_cm2")
    return EcLabFile(
        path, technique, name, columns, start,
        mass_mg=mass if mass and mass > EC_LAB_UNSET else None,
        area_cm2=area if area and area > EC_LAB_UNSET else None,
        header={k: str(v) for k, v in header.items()}, date_only=date_only,
    )  # fmt: skip


def _mpr_settings(s: bytes) -> dict:
    """Cell characteristics of the settings module (float32 and Pascal strings)."""

    def f32(offset: int) -> float:
        return round(float(struct.unpack_from("<f", s, offset)[0]), 6)

    def pascal(offset: int) -> str:
        return s[offset + 1 : offset + 1 + s[offset]].decode("latin-1").strip()

    try:
        return {
            "comments": pascal(0x07),
            "active_material_mass_mg": f32(0x107),
            "electrode_material": pascal(0x11E),
            "electrolyte": pascal(0x1C0),
            "electrode_area_cm2": f32(0x211),
            "reference_electrode": pascal(0x215),
            "characteristic_mass_mg": f32(0x24C),
            "battery_capacity": f32(0x25C),
        }
    except (struct.error, IndexError):
        return {}
