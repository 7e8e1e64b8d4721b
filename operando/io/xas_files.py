"""Read an XAS spectrum from an XDI file, an Athena project (.prj) or named-column text.

Public API: :func:`read_spectrum` returns an :class:`XasSpectrum` (energy in eV and the
absorption mu of one detection mode). Modes and the columns they come from, first found wins:

- ``transmission``: ``mutrans``, else ln(``i0`` / ``itrans``)
- ``fluorescence``: ``mufluor``, else ``ifluor`` / ``i0``
- ``reference``: ``murefer``, else ln(``itrans`` / ``irefer``)

``mode=None`` takes transmission when the file has it, else fluorescence, else reference;
a plain ``mu`` / ``xmu`` column (precomputed, detection unknown) gives mode ``"mu"``.
Energy units are read from the column's declared unit (eV, keV, or degrees of the
monochromator angle with ``Mono.d_spacing``); undeclared energies that look like keV are
refused rather than guessed.
"""

from __future__ import annotations

import pathlib
import re
from dataclasses import dataclass, field

import numpy as np

from ..errors import BadRequest

MODES = ("transmission", "fluorescence", "reference")
HC_EV_A = 12398.419843  # h c in eV x Angstrom (CODATA 2018)

_COLUMN = re.compile(r"^#\s*Column\.(\d+):\s*(\S+)\s*([^|\s]*)")
_FIELD = re.compile(r"^#\s*([\w.]+):\s*(.*)$")
_UNIT_IN_NAME = re.compile(r"^(.*?)[\s_]*[(\[]?\s*(ev|kev|deg|degrees)\s*[)\]]?$", re.I)


@dataclass(frozen=True)
class XasSpectrum:
    """One absorption spectrum as read from a file.

    energy_eV: energies (eV), in the file's order; mu: absorption (arbitrary units) of
    ``mode``; element/edge: from the file's header when it says (e.g. "Fe", "K"), else None;
    metadata: the header fields ("Family.member" -> text) and what the reader decided
    ("reader.mu" says which columns gave mu); source: the path read.
    """

    energy_eV: np.ndarray
    mu: np.ndarray
    mode: str
    element: str | None
    edge: str | None
    metadata: dict[str, str] = field(default_factory=dict)
    source: str = ""

    @property
    def name(self) -> str:
        """The file's stem (or the Athena group's label)."""
        return self.metadata.get("reader.group") or pathlib.Path(self.source).stem


def read_spectrum(
    path: str | pathlib.Path, mode: str | None = None, *, group: str | None = None
) -> XasSpectrum:
    """Read one spectrum; ``mode`` is transmission, fluorescence, reference or None (the
    file's first of those). ``group`` picks the record of an Athena project holding several.
    Raises BadRequest (a ValueError) with one line saying what is wrong and what is allowed.
    """
    path = pathlib.Path(path)
    if mode is not None and mode not in MODES:
        raise BadRequest(f"mode {mode!r} is not one of {', '.join(MODES)}")
    if not path.is_file():
        raise BadRequest(f"{path}: no such file")
    if path.suffix.lower() == ".prj":
        return _read_athena(path, mode, group)
    text = path.read_text(errors="replace")
    if text.lstrip().startswith("# XDI") or "# Column.1:" in text:
        columns, units, fields = _parse_xdi(path, text)
    else:
        columns, units, fields = _parse_plain(path, text)
    return _spectrum(path, columns, units, fields, mode)


def _parse_xdi(path: pathlib.Path, text: str):
    names: dict[int, tuple[str, str]] = {}
    fields: dict[str, str] = {}
    rows = []
    for line in text.splitlines():
        if line.startswith("#"):
            if m := _COLUMN.match(line):
                names[int(m[1])] = (m[2].lower(), m[3])
            elif m := _FIELD.match(line):
                fields[m[1]] = m[2].strip()
            continue
        if line.strip():
            rows.append(_floats(path, line))
    if not names:
        raise BadRequest(f"{path}: an XDI file without 'Column.N' header lines")
    data = _table(path, rows)
    columns = {name: data[:, n - 1] for n, (name, _) in names.items() if n - 1 < data.shape[1]}
    units = {name: unit for n, (name, unit) in names.items() if n - 1 < data.shape[1]}
    return columns, units, fields


def _parse_plain(path: pathlib.Path, text: str):
    """Whitespace, comma or tab separated columns under a header line of names (the last
    line before the data, '#' allowed); a name may carry its unit: ``energy (keV)``."""
    header: list[str] | None = None
    rows = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        cells = [c for c in re.split(r"[,\t;]\s*|\s+", stripped.lstrip("#").strip()) if c]
        try:
            rows.append([float(c) for c in cells])
        except ValueError:
            if rows:
                raise BadRequest(f"{path}: a text line among the data: {stripped[:60]!r}") from None
            if "," in stripped or "\t" in stripped:
                cells = [c.strip() for c in re.split(r"[,\t;]", stripped.lstrip("#")) if c.strip()]
            header = cells
    if header is None:
        raise BadRequest(f"{path}: no line naming the columns (e.g. 'energy i0 itrans')")
    data = _table(path, rows)
    if len(header) != data.shape[1]:
        raise BadRequest(
            f"{path}: {len(header)} column names ({' '.join(header)}) for {data.shape[1]} columns"
        )
    columns, units = {}, {}
    for j, raw in enumerate(header):
        m = _UNIT_IN_NAME.match(raw.strip())
        name, unit = (m[1], m[2]) if m and m[1] else (raw, "")
        columns[name.strip().lower()] = data[:, j]
        units[name.strip().lower()] = unit
    return columns, units, {}


def _read_athena(path: pathlib.Path, mode: str | None, group: str | None) -> XasSpectrum:
    from larch.io import read_athena

    try:
        project = read_athena(str(path), do_preedge=False)
    except Exception as exc:  # larch raises bare Exceptions on a bad project
        raise BadRequest(f"{path}: not a readable Athena project ({exc})") from None
    groups = {getattr(g, "label", None) or name: g for name, g in project.groups.items()}
    if not groups:
        raise BadRequest(f"{path}: an Athena project with no groups")
    if group is None and len(groups) > 1:
        raise BadRequest(f"{path}: holds {len(groups)} groups; pick one of {sorted(groups)}")
    label = group if group is not None else next(iter(groups))
    if label not in groups:
        raise BadRequest(f"{path}: no group {label!r}; it holds {sorted(groups)}")
    g = groups[label]
    # Athena stores one mu per group, as its user made it: ln(I0/It) is transmission, a
    # plain ratio fluorescence; a group imported as mu has no recorded detection ("mu").
    params = getattr(g, "athena_params", None)
    if params is not None and getattr(params, "ln", 0):
        found = "transmission"
    elif params is not None and getattr(params, "numerator", "") not in ("", "1", None):
        found = "fluorescence"
    else:
        found = "mu"
    if mode is not None and mode != found:
        raise BadRequest(f"{path}: group {label!r} holds {found} data only, not {mode}")
    fields = {"reader.group": label, "reader.mu": f"Athena group {label!r}"}
    if isinstance(getattr(g, "atsym", None), str):
        fields["Element.symbol"] = g.atsym
    if isinstance(getattr(g, "edge", None), str):
        fields["Element.edge"] = g.edge
    return _build(path, np.asarray(g.energy, float), g.mu, found, fields)


def _spectrum(path, columns, units, fields, mode) -> XasSpectrum:
    key = "energy" if "energy" in columns else "angle" if "angle" in columns else None
    if key is None:
        raise BadRequest(f"{path}: no 'energy' column (columns: {', '.join(columns)})")
    energy = _energy_eV(path, columns[key], units.get(key, ""), fields)
    available = {m: _recipe(m, columns) for m in MODES}
    available = {m: r for m, r in available.items() if r is not None}
    if mode is None:
        if available:
            mode = next(iter(available))
        elif "mu" in columns or "xmu" in columns:
            key = "mu" if "mu" in columns else "xmu"
            fields = {**fields, "reader.mu": key}
            return _build(path, energy, columns[key], "mu", fields)
        else:
            raise BadRequest(
                f"{path}: no absorption columns (columns: {', '.join(columns)}); expected "
                "mutrans or i0+itrans, mufluor or i0+ifluor, murefer or itrans+irefer"
            )
    if mode not in available:
        have = ", ".join(available) or "none"
        raise BadRequest(
            f"{path}: no {mode} data (columns: {', '.join(columns)}); modes available: {have}"
        )
    recipe, mu = available[mode]
    return _build(path, energy, mu, mode, {**fields, "reader.mu": recipe})


def _recipe(mode: str, c: dict[str, np.ndarray]) -> tuple[str, np.ndarray] | None:
    with np.errstate(divide="ignore", invalid="ignore"):
        if mode == "transmission":
            if "mutrans" in c:
                return "mutrans", c["mutrans"]
            if "i0" in c and "itrans" in c:
                return "ln(i0/itrans)", np.log(c["i0"] / c["itrans"])
        if mode == "fluorescence":
            if "mufluor" in c:
                return "mufluor", c["mufluor"]
            if "i0" in c and "ifluor" in c:
                return "ifluor/i0", c["ifluor"] / c["i0"]
        if mode == "reference":
            if "murefer" in c:
                return "murefer", c["murefer"]
            if "itrans" in c and "irefer" in c:
                return "ln(itrans/irefer)", np.log(c["itrans"] / c["irefer"])
    return None


def _build(path, energy, mu, mode, fields) -> XasSpectrum:
    mu = np.asarray(mu, float)
    good = np.isfinite(energy) & np.isfinite(mu)
    if good.sum() < 10:
        raise BadRequest(f"{path}: fewer than 10 finite points of {mode} absorption")
    element = fields.get("Element.symbol") or None
    edge = fields.get("Element.edge") or None
    return XasSpectrum(energy[good], mu[good], mode, element, edge, dict(fields), str(path))


def _energy_eV(path, energy: np.ndarray, unit: str, fields: dict[str, str]) -> np.ndarray:
    unit = unit.lower()
    if unit in ("ev", ""):
        e = np.asarray(energy, float)
    elif unit == "kev":
        e = 1000.0 * np.asarray(energy, float)
    elif unit in ("deg", "degrees"):
        d = fields.get("Mono.d_spacing", "").split()
        if not d:
            raise BadRequest(f"{path}: energy in degrees but no Mono.d_spacing to convert it")
        e = HC_EV_A / (2.0 * float(d[0]) * np.sin(np.radians(np.asarray(energy, float))))
    else:
        raise BadRequest(f"{path}: energy unit {unit!r} not understood (eV, keV or degrees)")
    finite = e[np.isfinite(e)]
    if finite.size and not unit and np.ptp(finite) < 5.0 and finite.max() < 200.0:
        raise BadRequest(
            f"{path}: energies {finite.min():g}-{finite.max():g} with no unit look like keV; "
            "declare the unit (XDI 'Column.1: energy keV', or a column named 'energy (keV)')"
        )
    if finite.size and (finite.min() <= 0 or finite.max() > 200_000):
        raise BadRequest(f"{path}: energies {finite.min():g}-{finite.max():g} eV are not X-rays")
    return e


def _floats(path, line: str) -> list[float]:
    try:
        return [float(v) for v in line.split()]
    except ValueError:
        raise BadRequest(f"{path}: a data line that is not numbers: {line[:60]!r}") from None


def _table(path, rows: list[list[float]]) -> np.ndarray:
    if not rows:
        raise BadRequest(f"{path}: no data rows")
    width = min(len(r) for r in rows)
    if width == 0:
        raise BadRequest(f"{path}: empty data rows")
    return np.array([r[:width] for r in rows])
