"""Read a Spectro Inlets Zilien ``.tsv`` (EC-MS): header, and every data series apart.

A Zilien file is tab-separated: ``num_header_lines`` header lines (``key, description,
series, type, value``), then two lines naming the series (each over its first column) and
their columns (``Time [s]``, ``M32-O2 [A]``, ``Voltage [V]``, ...), then the data, each
series in its own columns and as long as it is (shorter series leave empty cells).
Times of every series are seconds since ``start_time_unix``. The ``pot`` series is Zilien's
own reading of the potentiostat; ``EC-lab`` holds the points of the EC-Lab ``.mpt`` files it
merged (``offset`` = Zilien time - EC-Lab time); ``C<n>M<mass>`` are mass-spectrometer
channels (ion current, A).

Public API: :func:`read_zilien` -> :class:`ZilienFile`. Problems are
:class:`~operando.errors.BadRequest` naming the file.
"""

from __future__ import annotations

import pathlib
import re
from dataclasses import dataclass, field

import numpy as np

from ..errors import BadRequest

_MS_SERIES = re.compile(r"^C\d+M(\d+(?:\.\d+)?)$")
_LABEL_UNIT = re.compile(r"^(.*?)\s*\[(.*)\]\s*$")


@dataclass
class Series:
    """One data series: its columns (label -> values) with units (label -> unit)."""

    name: str
    columns: dict[str, np.ndarray]
    units: dict[str, str]

    @property
    def time(self) -> np.ndarray:
        """Seconds since the file's start (the series' time column)."""
        key = "Time" if "Time" in self.columns else "time/s"
        return self.columns[key]


@dataclass
class ZilienFile:
    """The header fields (``key`` or ``key@series`` -> value) and the data series."""

    path: pathlib.Path
    header: dict[str, str]
    series: dict[str, Series]
    channel_labels: dict[str, str] = field(default_factory=dict)  # series -> "M32-O2"

    @property
    def start_unix(self) -> float:
        return float(self.header["start_time_unix"])

    @property
    def ec_lab_offset_s(self) -> float | None:
        """Zilien time minus EC-Lab time (s), when EC-Lab was recorded alongside."""
        value = self.header.get("offset@pot_01")
        return float(value) if value is not None else None

    def ms_channels(self) -> dict[str, float]:
        """Mass-spectrometer series -> m/z."""
        out = {}
        for name in self.series:
            m = _MS_SERIES.match(name)
            if m:
                out[name] = float(m[1])
        return out


def read_zilien(path: str | pathlib.Path) -> ZilienFile:
    """Read a Zilien .tsv (BadRequest naming the file and the problem)."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise BadRequest(f"{path}: no such file")
    lines = path.read_bytes().decode("utf-8", errors="replace").splitlines()
    first = lines[0].split("\t") if lines else []
    if not first or first[0] != "num_header_lines":
        raise BadRequest(f"{path}: not a Zilien .tsv (no 'num_header_lines' first line)")
    try:
        n_header = int(first[-1])
    except ValueError:
        raise BadRequest(f"{path}: unreadable num_header_lines {first[-1]!r}") from None
    if len(lines) < n_header + 2:
        raise BadRequest(f"{path}: truncated inside its header ({len(lines)} lines)")
    header: dict[str, str] = {}
    for line in lines[:n_header]:
        cells = line.split("\t")
        if len(cells) >= 5:
            key = cells[0] if not cells[2] else f"{cells[0]}@{cells[2]}"
            header.setdefault(key, cells[4])
    if "start_time_unix" not in header:
        raise BadRequest(f"{path}: no start_time_unix in the header")
    names = lines[n_header].split("\t")
    labels = lines[n_header + 1].split("\t")
    table = _table(path, lines[n_header + 2 :], len(labels))
    series: dict[str, Series] = {}
    channel_labels: dict[str, str] = {}
    starts = [j for j, n in enumerate(names) if n.strip()]
    for k, j in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(labels)
        columns, units = {}, {}
        for col in range(j, end):
            if not labels[col].strip():
                continue
            m = _LABEL_UNIT.match(labels[col])
            label, unit = (m[1], m[2]) if m else (labels[col], "")
            values = table[:, col]
            columns.setdefault(label, values)
            units.setdefault(label, unit)
        name = names[j].strip()
        series[name] = _trim(Series(name, columns, units), header.get(f"{name}_count@{name}"))
        if _MS_SERIES.match(name):
            channel_labels[name] = next((lb for lb in columns if lb != "Time"), name)
    return ZilienFile(path, header, series, channel_labels)


def _table(path: pathlib.Path, rows: list[str], width: int) -> np.ndarray:
    out = np.full((len(rows), width), np.nan)
    for i, row in enumerate(rows):
        cells = row.split("\t")
        while len(cells) > width and not cells[-1].strip():
            cells.pop()
        if len(cells) > width:
            raise BadRequest(f"{path}: data line {i + 1} has {len(cells)} cells for {width}")
        for j, cell in enumerate(cells):
            if cell.strip():
                try:
                    out[i, j] = float(cell)
                except ValueError:
                    raise BadRequest(
                        f"{path}: data line {i + 1}, column {j + 1} is not a number: {cell[:20]!r}"
                    ) from None
    return out


def _trim(series: Series, count: str | None) -> Series:
    """Keep the series' own points: its declared count, else the rows with a time."""
    time_key = next((k for k in series.columns if k in ("Time", "time/s")), None)
    if count is not None and count.strip().isdigit():
        n = int(count)
    elif time_key is not None:
        n = int(np.count_nonzero(~np.isnan(series.columns[time_key])))
    else:
        n = len(next(iter(series.columns.values()), []))
    series.columns = {k: v[:n] for k, v in series.columns.items()}
    return series
