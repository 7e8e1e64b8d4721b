"""Write an absorption spectrum as an XDI 1.0 file (the XAS Data Interchange format that
larch, Athena and the IXAS data libraries read).

Public API: :class:`ExportSpectrum` (one spectrum, its columns and what is known of it),
:func:`write_xdi`, :data:`SI111_D_SPACING_A`.

Columns use the XDI dictionary's names so that readers know what they are: ``energy`` (eV,
always column 1), ``i0``, ``itrans``, ``irefer``, ``ifluor`` (counts) and the absorption
``mutrans`` = ln(i0/itrans), ``murefer`` = ln(itrans/irefer) or ``mufluor`` = ifluor/i0;
a total-electron-yield counter, which the dictionary does not name, is written ``itey``.
Numbers are written as Python's repr (the shortest text that reads back to the same float).
What XDI cannot carry: more than one spectrum a file, strings per point, the electrochemical
state of the cell (only as header text), arbitrary nested metadata (flattened to
``Family.member: text`` lines, families as XDI requires).
"""

from __future__ import annotations

import datetime
import math
import pathlib
import re
from dataclasses import dataclass, field

import numpy as np

# Si(111) lattice plane spacing: a / sqrt(3) with the silicon lattice parameter
# a = 5.431020511 A (CODATA 2018), 3.13560 A; the usual crystal of a hard X-ray mono.
SI_LATTICE_A = 5.431020511
SI111_D_SPACING_A = SI_LATTICE_A / math.sqrt(3.0)

_FAMILY = re.compile(r"^[A-Za-z][\w]*\.[\w.]+$")


@dataclass
class ExportSpectrum:
    """One spectrum to export.

    name: the sample's name; energy_eV: energies (eV); columns: XDI column name ->
    (values, units) in the order to write, e.g. ``{"i0": (i0, "counts"), "mutrans":
    (mu, "")}``; mu_column: which of them is the absorption; element/edge: "Ru", "K";
    mono: (crystal name, d spacing in A) when known (a grating mono has none);
    start_time: when the scan started (s since the Unix epoch); fields: other header
    values as ``{"Family.member": text}``.
    """

    name: str
    energy_eV: np.ndarray
    columns: dict[str, tuple[np.ndarray, str]]
    mu_column: str
    element: str | None = None
    edge: str | None = None
    mono: tuple[str, float] | None = None
    start_time: float | None = None
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def mu(self) -> np.ndarray:
        return np.asarray(self.columns[self.mu_column][0], float)


def iso_time(epoch_s: float) -> str:
    """ISO 8601 (UTC) of a Unix time, as XDI's Scan.start_time wants."""
    return datetime.datetime.fromtimestamp(epoch_s, datetime.UTC).isoformat(timespec="seconds")


def _safe_name(text: str) -> str:
    return re.sub(r"[^\w.+-]+", "_", text).strip("_") or "spectrum"


def xdi_text(s: ExportSpectrum, creator: str = "operando") -> str:
    """The XDI 1.0 text of one spectrum."""
    lines = [f"# XDI/1.0 {creator}"]
    names = ["energy", *s.columns]
    units = ["eV", *(u for _, u in s.columns.values())]
    for n, (name, unit) in enumerate(zip(names, units, strict=True), start=1):
        lines.append(f"# Column.{n}: {name}" + (f" {unit}" if unit else ""))
    if s.element:
        lines.append(f"# Element.symbol: {s.element}")
    if s.edge:
        lines.append(f"# Element.edge: {s.edge}")
    if s.mono is not None:
        lines.append(f"# Mono.name: {s.mono[0]}")
        lines.append(f"# Mono.d_spacing: {s.mono[1]:.8g}")
    lines.append(f"# Sample.name: {s.name}")
    if s.start_time is not None and "Scan.start_time" not in s.fields:
        lines.append(f"# Scan.start_time: {iso_time(s.start_time)}")
    for key, value in s.fields.items():
        if not _FAMILY.match(key):
            raise ValueError(f"XDI field {key!r} is not Family.member")
        lines.append(f"# {key}: {' '.join(str(value).split())}")
    lines += ["# ///", f"# exported by {creator}", "#" + "-" * 40, "# " + "  ".join(names)]
    data = np.column_stack(
        [np.asarray(s.energy_eV, float), *(np.asarray(v, float) for v, _ in s.columns.values())]
    )
    lines += ["  ".join(repr(float(x)) for x in row) for row in data]
    return "\n".join(lines) + "\n"


def write_xdi(s: ExportSpectrum, out: pathlib.Path, stem: str) -> pathlib.Path:
    """``out/<stem>_<sample>.xdi``; returns its path."""
    path = pathlib.Path(out) / f"{stem}_{_safe_name(s.name)}.xdi"
    path.write_text(xdi_text(s))
    return path


MU_COLUMNS = {"transmission": "mutrans", "fluorescence": "mufluor", "reference": "murefer"}
_WRITTEN = ("Element.symbol", "Element.edge", "Mono.name", "Mono.d_spacing", "Sample.name",
            "Scan.start_time")  # fmt: skip


def from_xas_spectrum(sp) -> ExportSpectrum:
    """An :class:`~operando.io.xas_files.XasSpectrum` (as read from a file) to export: its mu
    under the mode's XDI name (``mu`` when the detection is not known), its header fields
    carried over (the reader's own notes left out)."""
    column = MU_COLUMNS.get(sp.mode, "mu")
    meta = dict(sp.metadata)
    fields = {k: v for k, v in meta.items() if _FAMILY.match(k) and not k.startswith(
        ("reader.", "Column.")) and k not in _WRITTEN}  # fmt: skip
    mono = None
    if d := meta.get("Mono.d_spacing", "").split():
        mono = (meta.get("Mono.name", "unknown"), float(d[0]))
    return ExportSpectrum(
        name=meta.get("Sample.name") or sp.name,
        energy_eV=np.asarray(sp.energy_eV, float),
        columns={column: (np.asarray(sp.mu, float), "")},
        mu_column=column,
        element=sp.element,
        edge=sp.edge,
        mono=mono,
        fields=fields,
    )
